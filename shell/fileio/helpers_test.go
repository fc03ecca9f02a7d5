package fileio

// Test helpers shared by this package's test files: a bound on waits that
// must not hang, and making a FIFO.

import (
	"syscall"
	"testing"
	"time"
)

// hangGuard fails the test if f does not return within a generous bound.
func hangGuard[T any](t *testing.T, what string, f func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("%s hung", what)
		panic("unreachable")
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}
