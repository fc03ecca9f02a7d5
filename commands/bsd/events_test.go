package bsd

import (
	"bytes"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// recorder collects the events reported to it, from any goroutine.
type recorder struct {
	mu  sync.Mutex
	evs []Event
}

func (r *recorder) report(e Event) {
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

// take returns the events so far and forgets them.
func (r *recorder) take() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	evs := r.evs
	r.evs = nil
	return evs
}

// kinds spells the events' kinds, with the socket each happened to as
// names gives it: "c:connected s:received".
func kinds(evs []Event, names map[*Socket]string) string {
	var out []string
	for _, e := range evs {
		out = append(out, names[e.Socket]+":"+e.Kind.String())
	}
	return strings.Join(out, " ")
}

// reported makes a socket whose events go to r, closed at the end of the test.
func reported(t *testing.T, r *recorder, family, sotype int) *Socket {
	t.Helper()
	s, err := Config{Report: r.report}.New(family, sotype)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestEventsLifeCycle: a connection's whole life, both ends, reported as
// typed events in the order it happened, with the addresses, byte counts
// and halves the calls saw; the accepted socket reports to its listener's
// callback.
func TestEventsLifeCycle(t *testing.T) {
	r := &recorder{}
	l := reported(t, r, unix.AF_INET, unix.SOCK_STREAM)
	if err := l.Bind(lo4, 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(5); err != nil {
		t.Fatal(err)
	}
	lname, _ := l.SockName()
	c := reported(t, r, unix.AF_INET, unix.SOCK_STREAM)
	if err := c.Connect(ctxT(t), lo4, int(lname.Port())); err != nil {
		t.Fatal(err)
	}
	srv, from, err := l.Accept(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cname := localOf(t, c, srv)
	if _, err := c.SendAll(ctxT(t), []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if p, err := srv.Recv(ctxT(t), 100); err != nil || string(p) != "hello" {
		t.Fatalf("recv %q, %v", p, err)
	}
	if err := c.Shutdown("wr"); err != nil {
		t.Fatal(err)
	}
	if p, err := srv.Recv(ctxT(t), 100); err != nil || len(p) != 0 {
		t.Fatalf("recv after FIN %q, %v", p, err)
	}
	// A second b'' is no news of the peer: no second peer_closed.
	if p, err := srv.Recv(ctxT(t), 100); err != nil || len(p) != 0 {
		t.Fatalf("second recv after FIN %q, %v", p, err)
	}
	if _, err := srv.Send(ctxT(t), []byte("bye")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	evs := r.take()
	names := map[*Socket]string{l: "l", c: "c", srv: "srv"}
	want := "l:created l:bound l:listening c:created c:connected l:accepted c:sent srv:received " +
		"c:shutdown srv:received srv:peer_closed srv:received srv:sent c:closed"
	if got := kinds(evs, names); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	at := func(i int) Event { return evs[i] }
	if e := at(1); e.Local != lname.AddrPort {
		t.Errorf("bound %v, want %v", e.Local, lname.AddrPort)
	}
	if e := at(2); e.Local != lname.AddrPort || e.Backlog != 5 {
		t.Errorf("listening %v backlog %d", e.Local, e.Backlog)
	}
	if e := at(4); e.Peer != lname.AddrPort || e.Local != cname {
		t.Errorf("connected to %v from %v, want %v from %v", e.Peer, e.Local, lname.AddrPort, cname)
	}
	if e := at(5); e.Conn != srv || e.Peer != from || e.Peer != cname || e.Local != lname.AddrPort {
		t.Errorf("accepted %+v, want the new socket, peer %v", e, cname)
	}
	if e := at(6); e.Op != "sendall" || e.Bytes != 5 || e.Err != nil {
		t.Errorf("sent %+v", e)
	}
	if e := at(7); e.Op != "recv" || e.Bytes != 5 {
		t.Errorf("received %+v", e)
	}
	if e := at(8); e.How != "SHUT_WR" {
		t.Errorf("shutdown %+v", e)
	}
	if e := at(9); e.Bytes != 0 || e.Op != "recv" {
		t.Errorf("received b'' %+v", e)
	}
	if e := at(10); e.Op != "recv" || e.Socket != srv {
		t.Errorf("peer_closed %+v", e)
	}
	if e := at(13); e.BytesSent != 5 || e.BytesReceived != 0 || e.FD < 0 || e.Err != nil {
		t.Errorf("closed %+v", e)
	}
	for _, e := range evs {
		if e.Time.IsZero() || e.FD != e.Socket.fd {
			t.Errorf("%s: time %v, fd %d (socket's %d)", e.Kind, e.Time, e.FD, e.Socket.fd)
		}
	}
	if s := at(4).String(); s != "connected to "+lname.AddrPort.String()+" from "+cname.String() {
		t.Errorf("connected reads %q", s)
	}
	if s := at(13).String(); s != "closed (5 bytes sent, 0 bytes received)" {
		t.Errorf("closed reads %q", s)
	}
}

// localOf is c's local address, which srv, its peer, sees too.
func localOf(t *testing.T, c, srv *Socket) netip.AddrPort {
	t.Helper()
	name, err := c.SockName()
	if err != nil {
		t.Fatal(err)
	}
	peer, err := srv.PeerName()
	if err != nil || peer.AddrPort != name.AddrPort {
		t.Fatalf("server's peer %v, %v; client's name %v", peer, err, name)
	}
	return name.AddrPort
}

// TestEventsConnectRefused: a connect the kernel refuses is reported with
// its errno and the address it tried; no connected event.
func TestEventsConnectRefused(t *testing.T) {
	// A bound socket that does not listen holds a port nobody else can
	// take: a connect to it is refused.
	hold := open(t, unix.AF_INET, unix.SOCK_STREAM)
	if err := hold.Bind(lo4, 0); err != nil {
		t.Fatal(err)
	}
	name, _ := hold.SockName()
	r := &recorder{}
	c := reported(t, r, unix.AF_INET, unix.SOCK_STREAM)
	err := c.Connect(ctxT(t), lo4, int(name.Port()))
	if e, ok := errnoOf(err); !ok || e != unix.ECONNREFUSED {
		t.Fatalf("connect: %v, want ECONNREFUSED", err)
	}
	evs := r.take()
	if got := kinds(evs, map[*Socket]string{c: "c"}); got != "c:created c:connect_failed" {
		t.Fatalf("events %s", got)
	}
	e := evs[1]
	if errno, ok := e.Errno(); !ok || errno != unix.ECONNREFUSED || e.Peer != name.AddrPort {
		t.Errorf("connect_failed %+v (errno %v)", e, errno)
	}
	want := "connect to " + name.AddrPort.String() + " failed: ConnectionRefusedError: [Errno 111] Connection refused"
	if e.String() != want {
		t.Errorf("reads %q, want %q", e.String(), want)
	}
}

// TestEventsPeerReset: a reset from the peer is reported once, with the
// call that met it and its errno.
func TestEventsPeerReset(t *testing.T) {
	r := &recorder{}
	l := reported(t, r, unix.AF_INET, unix.SOCK_STREAM)
	if err := l.Bind(lo4, 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(1); err != nil {
		t.Fatal(err)
	}
	lname, _ := l.SockName()
	peer := open(t, unix.AF_INET, unix.SOCK_STREAM) // not reported
	if err := peer.Connect(ctxT(t), lo4, int(lname.Port())); err != nil {
		t.Fatal(err)
	}
	srv, _, err := l.Accept(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// SO_LINGER with a zero time: close sends RST instead of FIN.
	if err := peer.control(func(fd int) error {
		return unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	}); err != nil {
		t.Fatal(err)
	}
	peer.Close()
	r.take()
	_, err = srv.Recv(ctxT(t), 10)
	if e, ok := errnoOf(err); !ok || e != unix.ECONNRESET {
		t.Fatalf("recv: %v, want ECONNRESET", err)
	}
	srv.Recv(ctxT(t), 10) // b'' after the reset: no news
	evs := r.take()
	if got := kinds(evs, map[*Socket]string{srv: "srv"}); got != "srv:peer_reset srv:received" {
		t.Fatalf("events %s", got)
	}
	if errno, _ := evs[0].Errno(); errno != unix.ECONNRESET || evs[0].Op != "recv" {
		t.Errorf("peer_reset %+v", evs[0])
	}
}

// TestEventsOnePerCall: a call that makes many system calls (sendall
// through a small send buffer, recv until end of file in 64 KiB reads)
// is one event with the call's whole byte count.
func TestEventsOnePerCall(t *testing.T) {
	r := &recorder{}
	client, server := pair(t, unix.AF_INET)
	c, err := Config{Report: r.report}.FromFD(client.FD(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client.Close()
	s, err := Config{Report: r.report}.FromFD(server.FD(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	server.Close()
	if err := c.control(func(fd int) error { return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096) }); err != nil {
		t.Fatal(err)
	}
	if got := kinds(r.take(), map[*Socket]string{c: "c", s: "s"}); got != "c:created s:created" {
		t.Fatalf("events %s", got)
	}
	const size = 1 << 20
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	recvTr, sendTr := NewTrace(), NewTrace()
	c.SetTrace(sendTr)
	s.SetTrace(recvTr)
	var got bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := s.RecvInto(ctxT(t), &got)
		done <- err
	}()
	if _, err := c.SendAll(ctxT(t), data); err != nil {
		t.Fatal(err)
	}
	if err := c.Shutdown("wr"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("received %d bytes, not what was sent", got.Len())
	}
	if n := calls(sendTr, "sendto"); n < 2 {
		t.Fatalf("sendall made %d sendto calls; the test needs several", n)
	}
	if n := calls(recvTr, "recvfrom"); n < size/streamChunk {
		t.Fatalf("RecvInto made %d recvfrom calls, fewer than %d", n, size/streamChunk)
	}
	evs := r.take()
	if got := kinds(evs, map[*Socket]string{c: "c", s: "s"}); got != "c:sent c:shutdown s:received s:peer_closed" {
		t.Fatalf("events %s", got)
	}
	if evs[0].Bytes != size || evs[2].Bytes != size {
		t.Errorf("sent %d, received %d, want %d each", evs[0].Bytes, evs[2].Bytes, size)
	}
	if evs[0].String() != "sent 1048576 bytes with sendall" {
		t.Errorf("sent reads %q", evs[0].String())
	}
	// fromfd's events say where the socket came from.
	s2, err := Config{Report: r.report}.FromFD(s.FD(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	evs = r.take()
	if len(evs) != 2 || evs[0].Kind != EventCreated || evs[0].Op != "fromfd" || evs[0].FromFD != s.FD() ||
		!strings.HasPrefix(evs[0].String(), "made from fd ") || evs[1].Kind != EventClosed {
		t.Errorf("fromfd events %+v", evs)
	}
}

// calls counts the successful system calls named name in a trace.
func calls(tr *Trace, name string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, e := range tr.entries {
		if callName(e.call) == name && e.counts {
			n += e.count
		}
	}
	return n
}
