package demo

// Issue 7: the log says how each connection ended, and whose doing it was;
// one byte is "1 byte".

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// logSink collects a server's events, as the words of its log lines.
type logSink struct {
	mu     sync.Mutex
	lines  []string
	events []Event
}

func (l *logSink) log(e Event) {
	l.mu.Lock()
	l.lines = append(l.lines, e.String())
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *logSink) all() string { l.mu.Lock(); defer l.mu.Unlock(); return strings.Join(l.lines, "\n") }

// waitIdle waits until the server has no connection open.
func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.Stats().Active != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a connection is still open: %+v", s.Stats())
		}
	}
}

func TestLogSaysHowConnectionsEnded(t *testing.T) {
	var logs logSink
	s := start(t, "echo", Options{Report: logs.log})

	// The client's FIN.
	c := dial(t, s)
	c.Write([]byte("x"))
	c.Read(make([]byte, 1))
	peer := c.LocalAddr().String()
	c.Close()
	waitIdle(t, s)
	if want := "closed " + peer + " after its FIN (1 byte in, 1 byte out)"; !strings.Contains(logs.all(), want) {
		t.Errorf("log after the client's close: %q, want %q", logs.all(), want)
	}

	// The client's reset.
	c = dial(t, s)
	c.Write([]byte("xy"))
	c.Read(make([]byte, 2))
	peer = c.LocalAddr().String()
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	waitIdle(t, s)
	if want := peer + " reset the connection (2 bytes in, 2 bytes out)"; !strings.Contains(logs.all(), want) {
		t.Errorf("log after the client's reset: %q, want %q", logs.all(), want)
	}

	// The server's stop, with the client still connected.
	c = dial(t, s)
	c.Write([]byte("z"))
	c.Read(make([]byte, 1))
	peer = c.LocalAddr().String()
	s.Stop()
	if want := "closed " + peer + ": the server stopped (1 byte in, 1 byte out)"; !strings.Contains(logs.all(), want) {
		t.Errorf("log after stop: %q, want %q", logs.all(), want)
	}

	// The same, as data: the kinds in order, and each closing's fields.
	logs.mu.Lock()
	defer logs.mu.Unlock()
	var kinds []string
	var closed []Event
	for _, e := range logs.events {
		kinds = append(kinds, e.Kind.String())
		if e.Kind == Closed {
			closed = append(closed, e)
		}
		if e.Server != "echo" || e.Addr.String() != s.Addr() || e.Time.IsZero() {
			t.Errorf("event %+v: want server echo at %s, with its time", e, s.Addr())
		}
	}
	want := "listening connection_accepted connection_closed connection_accepted connection_closed connection_accepted connection_closed stopped"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if len(closed) == 3 {
		for i, w := range []struct {
			end     End
			in, out int64
		}{{EndFIN, 1, 1}, {EndReset, 2, 2}, {EndStopped, 1, 1}} {
			if e := closed[i]; e.End != w.end || e.BytesIn != w.in || e.BytesOut != w.out || !e.Peer.IsValid() {
				t.Errorf("closing %d: %+v, want end %v, %d in, %d out", i, e, w.end, w.in, w.out)
			}
		}
	}
}

// The daytime server closes the connection itself, after its one line.
func TestLogDaytimeClosesItself(t *testing.T) {
	var logs logSink
	s := start(t, "daytime", Options{Report: logs.log})
	c := dial(t, s)
	peer := c.LocalAddr().String()
	buf := make([]byte, 100)
	for {
		if _, err := c.Read(buf); err != nil {
			break
		}
	}
	waitIdle(t, s)
	if want := "sent its reply to " + peer + " and closed the connection"; !strings.Contains(logs.all(), want) {
		t.Errorf("daytime log: %q, want %q", logs.all(), want)
	}
}

// sendForged sends one UDP datagram to dst whose source port is srcPort
// and whose source address is 127.0.0.1 (the kernel fills in the IP
// header of a raw IPPROTO_UDP socket; the UDP header is ours). It needs
// CAP_NET_RAW; without it the test skips.
func sendForged(t *testing.T, srcPort uint16, dst netip.AddrPort, payload []byte) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		t.Skipf("a raw socket to forge a datagram needs CAP_NET_RAW: %v", err)
	}
	defer unix.Close(fd)
	pkt := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(pkt[0:], srcPort)
	binary.BigEndian.PutUint16(pkt[2:], dst.Port())
	binary.BigEndian.PutUint16(pkt[4:], uint16(len(pkt)))
	// Checksum 0: none, which IPv4 allows.
	copy(pkt[8:], payload)
	if err := unix.Sendto(fd, pkt, 0, &unix.SockaddrInet4{Addr: dst.Addr().As4()}); err != nil {
		t.Fatal(err)
	}
}

