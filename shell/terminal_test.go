package shell

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeTerminal is one stream standing for a terminal: standard output,
// standard error and readline's writer all write here, in order.
type fakeTerminal struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (f *fakeTerminal) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(p)
}

func (f *fakeTerminal) String() string { f.mu.Lock(); defer f.mu.Unlock(); return f.buf.String() }

// waitFor waits (guard: seconds) until the terminal's bytes contain s.
func (f *fakeTerminal) waitFor(t *testing.T, s string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(f.String(), s); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %q; the terminal has %q", s, f.String())
		}
	}
}

func terminalSession(tty *fakeTerminal) *Session {
	s := NewSession(NewTable(), tty, tty)
	s.UseTerminal(TerminalInfo{OutIsTerminal: true, ErrIsTerminal: true})
	return s
}

// TestEventDuringStatusLine: at the prompt, an event that arrives while a
// status line (a download's progress) shows clears the status line,
// prints its own line, and draws the status line again; a result does the
// same; the command's end clears what it left.
func TestEventDuringStatusLine(t *testing.T) {
	tty := &fakeTerminal{}
	s := terminalSession(tty)
	s.term.startLive(tty, nil) // readline's writer, as RunPrompt hands it
	const bar = "  1.0 MiB  (2.0 MiB/s)"
	s.Status(bar)
	s.Emit(Event{Kind: "connection_accepted", Label: "echo 127.0.0.1:7", Message: "connection from 127.0.0.1:5000"})
	tty.waitFor(t, "5000\n"+bar)
	s.Print("42\n")
	s.Status(bar + "!")
	s.term.endCommand()
	s.term.stopLive()
	want := "\r\x1b[K" + bar +
		"\r\x1b[K" + "[echo 127.0.0.1:7] connection from 127.0.0.1:5000\n" + bar +
		"\r\x1b[K" + "42\n" + bar +
		"\r\x1b[K" + bar + "!" +
		"\r\x1b[K"
	if got := tty.String(); got != want {
		t.Errorf("the terminal got\n%q\nwant\n%q", got, want)
	}
}

