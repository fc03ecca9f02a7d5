// How many of a background server's event lines reach the terminal: a flood
// (one local client hammering a full echo server made 24,702 "refused"
// lines in 2 s) is cut to a few lines of each kind and one line that counts
// the rest. Every event still goes to the session's log; only its line is
// held back (the event is made quiet).

package commands

import (
	"fmt"
	"sync"
	"time"

	"github.com/sockshell/sockshell/shell"
)

const (
	// lineBurst is how many lines of one kind a server prints within
	// lineWindow before the rest are counted instead.
	lineBurst  = 5
	lineWindow = time.Second
	// floodLongest is how long a flood's lines are counted before the
	// count is said (and counting starts again), if it has not ended.
	floodLongest = 10 * time.Second
)

// lineLimiter holds back a server's event lines beyond lineBurst a
// lineWindow for each kind, and says how many it held back once the flood
// is over (no held-back line for a lineWindow) or has lasted floodLongest:
// "… 24,700 more connection_refused lines in 2 s".
type lineLimiter struct {
	mu    sync.Mutex
	kinds map[shell.EventKind]*kindFlood
	say   func(shell.Event) // emits the counting line
	now   func() time.Time
}

type kindFlood struct {
	window  time.Time // start of the current window
	printed int       // lines printed in it
	held    int       // lines held back since first
	first   time.Time // the first held back
	last    time.Time // the last held back
	timer   *time.Timer
	label   string
}

func newLineLimiter(say func(shell.Event)) *lineLimiter {
	return &lineLimiter{kinds: map[shell.EventKind]*kindFlood{}, say: say, now: time.Now}
}

// admit decides whether e's line is printed; a line held back makes e
// quiet. Quiet events pass as they are.
func (l *lineLimiter) admit(e shell.Event) shell.Event {
	if e.Quiet {
		return e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	k := l.kinds[e.Kind]
	if k == nil {
		k = &kindFlood{window: now}
		l.kinds[e.Kind] = k
	}
	k.label = e.Label
	if k.held == 0 && now.Sub(k.window) >= lineWindow {
		k.window, k.printed = now, 0
	}
	if k.held == 0 && k.printed < lineBurst {
		k.printed++
		return e
	}
	if k.held == 0 {
		k.first = now
		kind := e.Kind
		k.timer = time.AfterFunc(lineWindow, func() { l.check(kind, false) })
	}
	k.held++
	k.last = now
	e.Quiet = true
	return e
}

// check says a flood's count once it is over or long, else looks again.
func (l *lineLimiter) check(kind shell.EventKind, force bool) {
	l.mu.Lock()
	k := l.kinds[kind]
	now := l.now()
	if k == nil || k.held == 0 {
		l.mu.Unlock()
		return
	}
	if !force && now.Sub(k.last) < lineWindow && now.Sub(k.first) < floodLongest {
		k.timer = time.AfterFunc(lineWindow-now.Sub(k.last), func() { l.check(kind, false) })
		l.mu.Unlock()
		return
	}
	held, span, label := k.held, k.last.Sub(k.first), k.label
	k.held, k.window, k.printed = 0, now, 0
	l.mu.Unlock()
	l.say(shell.Event{Kind: eventCoalesced, Label: label,
		Message: fmt.Sprintf("… %s more %s lines held back in %s (a flood; the session's event log has them)", thousands(held), kind, roundSpan(span)),
		Attrs:   []shell.Attr{{Key: "kind", Value: string(kind)}, {Key: "count", Value: held}, {Key: "seconds", Value: span.Seconds()}}})
}

// flush ends the limiter's timers and says every count held.
func (l *lineLimiter) flush() {
	l.mu.Lock()
	var kinds []shell.EventKind
	for kind, k := range l.kinds {
		if k.timer != nil {
			k.timer.Stop()
		}
		kinds = append(kinds, kind)
	}
	l.mu.Unlock()
	for _, kind := range kinds {
		l.check(kind, true)
	}
}

// thousands spells n with commas: 24,700.
func thousands[N int | int64](n N) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// roundSpan is a flood's length for a person: "2 s", "0.35 s".
func roundSpan(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
}