// roundTrip sends msg from a fresh client and waits for the echo: once it
// is back, every datagram queued before it has been handled.
func roundTrip(t *testing.T, s *Server, msg string) {
	t.Helper()
	c, err := net.Dial("udp4", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	before := s.Stats().BytesOut
	c.Write([]byte(msg))
	buf := make([]byte, 100)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != msg {
		t.Fatalf("echo of %q: %q, %v", msg, buf[:n], err)
	}
	// The server counts a reply just after sending it.
	for deadline := time.Now().Add(10 * time.Second); s.Stats().BytesOut < before+int64(n); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the reply was never counted: %+v", s.Stats())
		}
	}
}

// A datagram forged to come from the UDP echo server itself is dropped,
// not answered (which would loop forever); so is one from chargen's port.
func TestUDPLoopGuard(t *testing.T) {
	var logs logSink
	s := start(t, "echo/udp", Options{Report: logs.log})
	self := netip.MustParseAddrPort(s.Addr())
	sendForged(t, self.Port(), self, []byte("loop me"))
	roundTrip(t, s, "hi")
	st := s.Stats()
	if st.Datagrams != 2 || st.Dropped != 1 || st.BytesOut != 2 {
		t.Errorf("after a datagram from its own address and one real one: %+v; want 2 datagrams, 1 dropped, 2 bytes out", st)
	}
	if want := fmt.Sprintf("dropped a datagram from %s unanswered: it comes from the server's own address (answering would loop forever)", self); !strings.Contains(logs.all(), want) {
		t.Errorf("log %q, want %q", logs.all(), want)
	}
	sendForged(t, 19, self, nil)
	roundTrip(t, s, "ho")
	if st := s.Stats(); st.Datagrams != 4 || st.Dropped != 2 || st.BytesOut != 4 {
		t.Errorf("after a datagram from port 19: %+v", st)
	}
	if want := "dropped a datagram from 127.0.0.1:19 unanswered: it comes from chargen's well-known port"; !strings.Contains(logs.all(), want) {
		t.Errorf("log %q, want %q", logs.all(), want)
	}
}

// Two UDP demo servers of one process never answer each other: a
// datagram forged from one to the other is dropped, not bounced.
func TestUDPServersDoNotAnswerEachOther(t *testing.T) {
	echo := start(t, "echo/udp", Options{})
	chargen := start(t, "chargen/udp", Options{})
	sendForged(t, netip.MustParseAddrPort(chargen.Addr()).Port(), netip.MustParseAddrPort(echo.Addr()), []byte("ping"))
	roundTrip(t, echo, "hi")
	if st := echo.Stats(); st.Dropped != 1 || st.BytesOut != 2 {
		t.Errorf("echo: %+v", st)
	}
	if st := chargen.Stats(); st.Datagrams != 0 {
		t.Errorf("chargen got %d datagrams", st.Datagrams)
	}
}

// One peer gets at most a burst of replies and then the rate; the rest
// is dropped. The bound is checked against the time the sends really
// took, so a slow machine only allows more, never fails the test.
func TestUDPReplyRateLimit(t *testing.T) {
	const rate, burst, sent = 20, 20, 400
	s := start(t, "echo/udp", Options{ReplyRate: rate, ReplyBurst: burst})
	c, err := net.Dial("udp4", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	begin := time.Now()
	for i := 1; i <= sent; i++ {
		c.Write([]byte("x"))
		// One at a time, so no datagram is lost in a full buffer.
		for deadline := time.Now().Add(10 * time.Second); s.Stats().Datagrams < int64(i); time.Sleep(20 * time.Microsecond) {
			if time.Now().After(deadline) {
				t.Fatalf("datagram %d never arrived: %+v", i, s.Stats())
			}
		}
	}
	elapsed := time.Since(begin)
	st := s.Stats()
	replies := st.BytesOut
	allowed := burst + int64(rate*elapsed.Seconds()) + 1
	t.Logf("%d datagrams in %v: %d replies, %d dropped (at most %d allowed)", sent, elapsed, replies, st.Dropped, allowed)
	if replies > allowed || replies+st.Dropped != sent {
		t.Errorf("%d replies and %d dropped of %d in %v; at most %d replies allowed", replies, st.Dropped, sent, elapsed, allowed)
	}
	if replies < burst {
		t.Errorf("only %d replies: the burst of %d was not answered", replies, burst)
	}
}
