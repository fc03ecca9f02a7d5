package commands

// The wire's packets compared with a real tcpdump's on loopback.

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// tcpdumpRun is tcpdump capturing on loopback into a file while a test runs.
type tcpdumpRun struct {
	t    *testing.T
	cmd  *exec.Cmd
	file string
	bin  string
	// sentinel is where stop sends the datagram that ends the capture
	// (the filter takes it); sender sends it.
	sentinel, sender *net.UDPConn
	// stderr is all tcpdump wrote there, given once it has closed it.
	stderr chan string
}

// tcpdumpSnap is tcpdump's snapshot length: every header the tests compare
// (an ICMP error's quoted IP and UDP headers too), not the payload. The
// kernel's ring is tcpdump's buffer (2 MiB) cut into frames of the
// snapshot length: at the default (262144, cut to loopback's MTU) it held
// 32 frames, and on loopback each packet takes two (leaving and
// arriving), so a tcpdump that read behind on a loaded machine lost the
// session's last packets ("8 packets dropped by kernel"). At 256 bytes the
// ring holds over 6000 frames (measured: tcpdump stopped, 10,000 datagrams
// sent, 3120 captured).
const tcpdumpSnap = "256"

// startTcpdump starts tcpdump -i lo -w FILE with the filter expr (and the
// sentinel's datagram) and waits until it listens.
func startTcpdump(t *testing.T, expr string) *tcpdumpRun {
	t.Helper()
	bin := testenv.NeedPeer(t, "tcpdump", "tcpdump", "/usr/bin/tcpdump", "/usr/sbin/tcpdump")
	sentinel, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sentinel.Close() })
	sender, err := net.DialUDP("udp4", nil, sentinel.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	expr = fmt.Sprintf("(%s) or (udp and src port %d and dst port %d)", expr,
		sender.LocalAddr().(*net.UDPAddr).Port, sentinel.LocalAddr().(*net.UDPAddr).Port)
	file := filepath.Join(t.TempDir(), "ref.pcap")
	cmd := exec.Command(bin, "-i", "lo", "--immediate-mode", "-U", "-s", tcpdumpSnap, "-n", "-w", file, expr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready, all := make(chan string, 1), make(chan string, 1)
	go func() {
		buf := make([]byte, 4096)
		var got string
		listening := false
		for {
			n, err := stderr.Read(buf)
			got += string(buf[:n])
			if !listening && strings.Contains(got, "listening on") {
				listening = true
				ready <- ""
			}
			if err != nil {
				// Read through to the end, so tcpdump never blocks on
				// its stderr and its last counts are kept.
				if !listening {
					ready <- got
				}
				all <- got
				return
			}
		}
	}()
	select {
	case msg := <-ready:
		if msg != "" {
			cmd.Process.Kill()
			cmd.Wait()
			testenv.SkipOrFail(t, "tcpdump cannot capture here: "+msg)
		}
	case <-time.After(sockPeerTimeout):
		cmd.Process.Kill()
		t.Fatal("tcpdump never said it was listening")
	}
	r := &tcpdumpRun{t: t, cmd: cmd, file: file, bin: bin, sentinel: sentinel, sender: sender, stderr: all}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return r
}

// tcpdumpDropped is tcpdump's count, as it exits, of the packets the
// kernel took for it and could not keep (its ring was full).
var tcpdumpDropped = regexp.MustCompile(`(\d+) packets? dropped by kernel`)

// stop ends the capture and returns its packets as tcpdumpRead gives
// them, without the sentinel. Each packet the test waited for (a reply
// received, a refused connect's reset, an ICMP error) reached tcpdump's
// ring before the call that waited returned. So stop sends the sentinel,
// a datagram from one loopback socket to another, and stops tcpdump once
// the sentinel is in its file: tcpdump reads its ring in order and writes
// each packet as it reads it (-U), so every packet before the sentinel is
// in the file too. (Stopping tcpdump loses what it has not read yet.)
// stop fails when tcpdump says the kernel dropped a packet: the reference
// would lack it.
func (r *tcpdumpRun) stop() []string {
	r.t.Helper()
	const mark = "sockshell test sentinel"
	sentinel := fmt.Sprintf("%s > %s UDP %d", tcpdumpAddr(r.sender.LocalAddr().(*net.UDPAddr).AddrPort()),
		tcpdumpAddr(r.sentinel.LocalAddr().(*net.UDPAddr).AddrPort()), len(mark))
	seen := func() bool {
		// Sent again each look: a ring that was full (the count below
		// fails the test) may have dropped the last one.
		if _, err := r.sender.Write([]byte(mark)); err != nil {
			r.t.Fatal(err)
		}
		out, _ := exec.Command(r.bin, "-r", r.file, "-n").Output()
		return slices.Contains(tcpdumpParse(string(out)), sentinel)
	}
	// A guard against a hang, not a timing: tcpdump writes the sentinel
	// once it is scheduled.
	for deadline := time.Now().Add(sockPeerTimeout); !seen(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("tcpdump did not write the sentinel %q in %v", sentinel, sockPeerTimeout)
		}
	}
	r.cmd.Process.Signal(syscall.SIGINT)
	var stderr string
	select {
	case stderr = <-r.stderr:
	case <-time.After(sockPeerTimeout):
		r.t.Fatal("tcpdump did not stop")
	}
	r.cmd.Wait()
	m := tcpdumpDropped.FindStringSubmatch(stderr)
	if m == nil {
		r.t.Fatalf("tcpdump did not say how many packets the kernel dropped:\n%s", stderr)
	}
	if m[1] != "0" {
		r.t.Fatalf("tcpdump's reference lacks packets: its ring was full\n%s", stderr)
	}
	var pkts []string
	for _, p := range tcpdumpRead(r.t, r.bin, r.file) {
		if p != sentinel {
			pkts = append(pkts, p)
		}
	}
	return pkts
}

