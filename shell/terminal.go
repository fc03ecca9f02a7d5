// The terminal owner: the one part of the shell that writes to standard
// output and standard error. It prints results, errors, the session's
// events and one status line (a download's progress), each under one lock,
// so none lands inside another's line. main decides once whether each
// stream is a terminal, how wide it is and whether colour is allowed, and
// hands that in (TerminalInfo).
package shell

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chzyer/readline"
)

// TerminalInfo is what main found out about the process's output streams.
type TerminalInfo struct {
	OutIsTerminal bool // standard output is a terminal
	ErrIsTerminal bool // standard error is a terminal
	// Width reads the terminal's columns now (asked at each render, so a
	// resized window is seen at once); nil or <= 0: no limit, as for a pipe.
	Width   func() int
	Color   bool // colour is on from the start
	NoColor bool // colour may never be turned on (NO_COLOR, --no-color)
}

// Terminal owns the session's standard output and standard error.
type Terminal struct {
	mu     sync.Mutex // guards the fields below and every write
	out    io.Writer
	errw   io.Writer
	prompt io.Writer // readline's writer while the prompt runs: it clears and redraws the half-typed line
	// While a line is being typed (reading), event lines wait in held
	// and input carries a wake to readline's key loop, which prints them
	// through prompt between two keys (filterRune, promptinput.go).
	input   *promptInput
	reading bool
	// printMu keeps the live printer and a command boundary's flush from
	// printing events out of their order: each takes events off the
	// subscription only while holding it (terminal_live.go).
	printMu sync.Mutex
	// notesUntil is the last event offered before the line being run
	// was read: printed later, such an event is still a note between
	// commands, not a line under the command.
	notesUntil uint64
	// testPrinterWoken, when set, is called as the live printer wakes,
	// before it takes the events (a test seam).
	testPrinterWoken func()
	held             string
	status           string    // the status line shown now on errw; "" for none
	eventw           io.Writer // where events print outside the prompt; nil: out

	info       TerminalInfo
	color      atomic.Bool
	jsonEvents atomic.Bool  // format is json: events are JSON documents
	width      atomic.Int64 // a fixed width when info.Width gives none

	events       *Subscription // the events it prints
	shownDropped uint64        // events.Dropped() when the last drop was told
	live         chan struct{} // closed to stop the live printer; nil when events wait for command boundaries
	liveDone     chan struct{}

	rec atomic.Pointer[recorder] // the recording under way (record.go); nil: none

	// outBuf, when standard output is not a terminal, is out's buffer
	// (terminal_buffer.go); nil: every result is written as it comes.
	outBuf *outBuffer

	// renderBuf is the buffer a result is rendered into, kept for the next
	// one (render.go); nil while a render has it.
	renderBuf atomic.Pointer[bytes.Buffer]
}

// maxQueuedEvents bounds the events that wait to be printed (in -c,
// script and pipe runs, while one command runs); more are counted and the
// count is printed.
const maxQueuedEvents = 1000

func newTerminal(out, errw io.Writer, log *EventLog) *Terminal {
	return &Terminal{out: out, errw: errw,
		events: log.Subscribe(maxQueuedEvents, func(e Event) bool { return !e.Quiet })}
}

// Terminal returns the session's terminal owner.
func (s *Session) Terminal() *Terminal { return s.term }

// UseTerminal hands the session what main found out about its streams;
// call it before the session runs.
func (s *Session) UseTerminal(info TerminalInfo) {
	t := s.term
	t.info = info
	t.color.Store(info.Color && !info.NoColor)
}

// OnTerminal reports whether both results and errors go to a terminal:
// only then may a command draw a status line (a progress bar).
func (s *Session) OnTerminal() bool {
	return s.term.info.OutIsTerminal && s.term.info.ErrIsTerminal
}

// SetWidth sets a fixed width that tables are fitted to when the terminal
// gives none; 0 for no limit.
func (s *Session) SetWidth(columns int) { s.term.width.Store(int64(max(columns, 0))) }

