package commands

// Issue 14: hostile DNS servers. Small servers written here, on one
// loopback port for UDP and TCP, answer the dns command with what no real
// server sends: a name whose compression pointer points at itself (or two
// that point at each other), a UDP reply cut short with TC set (and then a
// TCP side that answers, cuts its reply short, or stalls), a reply cut
// short without TC. Each is one clear error (or, for TC, the question asked
// again over TCP, as resolvers do), Ctrl-C and timeouts bring the prompt
// back, and the shell goes on.

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/shell/testenv"
)

// dnsHostile serves one loopback port over UDP and TCP: udp gets each
// datagram's query and returns the reply's bytes (nil: none), tcp gets
// each connection and its query (nil: TCP is refused, as nothing listens).
func dnsHostile(t *testing.T, udp func(q *dns.Msg) []byte, tcp func(c net.Conn, q *dns.Msg)) string {
	t.Helper()
	var pc net.PacketConn
	var ln net.Listener
	for range 20 { // a port free for UDP may be taken for TCP: try another
		pc = testenv.ListenPacket(t, "udp")
		var err error
		if tcp != nil {
			ln, err = net.Listen("tcp", pc.LocalAddr().String())
		} else {
			// Nothing listens on the TCP port: a socket bound there
			// without listen, so the kernel answers a SYN with RST.
			err = refuseTCP(t, testenv.Port(pc.LocalAddr()))
		}
		if err == nil {
			break
		}
		pc.Close()
		pc = nil
	}
	if pc == nil {
		t.Fatal("no loopback port free for both UDP and TCP")
	}
	// The test waits, when it ends, for every goroutine of the server.
	var wg sync.WaitGroup
	t.Cleanup(func() {
		pc.Close()
		if ln != nil {
			ln.Close()
		}
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:n]) != nil {
				continue
			}
			if b := udp(q); b != nil {
				pc.WriteTo(b, from)
			}
		}
	}()
	if ln != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer c.Close()
					c.SetDeadline(time.Now().Add(30 * time.Second))
					var n [2]byte
					if _, err := io.ReadFull(c, n[:]); err != nil {
						return
					}
					b := make([]byte, binary.BigEndian.Uint16(n[:]))
					if _, err := io.ReadFull(c, b); err != nil {
						return
					}
					q := new(dns.Msg)
					if q.Unpack(b) == nil {
						tcp(c, q)
					}
				}()
			}
		}()
	}
	return pc.LocalAddr().String()
}

// refuseTCP holds the TCP port bound without listen until the test
// ends, so the kernel answers a SYN there with RST.
func refuseTCP(t *testing.T, port int) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return err
	}
	t.Cleanup(func() { syscall.Close(fd) })
	return nil
}

// dnsHeaderAndQuestion is a reply to q with its header and question only,
// flags as given, and ancount records to follow.
func dnsHeaderAndQuestion(q *dns.Msg, tc bool, ancount uint16) []byte {
	r := new(dns.Msg)
	r.SetReply(q)
	r.Extra = nil
	b, _ := r.Pack()
	if tc {
		b[2] |= 0x02
	}
	binary.BigEndian.PutUint16(b[6:], ancount)
	return b
}

// dnsBigTXT is a whole reply of eight 250-byte TXT records.
func dnsBigTXT(q *dns.Msg) []byte {
	r := new(dns.Msg)
	r.SetReply(q)
	r.Extra = nil
	for i := range 8 {
		r.Answer = append(r.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
			Txt: []string{string(rune('1'+i)) + strings.Repeat("x", 249)}})
	}
	b, _ := r.Pack()
	return b
}

// dnsTruncated is a reply cut in the middle of its records, TC set or not.
func dnsTruncated(q *dns.Msg, tc bool) []byte {
	b := dnsBigTXT(q)
	b = b[:len(b)/2]
	if tc {
		b[2] |= 0x02
	}
	return b
}

// dnsPointerLoop is a reply whose one answer's name is a compression
// pointer to itself (self) or to a second pointer that points back.
func dnsPointerLoop(q *dns.Msg, self bool) []byte {
	b := dnsHeaderAndQuestion(q, false, 1)
	at := len(b)
	if self {
		b = append(b, 0xc0|byte(at>>8), byte(at))
	} else {
		b = append(b, 0xc0|byte((at+2)>>8), byte(at+2), 0xc0|byte(at>>8), byte(at))
	}
	return append(b, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1) // A IN, TTL 60, 192.0.2.1
}

func tcpReply(c net.Conn, b []byte) {
	c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(b))))
	c.Write(b)
}

