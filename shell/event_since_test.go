package shell

import (
	"fmt"
	"testing"
)

// TestAppendSince: the events after a Seq, oldest first, filtered, before
// and after the ring wraps; what the log no longer holds is counted.
func TestAppendSince(t *testing.T) {
	l := NewEventLog()
	if evs, missed, last := l.AppendSince(nil, 0, nil); len(evs) != 0 || missed != 0 || last != 0 {
		t.Fatalf("empty log: %d events, %d missed, last %d", len(evs), missed, last)
	}
	odd := func(e Event) bool { return e.Seq%2 == 1 }
	for _, total := range []int{10, EventLogSize, EventLogSize + 1, 3*EventLogSize + 7} {
		l := NewEventLog()
		for i := 1; i <= total; i++ {
			l.Emit(Event{Kind: "k", Message: fmt.Sprint(i)})
		}
		for _, seq := range []uint64{0, 1, 5, uint64(total) - uint64(min(total, EventLogSize)), uint64(total) - 3, uint64(total)} {
			for _, keep := range []func(Event) bool{nil, odd} {
				evs, missed, last := l.AppendSince(nil, seq, keep)
				if last != uint64(total) {
					t.Errorf("total %d: last %d", total, last)
				}
				oldest := uint64(max(1, total-EventLogSize+1))
				from := seq + 1
				wantMissed := uint64(0)
				if from < oldest {
					wantMissed, from = oldest-from, oldest
				}
				var want []uint64
				for s := from; s <= uint64(total); s++ {
					if keep == nil || s%2 == 1 {
						want = append(want, s)
					}
				}
				if missed != wantMissed || len(evs) != len(want) {
					t.Fatalf("total %d, since %d: %d events, %d missed; want %d, %d", total, seq, len(evs), missed, len(want), wantMissed)
				}
				for i, e := range evs {
					if e.Seq != want[i] || e.Message != fmt.Sprint(want[i]) {
						t.Fatalf("total %d, since %d: event %d is %d %q, want %d", total, seq, i, e.Seq, e.Message, want[i])
					}
				}
			}
		}
	}
}