// Width is the width tables are fitted to; 0: no limit.
func (s *Session) Width() int {
	if f := s.term.info.Width; f != nil {
		if w := f(); w > 0 {
			return w
		}
	}
	return int(s.term.width.Load())
}

// setJSONEvents says whether events print as JSON documents (`set format
// json`).
func (s *Session) setJSONEvents(on bool) { s.term.jsonEvents.Store(on) }

// colorOn reports whether colour is on now.
func (s *Session) colorOn() bool { return s.term.color.Load() }

// setColor turns colour on or off (`set color`); on is refused when main
// said never.
func (s *Session) setColor(on bool) error {
	if on && s.term.info.NoColor {
		return Usagef("colour is off for good in this session (NO_COLOR is set to a non-empty value, or --no-color)")
	}
	s.term.color.Store(on)
	return nil
}

// Print writes a result to standard output.
func (s *Session) Print(text string) { s.term.write(s.term.out, text) }

func (s *Session) printErr(text string) { s.term.write(s.term.errw, text) }

// Status draws a one-line status (a download's progress) on standard
// error, replacing the previous one; "" clears it. Results, errors and
// events printed meanwhile clear it first and draw it again after.
func (s *Session) Status(text string) {
	t := s.term
	t.mu.Lock()
	defer t.mu.Unlock()
	text = SafeText(strings.ReplaceAll(text, "\n", " "))
	if text == "" && t.status == "" {
		return
	}
	io.WriteString(t.errw, "\r\x1b[K"+text)
	t.status = text
}

// endCommand clears a status line the command left behind.
func (t *Terminal) endCommand() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.status != "" {
		io.WriteString(t.errw, "\r\x1b[K")
		t.status = ""
	}
}

// write writes text to w with the status line, if any, cleared before and
// drawn again after (when text ended its line).
func (t *Terminal) write(w io.Writer, text string) {
	t.recordOutput(w, text)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writeLocked(w, text)
}

func (t *Terminal) writeLocked(w io.Writer, text string) {
	if text == "" {
		return // a statement that printed nothing makes no write(2)
	}
	if w != t.out {
		t.flushOutLocked() // what came before goes first
	}
	t.statusAside()
	io.WriteString(w, text)
	t.statusBack(text[len(text)-1] == '\n')
}

