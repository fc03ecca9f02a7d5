package shell

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"
)

// TestLastByTimeMatchesSortAll: on logs whose events came slightly out of
// time order (a server's goroutine hands in an event it timed before one
// emitted meanwhile), with equal times, before and after the ring wraps,
// LastByTime(n) is the last n of the whole log sorted by time.
func TestLastByTimeMatchesSortAll(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	base := time.Unix(1700000000, 0)
	for trial := 0; trial < 60; trial++ {
		l := NewEventLog()
		count := []int{5, 40, EventLogSize - 1, EventLogSize + 300, 3 * EventLogSize}[trial%5]
		for i := 0; i < count; i++ {
			ts := base.Add(time.Duration(i) * time.Millisecond)
			switch r.Intn(40) {
			case 0: // handed in late: timed well before
				ts = ts.Add(-time.Duration(r.Intn(3000)) * time.Millisecond)
			case 1: // timed ahead of the events handed in after it
				ts = ts.Add(time.Duration(r.Intn(3000)) * time.Millisecond)
			case 2: // the same time as the one before
				ts = base.Add(time.Duration(i-1) * time.Millisecond)
			}
			l.Emit(Event{Kind: "test", Time: ts, Message: fmt.Sprint(i)})
		}
		all := l.Recent(0)
		slices.SortStableFunc(all, byTime)
		for _, n := range []int{1, 2, 20, 100, EventLogSize, 2 * EventLogSize} {
			want := all
			if n < len(all) {
				want = all[len(all)-n:]
			}
			got := l.LastByTime(n)
			if len(got) != len(want) {
				t.Fatalf("trial %d, %d events, n %d: %d events, want %d", trial, count, n, len(got), len(want))
			}
			for i := range got {
				if got[i].Seq != want[i].Seq {
					t.Fatalf("trial %d, %d events, n %d: event %d is seq %d, want seq %d", trial, count, n, i, got[i].Seq, want[i].Seq)
				}
			}
		}
	}
	if got := NewEventLog().LastByTime(20); len(got) != 0 {
		t.Errorf("an empty log's LastByTime: %d events", len(got))
	}
}
