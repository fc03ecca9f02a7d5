package commands

// The hostile-peer tests' harness (issue 14): a peak-heap sampler, a wait
// for a connection in SYN_SENT in the kernel's table, and a line run in
// the background that the test interrupts as Ctrl-C does.

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
)

// heapPeak samples the heap's objects while a case runs and returns the
// peak above the level at its start. The collector runs at GOGC=10
// meanwhile, so the figure is close to the live peak rather than to the
// collector's pacing; a sample every millisecond gives a lower bound of
// the true peak, which is what a "memory stays bounded" check needs.
type heapPeak struct {
	gcPercent  int
	base, peak atomic.Uint64
	stop       chan struct{}
	done       chan struct{}
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{}), gcPercent: debug.SetGCPercent(10)}
	runtime.GC()
	h.base.Store(heapObjects())
	go func() {
		defer close(h.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if v := heapObjects(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// Stop ends the sampling and returns the peak growth in bytes.
func (h *heapPeak) Stop() uint64 {
	close(h.stop)
	<-h.done
	debug.SetGCPercent(h.gcPercent)
	if p, b := h.peak.Load(), h.base.Load(); p > b {
		return p - b
	}
	return 0
}

// boundHeap runs fn and fails when the heap grew by more than limit
// meanwhile; it logs the figure (docs/reliability.md quotes them).
func boundHeap(t *testing.T, what string, limit uint64, fn func()) {
	t.Helper()
	h := startHeapPeak()
	fn()
	grew := h.Stop()
	t.Logf("%s: heap peak +%.1f MB", what, float64(grew)/1e6)
	if grew > limit {
		t.Errorf("%s: the heap grew by %d bytes, bound %d", what, grew, limit)
	}
}

// synSent counts the connections in SYN_SENT to 127.0.0.1:port in the
// kernel's TCP table (a connect in flight to a peer that never answers).
func synSent(port int) int {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), fmt.Sprintf("0100007F:%04X 02 ", port)) // remote address, state 02
}

// interruptible is a line started in the background with a context the
// test cancels, as Ctrl-C cancels the running command.
type interruptible struct {
	run    *faketerm.Running
	cancel context.CancelFunc
}

func startInterruptible(tm *faketerm.Term, line string) *interruptible {
	ctx, cancel := context.WithCancel(context.Background())
	return &interruptible{run: tm.StartContext(ctx, line), cancel: cancel}
}

// interrupt cancels the line and returns its error output; it fails the
// test when the line does not end (the prompt would not come back).
func (r *interruptible) interrupt(t *testing.T) string {
	t.Helper()
	r.cancel()
	return sockWait(t, r.run.Done(), "the line to end after Ctrl-C")
}
