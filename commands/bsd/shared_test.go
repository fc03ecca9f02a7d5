package bsd

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestFromFDOfABlockingDescriptor: fromfd of a blocking socket leaves its
// shared description blocking (the other descriptor still blocks), and the
// socket made from it still honours its timeout, a cancel, non-blocking
// mode and close, and moves data both ways.
func TestFromFDOfABlockingDescriptor(t *testing.T) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pair[0])
	defer unix.Close(pair[1])
	s, err := FromFD(pair[0], 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !isBlocking(pair[0]) {
		t.Fatal("fromfd made the shared description non-blocking")
	}
	if !s.Shared() {
		t.Error("Shared() false for a blocking description")
	}
	ctx := context.Background()

	s.SetTimeout(100*time.Millisecond, true)
	if _, err := s.Recv(ctx, 10); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("recv with a timeout and nothing sent: %v", err)
	}
	s.SetTimeout(0, true)
	if _, err := s.Recv(ctx, 10); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("non-blocking recv with nothing sent: %v", err)
	}
	s.SetTimeout(0, false)
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { _, err := s.Recv(cctx, 10); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled recv: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled recv on a shared socket did not return")
	}

	if _, err := unix.Write(pair[1], []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Recv(ctx, 10); err != nil || string(b) != "ping" {
		t.Errorf("recv: %q %v", b, err)
	}
	if _, err := s.SendAll(ctx, []byte("pong")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if n, err := unix.Read(pair[1], buf); err != nil || string(buf[:n]) != "pong" {
		t.Errorf("the peer read %q %v", buf[:n], err)
	}
	if !isBlocking(pair[0]) {
		t.Error("the description became non-blocking after I/O")
	}
}
