package bsd

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// An untraced loopback TCP connect is told established by the one
// TCP_INFO read of establishedNow (conn.go), which also keeps the RTT for
// HandshakeRTT: the test fails when Connect leaves that read out (no RTT
// kept) or when the read's answer disagrees with getpeername's (a state
// counted connected that getpeername refuses, or the other way round).
func TestConnectEstablishedNow(t *testing.T) {
	for _, fam := range []struct {
		network string
		family  int
	}{{"tcp4", unix.AF_INET}, {"tcp6", unix.AF_INET6}} {
		t.Run(fam.network, func(t *testing.T) {
			l := testenv.Listen(t, fam.network)
			port := l.Addr().(*net.TCPAddr).Port
			accepted := make(chan net.Conn, 1)
			go func() {
				c, err := l.Accept()
				if err == nil {
					accepted <- c
				}
				close(accepted)
			}()
			s, err := New(fam.family, unix.SOCK_STREAM, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ip := lo4
			if fam.family == unix.AF_INET6 {
				ip = lo6
			}
			if err := s.Connect(ctxT(t), ip, port); err != nil {
				t.Fatal(err)
			}
			if s.connRTT.Load() <= 0 {
				t.Fatal("the connect kept no RTT: its TCP_INFO read was not made")
			}
			if d, ok := s.HandshakeRTT(); !ok || d != time.Duration(s.connRTT.Load()) {
				t.Errorf("HandshakeRTT = %v %v, want the connect's %v", d, ok, time.Duration(s.connRTT.Load()))
			}
			if _, ok := s.RTT(); !ok {
				t.Error("RTT read again after the connect: none")
			}
			// ESTABLISHED, then CLOSE_WAIT once the peer's FIN is in:
			// connected in both, as getpeername says.
			agree := func(when string) {
				t.Helper()
				_, perr := s.PeerName()
				if got := s.establishedNow(context.Background(), nil); got != (perr == nil) {
					t.Errorf("%s: establishedNow %v, getpeername %v", when, got, perr)
				}
			}
			agree("established")
			c, ok := <-accepted
			if !ok {
				t.Fatal("no connection accepted")
			}
			c.Close()
			deadline := time.Now().Add(5 * time.Second) // a guard, not a timing
			for s.State() != "CLOSE_WAIT" && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			agree("after the peer's FIN (" + s.State() + ")")
			// Not for a cancelled context, nor traced: the wait decides.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if s.establishedNow(ctx, nil) {
				t.Error("establishedNow answered for a cancelled context")
			}
			if s.establishedNow(context.Background(), NewTrace()) {
				t.Error("establishedNow answered for a traced connect")
			}
		})
	}

	// A refused connect (CLOSE) is not established: awaitConnect's SO_ERROR
	// says why (TestAwaitConnectUntraced checks the error).
	refused, err := New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	if err := refused.Connect(ctxT(t), lo4, testenv.ClosedPort(t, "tcp")); err == nil {
		t.Fatal("a connect to a closed port succeeded")
	}
	if refused.establishedNow(context.Background(), nil) {
		t.Error("a refused socket counted established")
	}
	if _, ok := refused.HandshakeRTT(); ok {
		t.Error("a refused connect has a handshake RTT")
	}
}