// tcpdumpLine picks, from tcpdump -r -n output, the addresses, the flags
// and the length of each packet.
var (
	tcpdumpTCP  = regexp.MustCompile(`IP6? (\S+) > (\S+): Flags \[([^\]]*)\].*length (\d+)`)
	tcpdumpUDP  = regexp.MustCompile(`IP6? (\S+) > (\S+): UDP, length (\d+)`)
	tcpdumpICMP = regexp.MustCompile(`IP6? (\S+) > (\S+): ICMP6? .*(?:udp port|port) (\S+) unreachable`)
)

// tcpdumpRead reads a pcap file with tcpdump -r and returns one line a
// packet: "SRC > DST FLAGS LEN" in tcpdump's spelling (127.0.0.1.7007).
func tcpdumpRead(t *testing.T, bin, file string) []string {
	t.Helper()
	out, err := exec.Command(bin, "-r", file, "-n").CombinedOutput()
	if err != nil {
		t.Fatalf("tcpdump -r %s: %v\n%s", file, err, out)
	}
	return tcpdumpParse(string(out))
}

func tcpdumpParse(out string) []string {
	var pkts []string
	for _, l := range strings.Split(out, "\n") {
		if m := tcpdumpTCP.FindStringSubmatch(l); m != nil {
			pkts = append(pkts, fmt.Sprintf("%s > %s [%s] %s", m[1], strings.TrimSuffix(m[2], ":"), m[3], m[4]))
		} else if m := tcpdumpUDP.FindStringSubmatch(l); m != nil {
			pkts = append(pkts, fmt.Sprintf("%s > %s UDP %s", m[1], m[2], m[3]))
		} else if m := tcpdumpICMP.FindStringSubmatch(l); m != nil {
			pkts = append(pkts, fmt.Sprintf("%s > %s unreachable %s", m[1], m[2], m[3]))
		}
	}
	return pkts
}

// tcpdumpFlags spells a packet event's flags as tcpdump does: S, S., P., R.
func tcpdumpFlags(flags string) string {
	bits := map[string]bool{}
	for _, f := range strings.Split(flags, ",") {
		bits[f] = true
	}
	s := ""
	for _, f := range []struct{ name, c string }{{"FIN", "F"}, {"SYN", "S"}, {"RST", "R"}, {"PSH", "P"}, {"ACK", "."}, {"URG", "U"}, {"ECE", "E"}, {"CWR", "W"}} {
		if bits[f.name] {
			s += f.c
		}
	}
	return s
}

func tcpdumpAddr(ap netip.AddrPort) string {
	return fmt.Sprintf("%s.%d", ap.Addr().Unmap(), ap.Port())
}

// wirePackets are the session's packet events in tcpdump's spelling.
func wirePackets(s *shell.Session) []string {
	var out []string
	for _, e := range s.Events().Recent(0) {
		if e.Kind != eventPacket {
			continue
		}
		get := func(k string) any { v, _ := e.Attr(k); return v }
		src, dst := get("src").(netip.AddrPort), get("dst").(netip.AddrPort)
		switch get("proto") {
		case "tcp":
			out = append(out, fmt.Sprintf("%s > %s [%s] %d", tcpdumpAddr(src), tcpdumpAddr(dst), tcpdumpFlags(get("flags").(string)), get("len")))
		case "udp":
			out = append(out, fmt.Sprintf("%s > %s UDP %d", tcpdumpAddr(src), tcpdumpAddr(dst), get("len")))
		case "icmp":
			out = append(out, fmt.Sprintf("%s > %s unreachable %s", src.Addr(), dst.Addr(), "PORT"))
		}
	}
	return out
}

