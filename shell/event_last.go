package shell

import "slices"

// byTime orders events by their time; a stable sort keeps the log's order
// among events of one time.
func byTime(a, b Event) int { return a.Time.Compare(b.Time) }

// LastByTime returns the last n of the kept events in the order they
// happened: the last n of all kept events sorted (stably) by time, which is
// what it returns, but without copying and sorting the whole log when, as
// nearly always, the log's last events are its latest. It sorts a window of
// the last events; when every event before the window is older than the
// n-th latest in it, the window holds the n latest events, in the same
// order as the whole log sorted (events of equal times keep the log's
// order in both). Otherwise the window grows, up to the whole log.
func (l *EventLog) LastByTime(n int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	size := len(l.ring)
	at := func(i int) *Event { return &l.ring[(l.next+i)%size] } // the i-th oldest
	if n <= 0 || size == 0 {
		return nil
	}
	for m := min(size, 2*n+16); ; m = min(size, 4*m) {
		win := make([]Event, m)
		for i := range win {
			win[i] = *at(size - m + i)
		}
		slices.SortStableFunc(win, byTime)
		if m <= n {
			return spellEach(win)
		}
		if m == size {
			return spellEach(win[m-n:])
		}
		t := win[m-n].Time
		older := true
		for i := 0; i < size-m; i++ {
			if !at(i).Time.Before(t) {
				older = false
				break
			}
		}
		if older {
			return spellEach(win[m-n:])
		}
	}
}
