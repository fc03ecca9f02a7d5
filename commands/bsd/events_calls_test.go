package bsd

// Events of datagram calls, of a socket made without a callback, of the
// calls inside a Gather, and the outbound hook before a call.

import (
	"io"
	"net/netip"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// TestEventsDatagram: sendto and recvfrom report the datagram's address.
func TestEventsDatagram(t *testing.T) {
	r := &recorder{}
	a := reported(t, r, unix.AF_INET, unix.SOCK_DGRAM)
	b := reported(t, r, unix.AF_INET, unix.SOCK_DGRAM)
	for _, s := range []*Socket{a, b} {
		if err := s.Bind(lo4, 0); err != nil {
			t.Fatal(err)
		}
	}
	an, _ := a.SockName()
	bn, _ := b.SockName()
	r.take()
	if _, err := a.SendTo(ctxT(t), []byte("ping"), lo4, int(bn.Port())); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.RecvFrom(ctxT(t), 100); err != nil {
		t.Fatal(err)
	}
	evs := r.take()
	if got := kinds(evs, map[*Socket]string{a: "a", b: "b"}); got != "a:sent b:received" {
		t.Fatalf("events %s", got)
	}
	if evs[0].Peer != bn.AddrPort || evs[0].Bytes != 4 || evs[0].Op != "sendto" ||
		evs[1].Peer != an.AddrPort || evs[1].Bytes != 4 || evs[1].Op != "recvfrom" {
		t.Errorf("events %+v", evs)
	}
}

// TestNoReportNoEvents: a socket made without a callback reports
// nothing, and works the same (the package's New, FromFD and Accept).
func TestNoReportNoEvents(t *testing.T) {
	client, server := pair(t, unix.AF_INET)
	if client.report != nil || server.report != nil {
		t.Fatal("a socket made without Config.Report has a callback")
	}
	if _, err := client.SendAll(ctxT(t), []byte("x")); err != nil {
		t.Fatal(err)
	}
	client.Shutdown("wr")
	n, err := server.RecvInto(ctxT(t), io.Discard)
	if n != 1 || err != nil {
		t.Fatalf("RecvInto %d, %v", n, err)
	}
}

// TestEventsGather: the calls inside a Gather are one event each way,
// with their totals and the number of calls, then the peer's news; calls
// after the end report one by one again.
func TestEventsGather(t *testing.T) {
	r := &recorder{}
	client, server := pair(t, unix.AF_INET)
	c, err := Config{Report: r.report}.FromFD(client.FD(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client.Close()
	r.take()
	end := c.Gather()
	inner := c.Gather() // nested: the outer one reports
	for _, m := range []string{"GET ", "/ ", "\r\n"} {
		if _, err := c.SendAll(ctxT(t), []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := server.SendAll(ctxT(t), []byte("reply")); err != nil {
		t.Fatal(err)
	}
	server.Shutdown("wr")
	var got []byte
	for {
		p, err := c.Recv(ctxT(t), 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) == 0 {
			break
		}
		got = append(got, p...)
	}
	inner()
	if evs := r.take(); len(evs) != 0 {
		t.Fatalf("events before the end: %s", kinds(evs, map[*Socket]string{c: "c"}))
	}
	end()
	evs := r.take()
	if k := kinds(evs, map[*Socket]string{c: "c"}); k != "c:sent c:received c:peer_closed" {
		t.Fatalf("events %s", k)
	}
	if e := evs[0]; e.Bytes != 8 || e.Calls != 3 || e.Op != "sendall" || e.String() != "sent 8 bytes in 3 sendall calls" {
		t.Errorf("sent %+v: %q", e, e.String())
	}
	recvs := (len(got)+1)/2 + 1 // two bytes a recv at most, then b''
	if e := evs[1]; e.Bytes != 5 || e.Calls < recvs || e.Op != "recv" {
		t.Errorf("received %+v, want 5 bytes in at least %d calls", e, recvs)
	}
	end() // twice: nothing more
	c.Send(ctxT(t), []byte("x"))
	if k := kinds(r.take(), map[*Socket]string{c: "c"}); k != "c:sent" {
		t.Errorf("after the end: %s", k)
	}
}

// TestOutboundBeforeTheCall: Config.Outbound hears of a connect's and a
// sendto's peer before the call puts a packet on the wire (the socket is
// not connected yet, nothing was sent).
func TestOutboundBeforeTheCall(t *testing.T) {
	type heard struct {
		peer      netip.AddrPort
		connected bool
		sent      int64
	}
	var mu sync.Mutex
	var got []heard
	cfg := Config{Outbound: func(s *Socket, peer netip.AddrPort) {
		_, err := s.PeerName()
		mu.Lock()
		got = append(got, heard{peer, err == nil, s.Sent()})
		mu.Unlock()
	}}
	lis := open(t, unix.AF_INET, unix.SOCK_STREAM)
	if err := lis.Bind(lo4, 0); err != nil {
		t.Fatal(err)
	}
	if err := lis.Listen(1); err != nil {
		t.Fatal(err)
	}
	name, _ := lis.SockName()
	c, err := cfg.New(unix.AF_INET, unix.SOCK_STREAM)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Connect(ctxT(t), lo4, int(name.Port())); err != nil {
		t.Fatal(err)
	}
	u, err := cfg.New(unix.AF_INET, unix.SOCK_DGRAM)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if _, err := u.SendTo(ctxT(t), []byte("x"), lo4, int(name.Port())); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []heard{{name.AddrPort, false, 0}, {name.AddrPort, false, 0}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Outbound heard %+v, want %+v", got, want)
	}
}
