package lazyctx

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// guard is how long a test waits for something that must happen at once:
// it fails instead of hanging (no speed is asserted).
const guard = 10 * time.Second

func waitDone(t *testing.T, c context.Context, what string) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(guard):
		t.Fatalf("%s: Done never closed", what)
	}
}

// TestErrWithoutWaiting: Err and Deadline answer without making the real
// context (no timer), and say what context.WithDeadline's would.
func TestErrWithoutWaiting(t *testing.T) {
	c, cancel := WithTimeout(context.Background(), time.Hour)
	if c.Err() != nil {
		t.Fatalf("Err = %v before the deadline", c.Err())
	}
	if d, ok := c.Deadline(); !ok || time.Until(d) < 59*time.Minute {
		t.Fatalf("Deadline = %v, %v", d, ok)
	}
	if c.(*ctx).real.Load() != nil {
		t.Fatal("Err or Deadline made the real context")
	}
	cancel()
	if !errors.Is(c.Err(), context.Canceled) {
		t.Fatalf("Err = %v after cancel", c.Err())
	}
	waitDone(t, c, "cancelled")

	// Past its deadline, without anything waiting.
	c, cancel = WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
	defer cancel()
	if !errors.Is(c.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err = %v past the deadline", c.Err())
	}
	if !errors.Is(context.Cause(c), context.DeadlineExceeded) {
		t.Fatalf("Cause = %v past the deadline", context.Cause(c))
	}
	waitDone(t, c, "past the deadline")
}

// TestEndsAsTheRealOne: waited on, it ends at its deadline, with its parent
// and when cancelled, and so do its children and AfterFuncs.
func TestEndsAsTheRealOne(t *testing.T) {
	// The deadline, while a child and an AfterFunc wait.
	c, cancel := WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	child, stopChild := context.WithCancel(c)
	defer stopChild()
	fired := make(chan struct{})
	context.AfterFunc(c, func() { close(fired) })
	waitDone(t, c, "deadline")
	waitDone(t, child, "the child at the deadline")
	select {
	case <-fired:
	case <-time.After(guard):
		t.Fatal("AfterFunc never ran")
	}
	if !errors.Is(c.Err(), context.DeadlineExceeded) || !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err = %v, the child's %v", c.Err(), child.Err())
	}

	// The parent, before and after the real one is made.
	for _, early := range []bool{false, true} {
		parent, end := context.WithCancelCause(context.Background())
		c, cancel := WithTimeout(parent, time.Hour)
		if early {
			c.Done()
		}
		why := errors.New("the command ended")
		end(why)
		if !errors.Is(c.Err(), context.Canceled) || !errors.Is(context.Cause(c), why) {
			t.Fatalf("made early %v: Err = %v, Cause = %v, after the parent", early, c.Err(), context.Cause(c))
		}
		waitDone(t, c, "after the parent")
		cancel()
	}

	// Cancelled while a child waits.
	c, cancel = WithCancel(context.Background())
	child, stopChild2 := context.WithCancel(c)
	defer stopChild2()
	if child.Err() != nil || c.Err() != nil {
		t.Fatal("ended before cancel")
	}
	cancel()
	waitDone(t, child, "the child after cancel")
	if _, ok := c.Deadline(); ok {
		t.Fatal("WithCancel has a deadline")
	}
}

// TestParentDeadlineFirst: the parent's earlier deadline is the deadline.
func TestParentDeadlineFirst(t *testing.T) {
	parent, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	c, cancel := WithTimeout(parent, time.Hour)
	defer cancel()
	pd, _ := parent.Deadline()
	if d, ok := c.Deadline(); !ok || !d.Equal(pd) {
		t.Fatalf("Deadline = %v, want the parent's %v", d, pd)
	}
	type key struct{}
	vc := context.WithValue(context.Background(), key{}, "v")
	c2, cancel2 := WithTimeout(vc, time.Hour)
	defer cancel2()
	if c2.Value(key{}) != "v" {
		t.Fatal("a value of the parent is lost")
	}
}

// TestChildrenHangOnTheRealOne: a child context and an AfterFunc register
// with the real context, as with context.WithDeadline's, instead of each
// starting a goroutine that waits on Done (what the context package does
// for a parent it does not know).
func TestChildrenHangOnTheRealOne(t *testing.T) {
	c, cancel := WithTimeout(context.Background(), time.Hour)
	defer cancel()
	before := runtime.NumGoroutine()
	child, stop := context.WithCancel(c)
	defer stop()
	stopAfter := context.AfterFunc(c, func() {})
	defer stopAfter()
	if n := runtime.NumGoroutine(); n != before {
		t.Fatalf("%d goroutines after a child and an AfterFunc, %d before", n, before)
	}
	cancel()
	waitDone(t, child, "the child")
}

// TestCancelledBeforeTheDeadline: cancelled while nothing waited, then the
// deadline passes: Canceled, as context.WithDeadline says, not
// DeadlineExceeded (the real context made after the deadline).
func TestCancelledBeforeTheDeadline(t *testing.T) {
	type key struct{}
	parent := context.WithValue(context.Background(), key{}, "v")
	c, cancel := WithTimeout(parent, 20*time.Millisecond)
	ref, refCancel := context.WithTimeout(parent, 20*time.Millisecond)
	cancel()
	refCancel()
	time.Sleep(40 * time.Millisecond)
	if got, want := c.Err(), ref.Err(); got != want {
		t.Fatalf("Err = %v, want %v (context.WithDeadline's)", got, want)
	}
	if got, want := context.Cause(c), context.Cause(ref); got != want {
		t.Fatalf("Cause = %v, want %v", got, want)
	}
	waitDone(t, c, "after cancel")
	if c.Value(key{}) != "v" {
		t.Fatal("a value of the parent is lost")
	}
}
