// Commands as events: every statement the dispatcher runs leaves one quiet
// event in the session's log (what ran, how it ended, how long it took, the
// Python that does the same), so a timeline shows commands among the
// sockets' and servers' events.
package shell

import (
	"strconv"
	"strings"
	"time"
)

// Milliseconds spells a duration in milliseconds, with three decimals: "0.084 ms".
func Milliseconds(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64) + " ms"
}

// timingNote is the line set timing on prints under a result: the
// command's phases, then how long it took in all until its result:
// "DNS 0.400 ms, handshake 0.080 ms, rtt 0.050 ms; took 0.612 ms".
func timingNote(phases []Attr, took time.Duration) string {
	if len(phases) == 0 {
		return "took " + Milliseconds(took)
	}
	return phasesText(phases) + "; took " + Milliseconds(took)
}

// phasesText spells a command's phases: "DNS 0.400 ms, handshake 0.080 ms".
func phasesText(phases []Attr) string {
	var b strings.Builder
	for i, p := range phases {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Key + " ")
		if d, ok := p.Value.(time.Duration); ok {
			b.WriteString(Milliseconds(d))
		}
	}
	return b.String()
}

// EventCommand is the kind of a command's event.
const EventCommand EventKind = "command"

// The fields of a command's event: "line" (the statement as typed),
// "command" (its name), "duration" (a time.Duration), "result" (the
// result's Python type, on success) or "error" (the exception's class) and
// "errno" (when it has one), "python" ([]string, when the command recorded
// Python lines), "timing" ([]Attr of phases, when the command measured
// some), "made" (the name of the resource it registered, when it made
// one; the message then says it: "socket tcp → s1"). Resource is the registered name the command worked on, when its
// first argument is one, or else the one it registered (socket's s1).

// AfterCommand is told of each statement once it has ended and its
// result or error is printed, with the statement's command event; what it
// prints comes after them (a lesson checks its step here). The event is
// as the log keeps it: its fields are spelled when read with Attr (or
// Spelled), so a function that looks at none costs nothing.
type AfterCommand func(s *Session, ev Event)

// AddAfterCommand adds f to the functions run after each statement.
func (t *Table) AddAfterCommand(f AfterCommand) { t.after = append(t.after, f) }

// afterCommand runs the table's AfterCommand functions with the last
// statement's event.
func (s *Session) afterCommand() {
	if len(s.Table.after) == 0 || s.lastCommand.Kind == "" {
		return
	}
	ev := s.lastCommand
	s.lastCommand = Event{}
	for _, f := range s.Table.after {
		f(s, ev)
	}
}

// cmdFacts are what a statement's command event says; event spells them
// as the event, for the event log and again for the command log.
type cmdFacts struct {
	name, line, resource, made string
	end                        time.Time
	dur                        time.Duration
	result                     string // ResultKind, on success
	class                      string // the error's class, on failure
	errno                      int
	hasErrno, failed           bool
	python                     []string
	timing                     []Attr
}

// event is the command event of f (its Seq is the log's to set), spelled.
func (f *cmdFacts) event() Event {
	ev := Event{Time: f.end, Kind: EventCommand, Resource: f.resource, Quiet: true}
	ev.Message, ev.Attrs = f.SpellEvent()
	return ev
}

// SpellEvent spells the command event's message and fields (the event
// log keeps f, and spells them when read: event_spell.go).
func (f *cmdFacts) SpellEvent() (string, []Attr) {
	attrs := make([]Attr, 0, 6)
	attrs = append(attrs, Attr{"line", f.line}, Attr{"command", f.name}, Attr{"duration", f.dur})
	msg := f.line
	if f.failed {
		attrs = append(attrs, Attr{"error", f.class})
		if f.hasErrno {
			attrs = append(attrs, Attr{"errno", f.errno})
		}
		msg += " → " + f.class
	} else {
		attrs = append(attrs, Attr{"result", f.result})
		if f.made != "" {
			// What it made says more than its type ("object").
			attrs = append(attrs, Attr{"made", f.made})
			msg += " → " + f.made
		} else {
			msg += " → " + f.result
		}
	}
	if len(f.python) > 0 {
		attrs = append(attrs, Attr{"python", f.python})
	}
	if len(f.timing) > 0 {
		attrs = append(attrs, Attr{"timing", f.timing})
	}
	return msg, attrs
}

// emitCommand records the event of one statement that ended at end.
func (s *Session) emitCommand(name, line, resource, made string, start time.Time, v any, e *Error, python []string, timing []Attr) {
	end := time.Now()
	f := &cmdFacts{name: name, line: line, resource: resource, made: made, end: end, dur: end.Sub(start),
		python: python, timing: timing}
	if e != nil {
		f.failed, f.class, f.hasErrno, f.errno = true, e.Class, e.HasErrno, e.Errno
	} else {
		f.result = ResultKind(v)
	}
	// Spelled when read: the log keeps f (it holds nothing that changes).
	ev := s.events.emit(Event{Time: f.end, Kind: EventCommand, Resource: f.resource, Quiet: true, Speller: f})
	s.lastCommand = ev
	s.commands.add(ev.Seq, f, s.pyDefaultTimeout())
	s.recordCommand(f, name) // the recording's writer writes its record from f
}

// ResultKind names a command's result by its Python type ("bytes",
// "tuple", "None"); "table" for rows, "text" for text for a person.
func ResultKind(v any) string {
	switch x := v.(type) {
	case Shown:
		return ResultKind(x.Value)
	case nil, noneType:
		return "None"
	case bool:
		return "bool"
	case int, int64, uint32:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case Tuple:
		return "tuple"
	case List, []string:
		return "list"
	case Repr:
		return "object"
	case Text:
		return "text"
	case *Rows, Rows:
		return "table"
	}
	return "object"
}
