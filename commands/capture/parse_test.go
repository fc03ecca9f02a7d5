package capture

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// Real loopback packets (a TCP connection with data over IPv4 and over
// IPv6, a UDP datagram to a closed port over each, and the ICMP and
// ICMPv6 port unreachable that answer them) are captured by the ring,
// parsed, written with WritePcap and read back by tcpdump; every field
// the parser read must be what tcpdump prints for the same packet.
func TestParseMatchesTcpdump(t *testing.T) {
	tcpdump := testenv.NeedPeer(t, "tcpdump", "tcpdump")
	h := openLoopback(t)
	l4, l6 := testenv.Listen(t, "tcp4"), testenv.Listen(t, "tcp6")
	u4, u6 := testenv.ClosedPort(t, "udp4"), closedUDP6(t)
	var eps []Endpoint
	for _, l := range []net.Listener{l4, l6} {
		a := l.Addr().(*net.TCPAddr).AddrPort()
		eps = append(eps, Endpoint{Proto: ProtoTCP, Addr: a.Addr().Unmap(), Port: a.Port()})
	}
	eps = append(eps, Endpoint{Proto: ProtoUDP, Addr: netip.MustParseAddr("127.0.0.1"), Port: uint16(u4)},
		Endpoint{Proto: ProtoUDP, Addr: netip.IPv6Loopback(), Port: uint16(u6)})
	if err := h.SetFilter(eps); err != nil {
		t.Fatal(err)
	}
	for _, l := range []net.Listener{l4, l6} {
		c, err := net.Dial(l.Addr().Network(), l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("hello"))
		buf := make([]byte, 5)
		s.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := s.Read(buf); err != nil {
			t.Fatal(err)
		}
		c.Close()
		s.Close()
	}
	for _, a := range []string{fmt.Sprintf("127.0.0.1:%d", u4), fmt.Sprintf("[::1]:%d", u6)} {
		c, err := net.Dial("udp", a)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("probe"))
		c.Close()
	}
	// Collect until the four ICMP and TCP kinds are there (the FINs come
	// last on TCP): both unreachables and both TCP connections' FINs.
	var got []*Packet
	kinds := map[string]bool{}
	deadline := time.Now().Add(10 * time.Second)
	for len(kinds) < 4 && time.Now().Before(deadline) {
		h.Drain(func(f Frame) {
			p, err := Parse(f)
			if err != nil {
				t.Errorf("parse: %v", err)
				return
			}
			got = append(got, p)
			switch {
			case p.PortUnreachable():
				kinds[fmt.Sprint("unreach", p.Proto)] = true
			case p.Proto == ProtoTCP && p.Flags&FIN != 0:
				kinds["fin"+p.Src.Addr().String()] = true
			}
		})
		h.Wait(50 * time.Millisecond)
	}
	if len(kinds) < 4 {
		t.Fatalf("saw %v in %d packets, want both unreachables and both FINs", kinds, len(got))
	}
	file := filepath.Join(t.TempDir(), "t.pcap")
	var b bytes.Buffer
	if err := WritePcap(&b, got); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tcpdump, "-r", file, "-nn", "-v", "-S", "-tt").CombinedOutput()
	if err != nil {
		t.Fatalf("tcpdump: %v\n%s", err, out)
	}
	// One packet a block: a line that starts with its time stamp, and the
	// indented lines under it.
	var blocks []string
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" || strings.HasPrefix(line, "reading from") {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			blocks = append(blocks, "")
		}
		if len(blocks) > 0 {
			blocks[len(blocks)-1] += " " + strings.TrimSpace(line)
		}
	}
	// Drop the checksum verdicts tcpdump writes between the addresses and
	// the protocol ("[bad udp cksum ...]", "[icmp6 sum ok]"): loopback
	// leaves checksums to an offload that never happens.
	sums := regexp.MustCompile(`\[[^\]]*sum[^\]]*\] `)
	for i := range blocks {
		blocks[i] = sums.ReplaceAllString(blocks[i], "")
	}
	if len(blocks) != len(got) {
		t.Fatalf("tcpdump read %d packets, wrote %d:\n%s", len(blocks), len(got), out)
	}
	sawOpts, sawData := false, false
	for i, p := range got {
		want := []string{fmt.Sprintf(" %d.%06d ", p.Time.Unix(), p.Time.Nanosecond()/1000)}
		switch p.Proto {
		case ProtoTCP:
			want = append(want, fmt.Sprintf("%s > %s: Flags [%s]", hostPort(p.Src), hostPort(p.Dst), dumpFlags(p.Flags)),
				fmt.Sprintf("win %d", p.Win), fmt.Sprintf("length %d", p.PayloadLen))
			if p.Flags&ACK != 0 {
				want = append(want, fmt.Sprintf("ack %d", p.Ack))
			}
			if p.PayloadLen > 0 {
				want = append(want, fmt.Sprintf("seq %d:%d", p.Seq, p.Seq+uint32(p.PayloadLen)))
				sawData = true
			} else if p.Flags&(SYN|FIN) != 0 {
				want = append(want, fmt.Sprintf("seq %d", p.Seq))
			}
			opts := regexp.MustCompile(`options \[([^\]]*)\]`).FindStringSubmatch(blocks[i])
			var theirs []string
			if opts != nil {
				for _, o := range strings.Split(opts[1], ",") {
					if o == "nop" || o == "eol" {
						continue
					}
					if strings.HasPrefix(o, "TS val") {
						o = "TS"
					}
					theirs = append(theirs, o)
				}
			}
			if fmt.Sprint(theirs) != fmt.Sprint(p.Options) {
				t.Errorf("packet %d: options %q, tcpdump has %q: %s", i, p.Options, theirs, blocks[i])
			}
			sawOpts = sawOpts || len(p.Options) >= 4
		case ProtoUDP:
			want = append(want, fmt.Sprintf("%s > %s: UDP, length %d", hostPort(p.Src), hostPort(p.Dst), p.PayloadLen))
		case ProtoICMP:
			want = append(want, fmt.Sprintf("%s > %s: ICMP %s udp port %d unreachable", p.Src.Addr(), p.Dst.Addr(), p.InnerDst.Addr(), p.InnerDst.Port()),
				fmt.Sprintf("%s > %s: UDP", hostPort(p.InnerSrc), hostPort(p.InnerDst)))
		case ProtoICMPv6:
			want = append(want, fmt.Sprintf("%s > %s: ICMP6, destination unreachable, unreachable port, %s udp port %d", p.Src.Addr(), p.Dst.Addr(), p.InnerDst.Addr(), p.InnerDst.Port()))
		default:
			t.Errorf("packet %d: protocol %d", i, p.Proto)
		}
		if p.Proto == ProtoICMP || p.Proto == ProtoICMPv6 {
			if p.InnerProto != ProtoUDP || !p.PortUnreachable() {
				t.Errorf("packet %d: an ICMP error of type %d code %d about protocol %d: %s", i, p.ICMPType, p.ICMPCode, p.InnerProto, blocks[i])
			}
		}
		for _, w := range want {
			if !strings.Contains(blocks[i], w) {
				t.Errorf("packet %d: tcpdump's text lacks %q:\n%s", i, w, blocks[i])
			}
		}
		if !strings.Contains(blocks[i], fmt.Sprintf("length %d)", p.Len)) && !strings.Contains(blocks[i], fmt.Sprintf("payload length: %d)", p.Len-40)) {
			t.Errorf("packet %d: its length %d is not tcpdump's: %s", i, p.Len, blocks[i])
		}
	}
	if !sawOpts || !sawData {
		t.Errorf("no SYN with its four options or no segment with data among %d packets", len(got))
	}
}