// TestWireAgreesWithTcpdump runs a session's connect, echo exchange,
// half-close, refused connect, reset, UDP exchange and UDP send to a
// closed port with the wire on and tcpdump capturing loopback beside it:
// the shell's packets are tcpdump's (addresses, flags, lengths, order),
// tcpdump -r reads wire save's file as the same packets, and a socat pair
// on loopback that is not the session's never appears.
func TestWireAgreesWithTcpdump(t *testing.T) {
	ss := wireSession(t)
	_, tcpPort := ss.serve("echo 127.0.0.1:0")
	_, udpPort := ss.serve("echo 127.0.0.1:0 --udp")
	closedTCP := testenv.ClosedPort(t, "tcp4")
	closedUDP := testenv.ClosedPort(t, "udp4")
	// Another pair on loopback, not the session's: socat echoing to socat.
	socat := testenv.NeedPeer(t, "socat", "socat")
	_, otherPort := testenv.ListeningPeer(t, "tcp", socat, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port), "EXEC:cat"}
	})
	ref := startTcpdump(t, fmt.Sprintf("tcp port %d or udp port %d or tcp port %d or udp port %d or (icmp and icmp[30:2] = %d) or tcp port %d",
		tcpPort, udpPort, closedTCP, closedUDP, closedUDP, otherPort))
	other := exec.Command(socat, "-", fmt.Sprintf("TCP:127.0.0.1:%d", otherPort))
	other.Stdin = strings.NewReader("not the session's\n")
	if out, err := other.CombinedOutput(); err != nil {
		t.Fatalf("socat client: %v %s", err, out)
	}
	steps := []string{
		"socket tcp",
		fmt.Sprintf("connect s1 127.0.0.1 %d", tcpPort),
		`send s1 "hello\r\n"`,
		"recv s1 100",
		"shutdown s1 wr",
		"recv s1 100",
		"close s1",
		"socket tcp",
		"socket tcp",
		fmt.Sprintf("connect s3 127.0.0.1 %d", tcpPort),
		`setsockopt s3 SO_LINGER "1 0"`,
		"close s3",
		"socket udp",
		fmt.Sprintf("sendto s4 ping 127.0.0.1 %d", udpPort),
		"recvfrom s4 100",
		"socket udp",
		fmt.Sprintf("connect s5 127.0.0.1 %d", closedUDP),
		"send s5 x",
	}
	for _, st := range steps {
		ss.MustExec(st)
	}
	ss.AssertExecError(fmt.Sprintf("connect s2 127.0.0.1 %d", closedTCP), "ConnectionRefusedError")
	ss.AssertExecError("recv s5 10", "ConnectionRefusedError")
	notOther := func(p string) bool {
		return !strings.Contains(p, fmt.Sprintf(".%d ", otherPort)) && !strings.Contains(p, fmt.Sprintf(".%d [", otherPort))
	}
	want := ref.stop()
	// What the session's packets share with tcpdump's: its own only.
	var wantMine []string
	for _, p := range want {
		if notOther(p) {
			wantMine = append(wantMine, p)
		}
	}
	for i, p := range wantMine {
		// tcpdump names the port the ICMP is about; the event names addresses.
		if strings.Contains(p, " unreachable ") {
			if !strings.HasSuffix(p, fmt.Sprint(closedUDP)) {
				t.Fatalf("an ICMP error not about the test's closed port got into the reference: %s", p)
			}
			wantMine[i] = strings.TrimSuffix(p, fmt.Sprint(closedUDP)) + "PORT"
		}
	}
	// The wire keeps loopback's leaving copy of a packet, tcpdump the
	// arriving one, which the kernel hands over after it: every packet
	// tcpdump has before the sentinel is in the wire's ring. Its
	// goroutine may not have read them yet: read the ring through.
	wireOf(ss.Session).sync(nil)
	got := wirePackets(ss.Session)
	if strings.Join(got, "\n") != strings.Join(wantMine, "\n") {
		t.Errorf("the wire's packets differ from tcpdump's\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantMine, "\n"))
	}
	if len(got) < 20 {
		t.Errorf("only %d packets: the session's steps make more", len(got))
	}
	for _, p := range got {
		if strings.Contains(p, fmt.Sprintf(".%d ", otherPort)) {
			t.Errorf("a packet of the socat pair appeared: %s", p)
		}
	}
	if len(want) == len(wantMine) {
		t.Errorf("tcpdump saw no packet of the socat pair: the test shows nothing")
	}

	// wire save: tcpdump -r reads the same packets back.
	file := filepath.Join(t.TempDir(), "session.pcap")
	ss.MustExec("wire save " + file)
	saved := tcpdumpRead(t, ref.bin, file)
	for i, p := range saved {
		if strings.Contains(p, " unreachable ") {
			saved[i] = strings.TrimSuffix(p, fmt.Sprint(closedUDP)) + "PORT"
		}
	}
	if strings.Join(saved, "\n") != strings.Join(wantMine, "\n") {
		t.Errorf("tcpdump -r of wire save's file differs from the reference\n got:\n%s\nwant:\n%s", strings.Join(saved, "\n"), strings.Join(wantMine, "\n"))
	}
	ss.AssertExecError("wire save "+file, "FileExistsError")
	ss.MustExec("wire save " + file + " --force")
	if st, err := os.Stat(file); err != nil || st.Size() == 0 {
		t.Errorf("wire save --force: %v", err)
	}
}
