package commands

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWatchPassUntilStops: a pass whose done is closed stops before the
// next socket (stop, when a line is typed, waits for one socket, not for a
// whole pass over all of them); the sockets it did not reach are looked at
// by the next whole pass.
func TestWatchPassUntilStops(t *testing.T) {
	sess, socks := benchSockets(t, 20)
	done := make(chan struct{})
	close(done)
	if watchPassUntil(sess, socks, time.Now(), done) {
		t.Fatal("a pass with done closed reported a whole pass")
	}
	if n := len(watchKey.Get(sess).last); n != 0 {
		t.Fatalf("the stopped pass looked at %d sockets; want 0", n)
	}
	if !watchPassUntil(sess, socks, time.Now(), make(chan struct{})) {
		t.Fatal("a pass with done open stopped")
	}
	if n := len(watchKey.Get(sess).last); n != len(socks) {
		t.Fatalf("the whole pass looked at %d sockets; want %d", n, len(socks))
	}
}

// processCPU is the CPU time the process has used so far, in ns.
func processCPU() int64 {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
