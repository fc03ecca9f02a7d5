package bsd

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestRecvTimeoutLeavesSocketUsable(t *testing.T) {
	c, srv := pair(t, unix.AF_INET) // the server never writes until told
	c.SetTimeout(200*time.Millisecond, true)
	_, err := c.Recv(ctxT(t), 100)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("recv: %v, want a timeout", err)
	}
	if class, _, _, msg := pythonClass(err); class != "TimeoutError" || msg != "timed out" {
		t.Errorf("pyerr.Of = %q %q", class, msg)
	}
	if _, err := c.Send(ctxT(t), []byte("still here")); err != nil {
		t.Fatalf("send after timeout: %v", err)
	}
	exchange(t, srv, c, "late data")
	if d, ok := c.Timeout(); !ok || d != 200*time.Millisecond {
		t.Errorf("Timeout() = %v %v", d, ok)
	}
}

func TestNonBlockingMode(t *testing.T) {
	c, _ := pair(t, unix.AF_INET)
	c.SetTimeout(0, true)
	_, err := c.Recv(ctxT(t), 10)
	if class, n, _, _ := pythonClass(err); class != "BlockingIOError" || n != int(unix.EAGAIN) {
		t.Fatalf("non-blocking recv: %v (%s)", err, class)
	}
}

func TestAcceptCancel(t *testing.T) {
	l, port := listen(t, unix.AF_INET, 4)
	ctx, cancel := context.WithCancel(context.Background())
	err := blocked(t, "(*Socket).Accept", func() error { _, _, err := l.Accept(ctx); return err }, cancel)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("accept: %v, want context.Canceled", err)
	}
	if class, _, _, _ := pythonClass(err); class != "KeyboardInterrupt" {
		t.Errorf("class %q", class)
	}
	c := open(t, unix.AF_INET, unix.SOCK_STREAM)
	if err := c.Connect(ctxT(t), lo4, port); err != nil {
		t.Fatal(err)
	}
	srv, _, err := l.Accept(ctxT(t))
	if err != nil {
		t.Fatalf("accept after cancel: %v", err)
	}
	srv.Close()
}

func TestRecvCancel(t *testing.T) {
	c, srv := pair(t, unix.AF_INET6)
	tr := NewTrace()
	c.SetTrace(tr)
	// Cancel only once recv sleeps in the poller: a cancel before it
	// started would end it before its first call, and prove nothing.
	ctx, cancel := context.WithCancel(context.Background())
	err := blocked(t, "(*Socket).Recv", func() error { _, err := c.Recv(ctx, 10); return err }, cancel)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("recv: %v, want context.Canceled", err)
	}
	want := []string{
		"recvfrom(" + itoa(c.FD()) + ", 10) = -1 EAGAIN (Resource temporarily unavailable)",
		"poll(" + itoa(c.FD()) + ", POLLIN) ...",
		"poll(" + itoa(c.FD()) + ", POLLIN) interrupted: cancelled",
	}
	if got := tr.Lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace %q, want %q", got, want)
	}
	if _, err := c.Recv(ctxT(t), -1); err == nil {
		t.Error("negative bufsize accepted")
	}
	exchange(t, srv, c, "after the cancel")
}