// writeBytes is write for text in a buffer its caller reuses (a rendered
// result): w.Write keeps no reference to p (io.Writer's contract), so
// printing it copies nothing; only a recording takes a copy.
func (t *Terminal) writeBytes(w io.Writer, p []byte) {
	if t.rec.Load() != nil {
		t.recordOutput(w, string(p))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(p) == 0 {
		return
	}
	if w != t.out {
		t.flushOutLocked()
	}
	t.statusAside()
	w.Write(p)
	t.statusBack(p[len(p)-1] == '\n')
}

// statusAside clears the status line, if any, before text is written.
func (t *Terminal) statusAside() {
	if t.status != "" {
		io.WriteString(t.errw, "\r\x1b[K")
	}
}

// statusBack draws the status line again after text that ended its line;
// after text that did not, the line is the text's now.
func (t *Terminal) statusBack(endedLine bool) {
	if t.status == "" {
		return
	}
	if endedLine {
		io.WriteString(t.errw, t.status)
	} else {
		t.status = ""
	}
}

const (
	red = "31"
	dim = "2"
)

func (s *Session) paint(code, text string) string { return s.term.paint(code, text) }

func (t *Terminal) paint(code, text string) string {
	if !t.color.Load() {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// beginPrompt: readline is about to read a line; event lines go above it
// from now on.
func (t *Terminal) beginPrompt() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reading = true
	t.flushOutLocked()
	if t.held != "" && t.input != nil {
		t.input.wake()
	}
}

// endPrompt: readline returned the line (its newline is written); what
// still waits is written under it, before the command runs.
func (t *Terminal) endPrompt() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reading = false
	t.notesUntil = t.events.Offered()
	if t.input != nil {
		t.input.unwake()
	}
	if text := t.held; text != "" {
		t.held = ""
		t.writeLocked(t.out, text)
	}
}

// filterRune sees each key readline's key loop takes. The wake rune
// prints the event lines held, above the prompt, and becomes a key that
// does nothing in readline's normal mode (Ctrl-G: it would leave a
// history search or a completion list).
func (t *Terminal) filterRune(r rune) (rune, bool) {
	if r != wakeRune {
		return r, true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if text := t.held; text != "" && t.prompt != nil {
		t.held = ""
		t.writeLocked(t.prompt, text)
	}
	return readline.CharBell, true
}

// SetEventWriter sends the events printed outside the prompt ('#' lines,
// or JSON documents) to w instead of standard output, at the same command
// boundaries: a test harness reads them apart from the results.
func (s *Session) SetEventWriter(w io.Writer) {
	s.term.mu.Lock()
	defer s.term.mu.Unlock()
	s.term.eventw = w
}

// FlushEvents prints the events waiting for a command boundary on
// standard output (-c, script and pipe runs); at the prompt they print at
// once and this does nothing.
func (s *Session) FlushEvents() {
	t := s.term
	t.recordBoundary()
	t.mu.Lock()
	live := t.live != nil
	t.mu.Unlock()
	if live {
		// At a command's end what it made happen prints now, under it and
		// before the next prompt, not whenever the live printer gets to it:
		// every event it logged is still in the buffer or printed already.
		t.printMu.Lock()
		t.printEvents(t.events.Pending())
		t.printMu.Unlock()
		return
	}
	t.printEvents(t.events.Pending())
}

// printEvents prints events, and how many were dropped since the last
// time that was told. At the prompt an event is one line above the line
// being typed; elsewhere a '#' comment line on standard output ("# [echo
// 127.0.0.1:7] connection from …"), or in json format one JSON document.
func (t *Terminal) printEvents(evs []Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d := t.events.Dropped(); d > t.shownDropped {
		n := d - t.shownDropped
		t.shownDropped = d
		msg := fmt.Sprintf("%d more background lines were dropped while one command ran (at most %d are kept)", n, maxQueuedEvents)
		if t.prompt != nil {
			msg = fmt.Sprintf("%d background lines were dropped: the terminal fell behind (at most %d wait to be printed)", n, maxQueuedEvents)
		}
		evs = append(evs, Event{Time: time.Now(), Kind: EventsDropped, Message: msg,
			Attrs: []Attr{{"count", n}}})
	}
	if len(evs) == 0 {
		return
	}
	var b strings.Builder
	for _, e := range evs {
		switch {
		case t.jsonEvents.Load():
			b.Write(EventJSON(e))
		case t.prompt != nil && e.Under && !t.reading && e.Seq > t.notesUntil:
			// A command runs: its packets go under it, indented.
			b.WriteString(t.paint(dim, "  "+SafeText(strings.ReplaceAll(e.Message, "\n", `\n`))) + "\n")
		case t.prompt != nil && !e.Note:
			b.WriteString(t.paint(dim, SafeText(EventText(e))) + "\n")
		default:
			b.WriteString(t.paint(dim, "# "+SafeText(EventText(e))) + "\n")
		}
	}
	switch {
	case t.prompt != nil && t.reading && t.input != nil:
		// A line is being typed: readline's key loop writes it, between
		// two keys, and redraws the line under it (filterRune).
		t.held += b.String()
		t.input.wake()
	case t.prompt != nil:
		// No line is being read (a command runs): readline draws
		// nothing now, so the line goes straight out.
		t.writeLocked(t.out, b.String())
	case t.eventw != nil:
		t.writeLocked(t.eventw, b.String())
	default:
		t.writeLocked(t.out, b.String())
	}
}

// EventsDropped is the kind of the line that tells how many events a
// slow terminal missed.
const EventsDropped EventKind = "events_dropped"
