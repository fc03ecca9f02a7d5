package bsd

import (
	"context"
	"io"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSendRecvAllocs: a send and a recv of a connected socket, with
// explain off, allocate the result and nothing else (a context that can
// never be cancelled needs no watch); under a cancellable context, only
// the watch the runtime's context.AfterFunc makes. The calls' state is the
// socket's, reused.
func TestSendRecvAllocs(t *testing.T) {
	c, srv := pair(t, unix.AF_INET)
	msg := make([]byte, 64)
	round := func(ctx context.Context) {
		if _, err := c.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if p, err := srv.Recv(ctx, len(msg)); err != nil || len(p) != len(msg) {
			t.Fatalf("recv %d bytes, %v", len(p), err)
		}
	}
	round(context.Background())
	if n := testing.AllocsPerRun(200, func() { round(context.Background()) }); n > 1 {
		t.Errorf("send+recv made %.1f allocations, want 1 (the received bytes)", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	round(ctx)
	if n := testing.AllocsPerRun(200, func() { round(ctx) }); n > 5 {
		t.Errorf("send+recv under a cancellable context made %.1f allocations, want at most 5 (the bytes, two context watches)", n)
	}
}

// TestReaderReadsInPlace: a Reader's recvs land in the caller's buffer
// without allocating, and end in io.EOF when the peer closes.
func TestReaderReadsInPlace(t *testing.T) {
	c, srv := pair(t, unix.AF_INET)
	const total = 1 << 20
	go func() {
		p := make([]byte, total)
		for i := range p {
			p[i] = byte(i)
		}
		c.SendAll(context.Background(), p)
		c.Close()
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := srv.NewReader(ctx)
	defer r.Close()
	buf := make([]byte, 4096)
	got, calls := 0, 0
	allocs := testing.AllocsPerRun(1, func() {
		for {
			n, err := r.Read(buf)
			for i := range n {
				if buf[i] != byte(got+i) {
					t.Fatalf("byte %d is %d", got+i, buf[i])
				}
			}
			got += n
			calls++
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	if got != total {
		t.Fatalf("read %d bytes, want %d", got, total)
	}
	if srv.Received() != total {
		t.Fatalf("the socket counted %d bytes received, want %d", srv.Received(), total)
	}
	if allocs >= float64(calls)/4 {
		t.Errorf("%d Reads allocated %.0f times, want a few for all of them", calls, allocs)
	}
}

// TestReaderIdle: the idle function runs when a Read finds the queue empty
// and is about to wait, not while data keeps coming.
func TestReaderIdle(t *testing.T) {
	c, srv := pair(t, unix.AF_INET)
	r := srv.NewReader(ctxT(t))
	defer r.Close()
	idled := make(chan struct{}, 16)
	r.SetIdle(func() { idled <- struct{}{} })
	if _, err := c.SendAll(ctxT(t), []byte("first")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	deadline := time.Now().Add(5 * time.Second)
	for q, _ := srv.InQueue(); q < 5 && time.Now().Before(deadline); q, _ = srv.InQueue() {
		time.Sleep(time.Millisecond)
	}
	if n, err := r.Read(buf); err != nil || string(buf[:n]) != "first" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if len(idled) != 0 {
		t.Fatal("idle ran though the bytes were queued")
	}
	go func() {
		<-idled // the Read below is waiting: now the peer sends
		c.SendAll(context.Background(), []byte("second"))
	}()
	if n, err := r.Read(buf); err != nil || string(buf[:n]) != "second" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
}
