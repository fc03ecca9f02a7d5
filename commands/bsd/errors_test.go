package bsd

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

func TestConnectRefusedAndTrace(t *testing.T) {
	port := testenv.ClosedPort(t, "tcp")
	tr := NewTrace()
	s, err := New(unix.AF_INET, unix.SOCK_STREAM, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Connect(ctxT(t), lo4, port)
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno != unix.ECONNREFUSED {
		t.Fatalf("connect: %v, want ECONNREFUSED", err)
	}
	class, n, has, msg := pythonClass(err)
	if class != "ConnectionRefusedError" || n != 111 || !has || msg != "Connection refused" {
		t.Errorf("pyerr.Of = %q %d %v %q", class, n, has, msg)
	}
	var e *Error
	if !errors.As(err, &e) || e.Hint() != "nothing is listening on 127.0.0.1:"+itoa(port) {
		t.Errorf("hint: %v", e)
	}
	lines := strings.Join(tr.Lines(), "\n")
	t.Logf("trace:\n%s", lines)
	if !strings.Contains(lines, "socket(AF_INET, SOCK_STREAM") || !strings.Contains(lines, "connect(") ||
		!strings.Contains(lines, "ECONNREFUSED") {
		t.Errorf("trace lacks socket/connect/ECONNREFUSED:\n%s", lines)
	}
}

func TestPeerNameNotConnected(t *testing.T) {
	s := open(t, unix.AF_INET, unix.SOCK_STREAM)
	_, err := s.PeerName()
	if !errors.Is(err, unix.ENOTCONN) {
		t.Fatalf("peername: %v, want ENOTCONN", err)
	}
	class, n, _, msg := pythonClass(err)
	if class != "OSError" || n != 107 || msg != "Transport endpoint is not connected" {
		t.Errorf("pyerr.Of = %q %d %q", class, n, msg)
	}
	var e *Error
	if errors.As(err, &e); e.Hint() != "the socket is not connected: connect it first" {
		t.Errorf("hint %q", e.Hint())
	}
}

func TestBindTwice(t *testing.T) {
	_, port := listen(t, unix.AF_INET, 1)
	s := open(t, unix.AF_INET, unix.SOCK_STREAM)
	err := s.Bind(lo4, port)
	if !errors.Is(err, unix.EADDRINUSE) {
		t.Fatalf("bind: %v, want EADDRINUSE", err)
	}
	if class, n, _, msg := pythonClass(err); class != "OSError" || n != 98 || msg != "Address already in use" {
		t.Errorf("pyerr.Of = %q %d %q", class, n, msg)
	}
	var e *Error
	if errors.As(err, &e); !strings.Contains(e.Hint(), "SO_REUSEADDR") {
		t.Errorf("hint %q", e.Hint())
	}
}

func TestPeerReset(t *testing.T) {
	c, srv := pair(t, unix.AF_INET)
	linger, _ := LookupOption("SO_LINGER")
	if err := srv.SetSockOpt(linger, "on,0"); err != nil {
		t.Fatal(err)
	}
	if v, err := srv.GetSockOpt(linger); err != nil || v.String() != "(1, 0)" {
		t.Fatalf("linger: %v %v", v, err)
	}
	srv.Close()
	_, err := c.Recv(ctxT(t), 10)
	if err == nil {
		// The reset may come after an EOF-free read; a send sees it then.
		_, err = c.SendAll(ctxT(t), []byte("x"))
	}
	class, _, _, _ := pythonClass(err)
	if class != "ConnectionResetError" && class != "BrokenPipeError" {
		t.Fatalf("after reset: %v (%s), want ConnectionResetError", err, class)
	}
	if c.PeerStatus() != PeerReset {
		t.Errorf("peer status %v", c.PeerStatus())
	}
	var e *Error
	if errors.As(err, &e); e.Hint() == "" {
		t.Errorf("no hint for %v", err)
	}
}

func TestPythonClass(t *testing.T) {
	cases := []struct {
		err   error
		class string
		errno int
		msg   string
	}{
		{unix.ECONNRESET, "ConnectionResetError", 104, "Connection reset by peer"},
		{unix.EPIPE, "BrokenPipeError", 32, "Broken pipe"},
		{unix.ECONNABORTED, "ConnectionAbortedError", 103, "Software caused connection abort"},
		{unix.ETIMEDOUT, "TimeoutError", 110, "Connection timed out"},
		{unix.EBADF, "OSError", 9, "Bad file descriptor"},
		{unix.EAGAIN, "BlockingIOError", 11, "Resource temporarily unavailable"},
		{&Error{Op: "kill", Err: unix.ESRCH}, "ProcessLookupError", 3, "No such process"},
		{&Error{Op: "wait", Err: unix.ECHILD}, "ChildProcessError", 10, "No child processes"},
		{&Error{Op: "recv", Err: os.ErrDeadlineExceeded}, "TimeoutError", 0, "timed out"},
		{&Error{Op: "recv", Err: context.Canceled}, "KeyboardInterrupt", 0, ""},
	}
	for _, c := range cases {
		class, n, _, msg := pythonClass(c.err)
		if class != c.class || n != c.errno || msg != c.msg {
			t.Errorf("pythonClass(%v) = %q %d %q, want %q %d %q", c.err, class, n, msg, c.class, c.errno, c.msg)
		}
	}
	if got := (&Error{Op: "recv", Err: os.ErrDeadlineExceeded}).Error(); got != "recv: timed out" {
		t.Errorf("timeout error text %q", got)
	}
}