// TestEventsWaitForTheBoundary: in -c, script and pipe runs an event
// prints at the next command boundary, as a '#' line on standard output,
// never inside the status line's text.
func TestEventsWaitForTheBoundary(t *testing.T) {
	tty := &fakeTerminal{}
	s := terminalSession(tty)
	s.Status("50%")
	s.Emit(Event{Kind: "k", Resource: "echo1", Message: "hello"})
	if got := tty.String(); got != "\r\x1b[K50%" {
		t.Fatalf("before the boundary: %q", got)
	}
	s.FlushEvents()
	if got, want := tty.String(), "\r\x1b[K50%\r\x1b[K# [echo1] hello\n50%"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSlowConsumerDrops: emitting never waits for a subscriber; one whose
// buffer is full misses events and counts them, and the log keeps them.
func TestSlowConsumerDrops(t *testing.T) {
	l := NewEventLog()
	slow := l.Subscribe(2, nil)
	done := make(chan struct{})
	go func() {
		for i := range 5 {
			l.Emit(Event{Kind: "k", Message: fmt.Sprint(i)})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Emit waited for a subscriber that does not read")
	}
	if d := slow.Dropped(); d != 3 {
		t.Errorf("dropped %d, want 3", d)
	}
	if got := slow.Pending(); len(got) != 2 || got[0].Message != "0" || got[1].Message != "1" {
		t.Errorf("the subscriber got %+v, want events 0 and 1", got)
	}
	recent := l.Recent(0)
	if len(recent) != 5 || recent[0].Seq != 1 || recent[4].Seq != 5 || recent[4].Time.IsZero() {
		t.Errorf("the log keeps %+v, want 5 events, seq 1 to 5, with their times", recent)
	}
	if r := l.Recent(2); len(r) != 2 || r[1].Message != "4" {
		t.Errorf("Recent(2) = %+v", r)
	}
	// The log is bounded: the oldest go.
	for range EventLogSize {
		l.Emit(Event{Kind: "k"})
	}
	if r := l.Recent(0); len(r) != EventLogSize || r[0].Seq != 6 {
		t.Errorf("after %d more: %d kept, the oldest seq %d; want %d, seq 6", EventLogSize, len(r), r[0].Seq, EventLogSize)
	}
	slow.Pending()
	slow.Close()
	l.Emit(Event{Kind: "k"})
	if n := len(slow.Pending()); n != 0 {
		t.Errorf("a closed subscription got %d events", n)
	}
}

// TestTerminalCountsDroppedEvents: events that did not fit while one
// command ran are counted, and the count is printed; quiet events take no
// room from the ones to print.
func TestTerminalCountsDroppedEvents(t *testing.T) {
	var out, errs bytes.Buffer
	s := NewSession(NewTable(), &out, &errs)
	for range 3 * maxQueuedEvents {
		s.Emit(Event{Kind: "datagram", Resource: "echo1", Message: "quiet", Quiet: true})
	}
	for i := range maxQueuedEvents + 7 {
		s.Emit(Event{Kind: "k", Resource: "echo1", Message: fmt.Sprint(i)})
	}
	s.FlushEvents()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != maxQueuedEvents+1 || lines[0] != "# [echo1] 0" {
		t.Fatalf("%d lines, the first %q; want %d and the count", len(lines), lines[0], maxQueuedEvents+1)
	}
	if want := fmt.Sprintf("# 7 more background lines were dropped while one command ran (at most %d are kept)", maxQueuedEvents); lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
	out.Reset()
	s.FlushEvents()
	if out.Len() != 0 {
		t.Errorf("the count was told twice: %q", out.String())
	}
}

// TestIdleInterruptReturnsToTheCaller: a Ctrl-C while a pipe run waits for
// its next line ends the run with ExitInterrupt in the caller's goroutine,
// after closing what the session holds (it once called os.Exit on the
// signal goroutine, racing the main one, and would end this test binary).
func TestIdleInterruptReturnsToTheCaller(t *testing.T) {
	var out, errs fakeTerminal
	s := NewSession(NewTable(&Command{Name: "val", Group: "t", Summary: "x", Args: []Arg{Req("X", nil)},
		Run: func(c *Call) (any, error) { return Text(c.Arg(0)), nil }}), &out, &errs)
	closed := make(chan struct{})
	s.Register("r", closerFunc(func() error { close(closed); return nil }))
	r, w := io.Pipe() // never closed: the run waits for a line that never comes
	defer w.Close()
	status := make(chan int, 1)
	go func() { status <- s.RunLines(r, "stdin", false) }()
	io.WriteString(w, "val ready\n")
	out.waitFor(t, "ready\n") // the signal handler is in place
	syscall.Kill(syscall.Getpid(), syscall.SIGINT)
	select {
	case st := <-status:
		if st != ExitInterrupt {
			t.Errorf("status %d, want %d", st, ExitInterrupt)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not end on Ctrl-C")
	}
	select {
	case <-closed:
	default:
		t.Error("the run ended without closing the session's resources")
	}
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// TestEventWriterKeepsEventsApart: with an event writer, events print
// there, at the same boundaries, and standard output keeps the results.
func TestEventWriterKeepsEventsApart(t *testing.T) {
	var out, errs, evs bytes.Buffer
	s := NewSession(NewTable(&Command{Name: "val", Group: "t", Summary: "x", Args: []Arg{Req("X", nil)},
		Run: func(c *Call) (any, error) { return Text(c.Arg(0)), nil }}), &out, &errs)
	s.SetEventWriter(&evs)
	s.Emit(Event{Kind: "k", Resource: "echo1", Message: "before"})
	s.Exec(t.Context(), "val 1; val 2", "")
	if out.String() != "1\n2\n" || evs.String() != "# [echo1] before\n" || errs.Len() != 0 {
		t.Errorf("out %q, events %q, errors %q", out.String(), evs.String(), errs.String())
	}
}
