// Events: what happens in the session between and during commands (a
// server accepted a connection, a datagram arrived), as typed data in the
// spirit of log/slog's record. Emitters never wait: every event goes into
// a bounded log of the last EventLogSize, and to each subscriber whose
// buffer has room; a subscriber that falls behind misses events, and
// counts them.
package shell

import (
	"sync"
	"sync/atomic"
	"time"
)

// EventKind names what happened, in snake_case as JSON shows it
// ("connection_closed"). The families that emit events declare their kinds.
type EventKind string

// Attr is one typed field of an event.
type Attr struct {
	Key   string
	Value any
}

// Event is one thing that happened.
type Event struct {
	Seq  uint64    // 1, 2, … in the order the session's log took them; set by Emit
	Time time.Time // when; set by Emit when zero
	Kind EventKind
	// Resource is the session name of what it happened to ("echo1", "s1");
	// "" for the session itself.
	Resource string
	// Label names the source in a line of text ("echo 127.0.0.1:7007");
	// Resource when "".
	Label string
	// Message is the event in words, without the label, as a person reads it.
	Message string
	Attrs   []Attr
	// Note marks a note on a resource between commands (the watcher's
	// notices): its line is a comment, "# s2: 12 bytes waiting (recv s2)",
	// at the prompt as in -c, script and pipe runs.
	Note bool
	// Under marks a line that belongs under the command that caused it
	// (the wire view's packets): at the prompt, while a command runs, it
	// is written indented and without its label, "  → SYN  seq=0 …";
	// between commands it is a note ("# s1: ← FIN,ACK …").
	Under bool
	// Quiet events are kept in the log but not printed: the command's own
	// result already said it (a server listening), or there would be one
	// a datagram.
	Quiet bool
	// Speller, when not nil, spells Message and Attrs from the facts it
	// holds when something reads the event, not when it is emitted: most
	// events (a socket's, a command's) are kept and never read, and
	// spelling them (the text, each field's boxed value) was most of
	// their cost. The log's readers (Recent, LastByTime, AppendSince, a
	// subscription's events, Attr) see them spelled; a subscription's
	// keep, and AppendSince's, sees the event before (its kind, resource,
	// label, time and flags are set). event_spell.go
	Speller EventSpeller
}

// Attr returns the value of the field key.
func (e Event) Attr(key string) (any, bool) {
	e.spell()
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return nil, false
}

// label is how a line of text names the event's source.
func (e Event) label() string {
	if e.Label != "" {
		return e.Label
	}
	return e.Resource
}

// EventLogSize is how many of the last events the session's log keeps
// (each command is one, besides what it makes happen).
const EventLogSize = 4096

// EventLog is the session's stream of events: a ring of the last ones and
// the subscribers that receive new ones.
type EventLog struct {
	mu   sync.Mutex
	ring []Event // the last events, oldest at next once full
	next int
	seq  uint64
	subs map[*Subscription]struct{}
}

// NewEventLog makes an empty log.
func NewEventLog() *EventLog {
	return &EventLog{subs: map[*Subscription]struct{}{}}
}

// Emit records an event and offers it to every subscriber. It never
// waits: a subscriber whose buffer is full misses the event and counts it.
func (l *EventLog) Emit(e Event) { l.emit(e) }

// emit is Emit, returning the event as the log took it (with its Seq).
func (l *EventLog) emit(e Event) Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = time.Now() // under the lock: two emitters' times in their Seq order
	}
	l.seq++
	e.Seq = l.seq
	// Spelled once, before the first subscription that keeps it gets it;
	// kept unspelled when none does.
	for sub := range l.subs {
		if sub.keep != nil && !sub.keep(e) {
			continue
		}
		e.spell()
		select {
		case sub.ch <- e:
			sub.offered.Store(e.Seq)
			select {
			case sub.wake <- struct{}{}:
			default: // a wake is waiting already
			}
		default:
			sub.dropped.Add(1)
		}
	}
	if len(l.ring) < EventLogSize {
		l.ring = append(l.ring, e)
	} else {
		l.ring[l.next] = e
		l.next = (l.next + 1) % EventLogSize
	}
	return e
}

// Recent returns up to n of the last events, oldest first (n <= 0: all
// that are kept).
func (l *EventLog) Recent(n int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	all := make([]Event, 0, len(l.ring))
	all = append(all, l.ring[l.next:]...)
	all = append(all, l.ring[:l.next]...)
	if n > 0 && n < len(all) {
		all = all[len(all)-n:]
	}
	spellEach(all)
	return all
}

// Subscription receives the events emitted after it was made that keep
// accepts (nil: all), through a buffer of fixed size.
type Subscription struct {
	log     *EventLog
	ch      chan Event
	keep    func(Event) bool
	dropped atomic.Uint64
	offered atomic.Uint64 // the Seq of the last event put in ch
	wake    chan struct{} // holds one signal while ch may have events
}

// Subscribe makes a subscription with room for size events.
func (l *EventLog) Subscribe(size int, keep func(Event) bool) *Subscription {
	sub := &Subscription{log: l, ch: make(chan Event, max(size, 1)), keep: keep, wake: make(chan struct{}, 1)}
	l.mu.Lock()
	l.subs[sub] = struct{}{}
	l.mu.Unlock()
	return sub
}

// C delivers the events. It is never closed.
func (s *Subscription) C() <-chan Event { return s.ch }

// Wake signals after events were put in the buffer, without taking
// them: a reader that takes them with Pending under its own lock never
// holds an event outside it (the terminal's live printer). One signal
// may stand for several events, or for events another reader took.
func (s *Subscription) Wake() <-chan struct{} { return s.wake }

// Offered is the Seq of the last event the subscription took (put in its
// buffer); 0 before the first.
func (s *Subscription) Offered() uint64 { return s.offered.Load() }

// Dropped is how many events the subscription missed because its buffer
// was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Pending takes the events waiting in the buffer, without waiting for more.
func (s *Subscription) Pending() []Event {
	var out []Event
	for {
		select {
		case e := <-s.ch:
			out = append(out, e)
		default:
			return out
		}
	}
}

// Close ends the subscription: no more events come.
func (s *Subscription) Close() {
	s.log.mu.Lock()
	delete(s.log.subs, s)
	s.log.mu.Unlock()
}
