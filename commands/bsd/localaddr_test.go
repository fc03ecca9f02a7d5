package bsd

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// kernelName is the socket's own address as getsockname(2) gives it now.
func kernelName(t *testing.T, s *Socket) SockAddr {
	t.Helper()
	sa, err := unix.Getsockname(s.FD())
	if err != nil {
		t.Fatal(err)
	}
	return fromSockaddr(sa)
}

// TestLocalAddrOfConnectedTCP: a connected TCP socket's own address is
// asked of the kernel once and kept,
// and stays what the kernel says: after the peer resets, too, as python3
// shows it (('127.0.0.1', PORT) after ConnectionResetError).
func TestLocalAddrOfConnectedTCP(t *testing.T) {
	for _, family := range []int{unix.AF_INET, unix.AF_INET6} {
		c, srv := pair(t, family)
		first, err := c.SockName()
		if err != nil {
			t.Fatal(err)
		}
		if want := kernelName(t, c); first != want {
			t.Fatalf("SockName = %v, getsockname says %v", first, want)
		}
		if a, err := srv.SockName(); err != nil || a != kernelName(t, srv) {
			t.Fatalf("accepted socket's SockName = %v, %v; getsockname says %v", a, err, kernelName(t, srv))
		}
		// The peer resets: the local address stays.
		if err := unix.SetsockoptLinger(srv.FD(), unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0}); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		deadline := time.Now().Add(5 * time.Second)
		for c.State() != "CLOSE" && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if got, want := kernelName(t, c), first; got != want {
			t.Fatalf("after a reset getsockname says %v, before %v", got, want)
		}
		if a, err := c.SockName(); err != nil || a != first {
			t.Fatalf("after a reset SockName = %v, %v; want %v", a, err, first)
		}
		c.Close()
		if _, err := c.SockName(); err == nil {
			t.Fatal("SockName of a closed socket: no error")
		}
	}
}

// TestLocalAddrTracedEachTime: with explain on (a trace), every SockName
// is the system call it stands for, as Python's getsockname is.
func TestLocalAddrTracedEachTime(t *testing.T) {
	c, _ := pair(t, unix.AF_INET)
	c.SockName()
	tr := NewTrace()
	c.SetTrace(tr)
	c.SockName()
	c.SockName()
	// The trace folds repeated calls into one line: "(2 calls, ...)".
	if lines := strings.Join(tr.Lines(), "\n"); !strings.Contains(lines, "getsockname(") || !strings.Contains(lines, "2 calls") {
		t.Fatalf("2 SockName calls traced as %q", tr.Lines())
	}
}

// TestLocalAddrOfUDPAsked: a datagram socket's address changes (connect
// binds it), so it is asked each time.
func TestLocalAddrOfUDPAsked(t *testing.T) {
	u := open(t, unix.AF_INET, unix.SOCK_DGRAM)
	if a, err := u.SockName(); err != nil || a.Port() != 0 {
		t.Fatalf("new UDP socket: SockName = %v, %v", a, err)
	}
	if err := u.Connect(ctxT(t), lo4, 9); err != nil {
		t.Fatal(err)
	}
	if a, want := must(u.SockName()), kernelName(t, u); a != want || a.Port() == 0 {
		t.Fatalf("connected UDP socket: SockName = %v, getsockname says %v", a, want)
	}
}

func must(a SockAddr, err error) SockAddr {
	if err != nil {
		panic(err)
	}
	return a
}