// hostPort spells an address and port as tcpdump -nn does: "::1.80".
func hostPort(a netip.AddrPort) string { return fmt.Sprintf("%s.%d", a.Addr(), a.Port()) }

// dumpFlags spells TCP flags as tcpdump does: "S", "S.", "P.", "F.".
func dumpFlags(f uint8) string {
	var s string
	for _, n := range []struct {
		bit uint8
		c   string
	}{{FIN, "F"}, {SYN, "S"}, {RST, "R"}, {PSH, "P"}, {URG, "U"}, {ECE, "E"}, {CWR, "W"}} {
		if f&n.bit != 0 {
			s += n.c
		}
	}
	if f&ACK != 0 {
		s += "."
	}
	return s
}

// closedUDP6 is a port on ::1 where a datagram draws ICMPv6 port
// unreachable, held until the test ends: a UDP socket bound there and
// connected to itself, so the kernel hands it nothing from elsewhere.
func closedUDP6(t *testing.T) int {
	fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet6{Addr: [16]byte{15: 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Connect(fd, sa); err != nil {
		t.Fatal(err)
	}
	return sa.(*syscall.SockaddrInet6).Port
}

// FuzzParseFrame: no input makes Parse panic, and what it returns keeps
// its promises (a copy of the data, at most 64 bytes of payload and no
// more than the headers say there is).
func FuzzParseFrame(f *testing.F) {
	syn4 := []byte{0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
		0x9c, 0x40, 0, 80, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0xa0, 0x02, 0xff, 0xd7, 0, 0, 0, 0,
		2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}
	udp6 := append([]byte{0x60, 0, 0, 0, 0, 13, 17, 64}, make([]byte, 32)...)
	udp6[23], udp6[39] = 1, 1
	udp6 = append(udp6, 0x9c, 0x40, 0, 53, 0, 13, 0, 0, 'p', 'r', 'o', 'b', 'e')
	unreach4 := append([]byte{0x45, 0xc0, 0, 61, 0, 0, 0, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
		3, 3, 0, 0, 0, 0, 0, 0}, syn4[:28]...)
	unreach4[20+8+9] = ProtoUDP
	for _, seed := range [][]byte{nil, {0x45}, {0x60}, syn4, udp6, unreach4, syn4[:30], syn4[:40]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(Frame{Data: data, Len: len(data)})
		if err != nil {
			if p != nil {
				t.Fatalf("a packet and an error: %v", err)
			}
			return
		}
		if !bytes.Equal(p.Data, data) {
			t.Fatalf("Data %x, not the input %x", p.Data, data)
		}
		if len(p.Payload) > 64 || len(p.Payload) > p.PayloadLen {
			t.Fatalf("payload of %d bytes, PayloadLen %d", len(p.Payload), p.PayloadLen)
		}
		if !p.Src.IsValid() || !p.Dst.IsValid() {
			t.Fatalf("no addresses: %v > %v", p.Src, p.Dst)
		}
	})
}