func TestDNSHostileServers(t *testing.T) {
	loopSelf := func(q *dns.Msg) []byte { return dnsPointerLoop(q, true) }
	loopTwo := func(q *dns.Msg) []byte { return dnsPointerLoop(q, false) }
	cutTC := func(q *dns.Msg) []byte { return dnsTruncated(q, true) }
	// The reply is shown as Python's bytes repr, which quotes with " when
	// the bytes hold a ' and no " (the reply's random ID can): either quote.
	cases := []struct {
		name      string
		udp       func(q *dns.Msg) []byte
		tcp       func(c net.Conn, q *dns.Msg)
		line      string // after "dns TXT x.sockshell.test --server ADDR"
		want      []string
		wantError bool
	}{
		{name: "pointer to itself", udp: loopSelf, wantError: true,
			want: []string{"dns.resolver.NoNameservers: All nameservers failed to answer the query x.sockshell.test. IN TXT: Server ", " sent a malformed reply: b", "compression pointers that lead back into themselves"}},
		{name: "two pointers in a loop", udp: loopTwo, wantError: true,
			want: []string{"sent a malformed reply", "compression pointers that lead back into themselves"}},
		{name: "pointer loop over TCP", udp: loopSelf, tcp: func(c net.Conn, q *dns.Msg) { tcpReply(c, dnsPointerLoop(q, true)) }, line: " --tcp", wantError: true,
			want: []string{"sent a malformed reply", "compression pointers that lead back into themselves"}},
		{name: "cut short without TC", udp: func(q *dns.Msg) []byte { return dnsTruncated(q, false) }, wantError: true,
			want: []string{"sent a malformed reply", "do not parse as a DNS message"}},
		{name: "cut short with TC, TCP answers", udp: cutTC, tcp: func(c net.Conn, q *dns.Msg) { tcpReply(c, dnsBigTXT(q)) },
			want: []string{"(tcp, from --server), NOERROR", "the UDP answer came back truncated (TC set), so the question was asked again over TCP", "| TXT  | \"8xxx"}},
		{name: "cut short with TC, nothing on TCP", udp: cutTC, wantError: true,
			want: []string{"(tcp) answered ConnectionRefusedError: [Errno 111] Connection refused", "nothing listens on that TCP port"}},
		{name: "cut short with TC, TCP cut short", udp: cutTC, wantError: true,
			tcp:  func(c net.Conn, q *dns.Msg) { b := dnsBigTXT(q); tcpReply(c, b); c.(*net.TCPConn).CloseWrite() },
			want: []string{}}, // replaced below: the TCP reply claims more than it sends
		{name: "cut short with TC, TCP stalls", udp: cutTC, wantError: true,
			tcp: func(c net.Conn, q *dns.Msg) {
				c.Write([]byte{0x10, 0x00, 0xab}) // 4096 bytes announced, one sent
				io.Copy(io.Discard, c)
			},
			want: []string{"dns.resolver.LifetimeTimeout: The resolution lifetime expired after", "nothing came back"}},
	}
	// The cut TCP reply: its length says 4096, 1000 bytes follow, then FIN.
	cases[6].tcp = func(c net.Conn, q *dns.Msg) {
		c.Write([]byte{0x10, 0x00})
		c.Write(dnsBigTXT(q)[:1000])
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
	}
	cases[6].want = []string{"dns.resolver.NoNameservers: All nameservers failed to answer the query x.sockshell.test. IN TXT: Server ", "(tcp) answered EOFError: the server closed the connection after 1000 of the 4096 bytes its length prefix announced", "before the whole message it announced"}
	tm := newTerm(t)
	tm.MustExec("set timeout 1")
	for _, c := range cases {
		addr := dnsHostile(t, c.udp, c.tcp)
		line := "dns TXT x.sockshell.test --server " + addr + c.line
		out, errs := tm.Exec(line)
		got := out + errs
		if c.wantError != (errs != "") {
			t.Errorf("%s: %s: error %v, want %v:\n%s", c.name, line, errs != "", c.wantError, got)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: want %q in\n%s", c.name, w, got)
			}
		}
		if c.wantError {
			if n := strings.Count(strings.TrimSpace(errs), "\n"); n != 1 {
				t.Errorf("%s: want one error line and its hint, got\n%s", c.name, errs)
			}
		}
		if r, bad := terminalUnsafe(got); bad {
			t.Errorf("%s: wrote %U:\n%q", c.name, r, got)
		}
		// The shell goes on.
		tm.AssertExec("set timeout", "timeout = 1\n")
	}
}

// TestDNSHostileCtrlC: a TCP side that announces a reply and stalls is
// ended by Ctrl-C, with no timeout set.
func TestDNSHostileCtrlC(t *testing.T) {
	stalled := make(chan struct{}, 1)
	addr := dnsHostile(t, func(q *dns.Msg) []byte { return dnsTruncated(q, true) }, func(c net.Conn, q *dns.Msg) {
		c.Write([]byte{0x10, 0x00, 0xab})
		stalled <- struct{}{}
		io.Copy(io.Discard, c)
	})
	tm := newTerm(t)
	tm.MustExec("set timeout none")
	run := tm.Start("dns TXT x.sockshell.test --server " + addr)
	sockWait(t, stalled, "the TCP query")
	tm.Session.Interrupt()
	errs := sockWait(t, run.Done(), "Ctrl-C to end the query")
	if !strings.HasPrefix(errs, "KeyboardInterrupt") {
		t.Errorf("Ctrl-C: %q, want KeyboardInterrupt", errs)
	}
	tm.AssertExec("set timeout", "timeout = none\n")
}
