package bsd

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pattern writes n MiB of data to w: one random MiB, varied per block.
func pattern(t *testing.T, n int, w func([]byte) error) {
	block := make([]byte, 1<<20)
	rand.Read(block)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(block, uint64(i))
		if err := w(block); err != nil {
			t.Error(err)
			return
		}
	}
}

func TestRecvIntoLarge(t *testing.T) {
	const mib = 256
	c, srv := pair(t, unix.AF_INET)
	sent := sha256.New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pattern(t, mib, func(b []byte) error {
			sent.Write(b)
			_, err := srv.SendAll(context.Background(), b)
			return err
		})
		srv.Shutdown("wr")
	}()
	got := sha256.New()
	tr := NewTrace()
	c.SetTrace(tr)
	n, err := c.RecvInto(ctxT(t), got)
	<-done
	if lines := tr.Lines(); len(lines) > 8 {
		t.Errorf("trace of one RecvInto has %d lines", len(lines))
	} else {
		t.Logf("trace: %q", lines)
	}
	if err != nil {
		t.Fatal(err)
	}
	if n != mib<<20 || c.Received() != mib<<20 || srv.Sent() != mib<<20 {
		t.Errorf("received %d (counter %d), server sent %d; want %d", n, c.Received(), srv.Sent(), mib<<20)
	}
	if !bytes.Equal(sent.Sum(nil), got.Sum(nil)) {
		t.Error("SHA-256 differs")
	}
	if c.PeerStatus() != PeerClosed {
		t.Errorf("peer status %v", c.PeerStatus())
	}
}

func TestSendFileLarge(t *testing.T) {
	const mib = 64
	f, err := os.CreateTemp(t.TempDir(), "sendfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := sha256.New()
	pattern(t, mib, func(b []byte) error {
		want.Write(b)
		_, err := f.Write(b)
		return err
	})
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tr := NewTrace()
	c, srv := pair(t, unix.AF_INET)
	c.SetTrace(tr)
	got := sha256.New()
	type result struct {
		n   int64
		err error
	}
	recvd := make(chan result, 1)
	go func() {
		n, err := srv.RecvInto(context.Background(), got)
		recvd <- result{n, err}
	}()
	n, err := c.SendFile(ctxT(t), f)
	if err != nil {
		t.Fatal(err)
	}
	c.Shutdown("wr")
	r := <-recvd
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n != mib<<20 || r.n != n || c.Sent() != n || srv.Received() != n {
		t.Errorf("sendfile %d, received %d, counters %d/%d", n, r.n, c.Sent(), srv.Received())
	}
	if off, _ := f.Seek(0, io.SeekCurrent); off != n {
		t.Errorf("file offset %d after sendfile, want %d", off, n)
	}
	if !bytes.Equal(want.Sum(nil), got.Sum(nil)) {
		t.Error("SHA-256 differs")
	}
	if lines := tr.Lines(); len(lines) > 20 {
		t.Errorf("trace of one sendfile has %d lines:\n%q", len(lines), lines)
	} else {
		t.Logf("trace: %q", lines)
	}
}

func TestSendFilePipeFallback(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		w.Write([]byte("through a pipe"))
		w.Close()
	}()
	c, srv := pair(t, unix.AF_INET)
	n, err := c.SendFile(ctxT(t), r)
	if err != nil || n != 14 {
		t.Fatalf("sendfile from a pipe: %d %v", n, err)
	}
	b, err := srv.Recv(ctxT(t), 100)
	if err != nil || string(b) != "through a pipe" {
		t.Fatalf("recv %q %v", b, err)
	}
}

func fdCount(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

func TestNoLeaks(t *testing.T) {
	l, port := listen(t, unix.AF_INET, 128)
	// Warm up the runtime (poller, timers) before counting.
	c, srv := pair(t, unix.AF_INET)
	c.Close()
	srv.Close()
	runtime.GC()
	fds, gs := fdCount(t), runtime.NumGoroutine()

	for i := 0; i < 2000; i++ {
		s, err := New(unix.AF_INET, unix.SOCK_STREAM, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Connect(ctxT(t), lo4, port); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		// Accepting in the same goroutine keeps the accept queue short
		// whatever GOMAXPROCS is (a full queue drops SYNs for a second).
		srv, _, err := l.Accept(ctxT(t))
		if err != nil {
			t.Fatalf("cycle %d: accept: %v", i, err)
		}
		if i%100 == 0 {
			// A cancelled wait must not leave anything behind either.
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			if _, err := s.Recv(ctx, 10); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("cycle %d: recv: %v", i, err)
			}
			cancel()
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		srv.Close()
	}

	var nfds, ngs int
	for i := 0; i < 50; i++ {
		runtime.GC()
		nfds, ngs = fdCount(t), runtime.NumGoroutine()
		if nfds <= fds && ngs <= gs {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("fds %d -> %d, goroutines %d -> %d", fds, nfds, gs, ngs)
}