// TestConnectNeverCompletes fills the accept queue of a listener that never
// accepts, so that a later SYN is dropped and connect stays in SYN_SENT.
func TestConnectNeverCompletes(t *testing.T) {
	_, port := listen(t, unix.AF_INET, 0)
	var stuck *Socket
	for i := 0; i < 8 && stuck == nil; i++ {
		c := open(t, unix.AF_INET, unix.SOCK_STREAM)
		c.SetTimeout(300*time.Millisecond, true)
		err := c.Connect(ctxT(t), lo4, port)
		switch {
		case err == nil:
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			stuck = c
		default:
			t.Fatalf("connect %d: %v", i, err)
		}
	}
	if stuck == nil {
		t.Fatal("every connect completed; the accept queue never filled")
	}
	if st := stuck.State(); st != "SYN_SENT" {
		t.Errorf("state of the stuck connect: %s", st)
	}
	// Connecting again resumes the wait, which a cancel ends.
	stuck.SetTimeout(0, false)
	ctx, cancel := context.WithCancel(context.Background())
	err := blocked(t, "(*Socket).Connect", func() error { return stuck.Connect(ctx, lo4, port) }, cancel)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("second connect: %v, want context.Canceled", err)
	}
	// A fresh socket with a cancel instead of a timeout.
	c := open(t, unix.AF_INET, unix.SOCK_STREAM)
	ctx, cancel = context.WithCancel(context.Background())
	err = blocked(t, "(*Socket).Connect", func() error { return c.Connect(ctx, lo4, port) }, cancel)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("connect with cancel: %v, want context.Canceled", err)
	}
}

func TestCloseDuringAccept(t *testing.T) {
	l, _ := listen(t, unix.AF_INET, 4)
	tr := NewTrace()
	l.SetTrace(tr)
	// Close only once accept sleeps in the poller: a close before accept
	// started gives EBADF too, without a blocked accept being woken.
	fd := itoa(l.FD())
	err := blocked(t, "(*Socket).Accept", func() error { _, _, err := l.Accept(context.Background()); return err }, func() { l.Close() })
	if got, want := tr.Lines(), []string{
		"accept4(" + fd + ", SOCK_NONBLOCK|SOCK_CLOEXEC) = -1 EAGAIN (Resource temporarily unavailable)",
		"poll(" + fd + ", POLLIN) ...",
		"close(" + fd + ") = 0",
	}; !slices.Equal(got, want) {
		t.Errorf("trace %q, want accept's EAGAIN, its wait, then the close: %q", got, want)
	}
	if class, n, _, _ := pythonClass(err); !errors.Is(err, unix.EBADF) || class != "OSError" || n != 9 {
		t.Fatalf("accept on a socket closed meanwhile: %v (%s %d)", err, class, n)
	}
}

func TestSendAllTimeoutIsTotal(t *testing.T) {
	c, _ := pair(t, unix.AF_INET) // the server never reads
	c.SetTimeout(200*time.Millisecond, true)
	big := make([]byte, 64<<20)
	n, err := c.SendAll(ctxT(t), big)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("sendall to a peer that does not read: %d, %v", n, err)
	}
	if n <= 0 || n >= len(big) || c.Sent() != int64(n) {
		t.Errorf("sent %d of %d, counter %d", n, len(big), c.Sent())
	}
}

// TestRecvWaitingIgnoresTimeout: RecvWaiting waits past the socket's
// timeout (here 0: non-blocking, where Recv would raise at once) until data
// comes, and a cancel still ends it.
func TestRecvWaitingIgnoresTimeout(t *testing.T) {
	client, server := pair(t, unix.AF_INET)
	if err := client.SetTimeout(0, true); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Recv(ctxT(t), 10); err == nil {
		t.Fatal("Recv on a non-blocking socket with nothing queued should fail")
	}
	var got []byte
	err := blocked(t, "(*Socket).RecvWaiting", func() error {
		var err error
		got, err = client.RecvWaiting(ctxT(t), 10)
		return err
	}, func() {
		if _, err := server.Send(ctxT(t), []byte("late")); err != nil {
			t.Error(err)
		}
	})
	if err != nil || string(got) != "late" {
		t.Fatalf("RecvWaiting = %q, %v; want the data sent after it began waiting", got, err)
	}
	ctx, cancel := context.WithCancel(ctxT(t))
	err = blocked(t, "(*Socket).RecvWaiting", func() error {
		_, err := client.RecvWaiting(ctx, 10)
		return err
	}, cancel)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled RecvWaiting: %v, want context.Canceled", err)
	}
}
