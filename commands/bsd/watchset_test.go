package bsd

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// connected is a TCP socket connected to a loopback listener, and the
// peer's end.
func connected(t *testing.T, ln net.Listener) (*Socket, net.Conn) {
	t.Helper()
	s, err := New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Connect(ctx, ap.Addr(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	return s, peer
}

// TestWatchSetWakes: the edge-triggered set wakes once per arrival (data,
// the peer's FIN), not again for data left waiting, returns at once after
// Stop until Rearm, and reads nothing: recv gets every byte afterwards.
func TestWatchSetWakes(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	s, peer := connected(t, ln)
	w, err := NewWatchSet()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if !w.Add(s, 7) {
		t.Fatal("Add refused an open socket")
	}
	const long = 10 * time.Second // a guard against a hang only
	if _, news := w.Wait(20 * time.Millisecond); news {
		t.Error("news with nothing sent")
	}
	peer.Write([]byte("x"))
	if _, news := w.Wait(long); !news {
		t.Fatal("no news after the peer sent")
	}
	if _, news := w.Wait(20 * time.Millisecond); news {
		t.Error("news again for the same byte waiting (not edge-triggered)")
	}
	peer.Write([]byte("y"))
	if _, news := w.Wait(long); !news {
		t.Fatal("no news after the peer sent more")
	}
	peer.(*net.TCPConn).CloseWrite()
	if _, news := w.Wait(long); !news {
		t.Fatal("no news after the peer's FIN")
	}
	w.Stop()
	if stopped, _ := w.Wait(long); !stopped {
		t.Error("Wait after Stop did not say stopped")
	}
	if stopped, _ := w.Wait(0); !stopped {
		t.Error("a second Wait after Stop did not say stopped")
	}
	w.Rearm()
	if stopped, _ := w.Wait(20 * time.Millisecond); stopped {
		t.Error("Wait after Rearm still says stopped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := s.Recv(ctx, 10)
	for err == nil && len(got) < 2 {
		var more []byte
		more, err = s.Recv(ctx, 10)
		if len(more) == 0 {
			break
		}
		got = append(got, more...)
	}
	if string(got) != "xy" || err != nil {
		t.Errorf("recv after the set: %q, %v; want \"xy\"", got, err)
	}
}

// TestWatchSetGlanceIsPoll: the level-triggered set's one answer gives
// each socket the Glance its own poll gives (data waiting, the peer's FIN,
// a reset, a listener's queue, a datagram and its source, nothing), asked
// twice (level-triggered: what waits is reported again); a closed socket
// leaves the set by itself, and a removed one is no longer reported.
func TestWatchSetGlanceIsPoll(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	data, dataPeer := connected(t, ln)
	dataPeer.Write([]byte("hello"))
	fin, finPeer := connected(t, ln)
	finPeer.(*net.TCPConn).CloseWrite()
	reset, resetPeer := connected(t, ln)
	resetPeer.(*net.TCPConn).SetLinger(0)
	resetPeer.Close()
	idle, _ := connected(t, ln)
	listener, err := New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	if err := listener.Bind(netip.MustParseAddr("127.0.0.1"), 0); err != nil {
		t.Fatal(err)
	}
	if err := listener.Listen(5); err != nil {
		t.Fatal(err)
	}
	la, _ := listener.SockName()
	c, err := net.Dial("tcp", la.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	udp, err := New(unix.AF_INET, unix.SOCK_DGRAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	if err := udp.Bind(netip.MustParseAddr("127.0.0.1"), 0); err != nil {
		t.Fatal(err)
	}
	ua, _ := udp.SockName()
	uc, err := net.Dial("udp", ua.String())
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	uc.Write([]byte("datagram"))
	quiet, err := New(unix.AF_INET, unix.SOCK_DGRAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Close()
	closed, _ := connected(t, ln)

	socks := []*Socket{data, fin, reset, idle, listener, udp, quiet, closed}
	names := []string{"data", "fin", "reset", "idle", "listener", "udp", "quiet", "closed"}
	w, err := NewWatchSet()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i, s := range socks {
		if !w.Add(s, int32(i)) {
			t.Fatalf("%s: Add refused", names[i])
		}
	}
	closed.Close()
	// Let every arrival land: the FIN, the reset, the connection, the
	// datagram (each glance below is compared with a poll made after it).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		g1, _ := fin.Glance()
		g2, _ := reset.Glance()
		g3, _ := listener.Glance()
		g4, _ := udp.Glance()
		g5, _ := data.Glance()
		if g1.FIN && g2.Error && g3.Pending == 1 && g4.HasFrom && g5.Waiting == 5 {
			break
		}
	}
	for round := 0; round < 2; round++ {
		ready := map[int32]uint32{}
		if !w.Ready(len(socks), func(tok int32, ev uint32) { ready[tok] = ev }) {
			t.Fatal("Ready: no complete answer")
		}
		if _, ok := ready[7]; ok {
			t.Error("the closed socket is still reported")
		}
		for i, s := range socks[:7] {
			got, ok := w.Glance(s, ready[int32(i)])
			want, _ := s.Glance()
			if !ok || got != want {
				t.Errorf("round %d, %s: from the set %+v (%v), its own poll %+v", round, names[i], got, ok, want)
			}
		}
		if _, ok := w.Glance(closed, 0); ok {
			t.Error("Glance of a closed socket said ok")
		}
	}
	for _, s := range []*Socket{data, fin, reset, listener, udp} {
		if g, _ := s.Glance(); g == (Glance{TCP: g.TCP, Stream: g.Stream, State: g.State}) {
			t.Errorf("a socket with news glanced as nothing: %+v", g)
		}
	}
	w.Remove(data)
	ready := map[int32]uint32{}
	w.Ready(len(socks), func(tok int32, ev uint32) { ready[tok] = ev })
	if _, ok := ready[0]; ok {
		t.Error("a removed socket is still reported")
	}
	if _, ok := ready[1]; !ok {
		t.Error("the FIN is no longer reported after another socket was removed")
	}
}
