package bsd

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// An untraced connect's wait asks getpeername alone when it can (conn.go):
// it must still tell a connect that succeeded (with the peer getpeername
// gives), one refused, and one the peer never answers (it waits on, until
// its timeout, and has no peer).
func TestAwaitConnectUntraced(t *testing.T) {
	l := testenv.Listen(t, "tcp")
	port := l.Addr().(*net.TCPAddr).Port
	s, err := New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Connect(ctxT(t), lo4, port); err != nil {
		t.Fatalf("connect to a listener: %v", err)
	}
	if pa, err := s.PeerName(); err != nil || int(pa.Port()) != port || pa.Addr() != lo4 {
		t.Errorf("getpeername after connect: %v %v, want 127.0.0.1:%d", pa, err, port)
	}

	refused, err := New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	var errno syscall.Errno
	if err := refused.Connect(ctxT(t), lo4, testenv.ClosedPort(t, "tcp")); !errors.As(err, &errno) || errno != unix.ECONNREFUSED {
		t.Errorf("connect to a closed port: %v, want ECONNREFUSED", err)
	}

	_, full := testenv.FullListener(t)
	silent, err := New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if err := silent.SetTimeout(300*time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
	err = silent.Connect(ctxT(t), lo4, full)
	if class, _, _, _ := pythonClass(err); class != "TimeoutError" {
		t.Errorf("connect to a peer that never answers: %v (%s), want a TimeoutError", err, class)
	}
	if _, err := silent.PeerName(); err == nil {
		t.Error("a connect that timed out has a peer")
	}
}
