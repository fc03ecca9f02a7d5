package bsd

import (
	"bytes"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestPollerOnlyWhenACallWaits: a socket joins the runtime poller the
// first time a call has to wait, not before. A Unix stream pair is used
// because its send puts the bytes in the peer's queue before it returns:
// a recv of them never waits, whatever the machine's load.
func TestPollerOnlyWhenACallWaits(t *testing.T) {
	open(t, unix.AF_INET, unix.SOCK_STREAM) // the process's first socket joins at once
	a, b, err := Config{}.Pair(unix.SOCK_STREAM)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	if _, err := a.Send(ctxT(t), []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if p, err := b.Recv(ctxT(t), 16); err != nil || !bytes.Equal(p, []byte("ping")) {
		t.Fatalf("recv = %q, %v", p, err)
	}
	if a.polled.Load() != nil || b.polled.Load() != nil {
		t.Fatal("a send and a recv that did not wait joined the poller")
	}
	// Nothing queued: the recv waits (in the poller) until its timeout.
	b.SetTimeout(20*time.Millisecond, true)
	if _, err := b.Recv(ctxT(t), 16); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("recv with nothing queued = %v, want a timeout", err)
	}
	if b.polled.Load() == nil {
		t.Fatal("a recv that waited did not join the poller")
	}
	// Once there, the socket works as before: data, then the peer's FIN.
	b.SetTimeout(0, false)
	got := make(chan []byte, 1)
	go func() { p, _ := b.Recv(ctxT(t), 16); got <- p }()
	if _, err := a.Send(ctxT(t), []byte("pong")); err != nil {
		t.Fatal(err)
	}
	if p := <-got; !bytes.Equal(p, []byte("pong")) {
		t.Fatalf("recv in the poller = %q, want pong", p)
	}
	if a.polled.Load() != nil {
		t.Error("the sending side joined the poller without waiting")
	}
	a.Close()
	if p, err := b.Recv(ctxT(t), 16); err != nil || len(p) != 0 {
		t.Errorf("recv after the peer closed = %q, %v; want b''", p, err)
	}
}

// TestCloseWhileCallsUseTheDescriptor: calls on a socket that is not in
// the poller (Glance, State, RTT, getsockname) run while another
// goroutine closes it; each sees the socket open or closed, never a
// descriptor closed under it (run with -race).
func TestCloseWhileCallsUseTheDescriptor(t *testing.T) {
	for range 20 {
		c, srv := pair(t, unix.AF_INET)
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 50 {
					c.Glance()
					c.State()
					c.RTT()
					if _, err := c.SockName(); err != nil && !errors.Is(err, unix.EBADF) {
						t.Errorf("getsockname while closing: %v", err)
						return
					}
				}
			}()
		}
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		wg.Wait()
		if _, err := c.SockName(); !errors.Is(err, unix.EBADF) {
			t.Errorf("getsockname after close = %v, want EBADF", err)
		}
		srv.Close()
	}
}
