package demo

// The UDP servers' guard (guard.go): datagrams from the server's own
// address, from the other demo servers and from the small services' ports
// are dropped unanswered, and each peer is answered at a bounded rate.

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

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
	// The server counts a datagram as it reads it, and its reply or drop
	// just after: wait for the last one's outcome to be counted.
	st := s.Stats()
	for deadline := time.Now().Add(10 * time.Second); st.BytesOut+st.Dropped < sent && time.Now().Before(deadline); st = s.Stats() {
		time.Sleep(time.Millisecond)
	}
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
