package bsd

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// countingWriter counts what it is given and says when it got anything.
type countingWriter struct {
	n     atomic.Int64
	first chan struct{}
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.n.Add(int64(len(p))) == int64(len(p)) {
		close(w.first)
	}
	return len(p), nil
}

// TestRecvIntoCancelMidLoop: RecvInto watches its context once for all
// its recvs; a cancel after some chunks have arrived still ends it (with
// the bytes so far), and leaves the socket usable: the deadline the cancel
// set is cleared, so a later recv gets the peer's next bytes.
func TestRecvIntoCancelMidLoop(t *testing.T) {
	for _, timeout := range []time.Duration{0, 30 * time.Second} {
		c, srv := pair(t, unix.AF_INET)
		if timeout > 0 {
			srv.SetTimeout(timeout, true)
		}
		chunk := make([]byte, 3*streamChunk)
		if _, err := c.SendAll(ctxT(t), chunk); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		w := &countingWriter{first: make(chan struct{})}
		done := make(chan error, 1)
		var got int64
		go func() {
			n, err := srv.RecvInto(ctx, w)
			got = n
			done <- err
		}()
		<-w.first
		// Let it drain what was sent and block in the poller, waiting.
		for w.n.Load() < int64(len(chunk)) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(10 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("timeout %v: RecvInto after cancel: %v, want context.Canceled", timeout, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("timeout %v: RecvInto did not return after its context was cancelled", timeout)
		}
		if got != int64(len(chunk)) {
			t.Errorf("timeout %v: RecvInto counted %d bytes, %d were sent", timeout, got, len(chunk))
		}
		if _, err := c.Send(ctxT(t), []byte("more")); err != nil {
			t.Fatal(err)
		}
		p, err := srv.Recv(ctxT(t), 16)
		if err != nil || string(p) != "more" {
			t.Fatalf("timeout %v: recv after the cancelled RecvInto: %q, %v", timeout, p, err)
		}
	}
}

// TestRecvIntoNoAllocPerCall: with explain off (no trace), RecvInto's
// allocations do not grow with the number of recv calls it makes (it made
// 13 a call before issue 13). The peer is a net.Conn writing one buffer.
func TestRecvIntoNoAllocPerCall(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const chunks = 256
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		p := make([]byte, streamChunk)
		for range chunks {
			if _, err := conn.Write(p); err != nil {
				return
			}
		}
	}()
	srv := open(t, unix.AF_INET, unix.SOCK_STREAM)
	ap := netip.MustParseAddrPort(l.Addr().String())
	if err := srv.Connect(ctxT(t), ap.Addr(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n, err := srv.RecvInto(context.Background(), io.Discard)
	runtime.ReadMemStats(&after)
	if err != nil || n != chunks*streamChunk {
		t.Fatalf("RecvInto %d, %v", n, err)
	}
	// The buffer, the loop's state, the context watch (and whatever the
	// writer's goroutine needed): far fewer than one a recv call.
	if allocs := after.Mallocs - before.Mallocs; allocs >= chunks {
		t.Errorf("RecvInto of %d chunks (at least %d recv calls) made %d allocations, want a few for the whole call", chunks*streamChunk, chunks, allocs)
	}
}
