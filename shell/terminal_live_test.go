package shell

import (
	"sync"
	"testing"
	"time"
)

// heldPrinter is a session at the prompt whose live printer stops as it
// wakes for new events, before it takes them, until let go: the moment a
// loaded machine may stretch.
type heldPrinter struct {
	s       *Session
	tty     *fakeTerminal
	woken   chan struct{}
	release chan struct{}
	once    sync.Once
}

func newHeldPrinter(t *testing.T) *heldPrinter {
	h := &heldPrinter{tty: &fakeTerminal{}, woken: make(chan struct{}, 8), release: make(chan struct{})}
	h.s = terminalSession(h.tty)
	h.s.term.testPrinterWoken = func() { h.woken <- struct{}{}; <-h.release }
	h.s.term.startLive(h.tty, nil)
	t.Cleanup(func() { h.let(); h.s.term.stopLive() })
	return h
}

func (h *heldPrinter) let() { h.once.Do(func() { close(h.release) }) }

// waitWoken waits (guard: seconds) until the printer has woken for the event.
func (h *heldPrinter) waitWoken(t *testing.T) {
	t.Helper()
	select {
	case <-h.woken:
	case <-time.After(10 * time.Second):
		t.Fatal("the live printer never woke for the event")
	}
}

var ackEvent = Event{Kind: "packet", Resource: "s1", Message: "→ ACK  seq=1 ack=1", Note: true, Under: true}

// TestCommandEndPrintsWhatThePrinterHasNot: a packet the command's call
// logged, which the live printer has not printed yet when the command
// ends, is printed by the command's end, under the command, before the
// prompt is drawn; not later as a note above the next prompt ("# s1: →
// ACK …", seen under load in TestWireLinesOnPTY), and not twice.
func TestCommandEndPrintsWhatThePrinterHasNot(t *testing.T) {
	h := newHeldPrinter(t)
	h.s.Emit(ackEvent)
	h.waitWoken(t)
	h.s.FlushEvents()
	const want = "  → ACK  seq=1 ack=1\n"
	if got := h.tty.String(); got != want {
		t.Fatalf("after the command's end the terminal has %q, want %q", got, want)
	}
	h.let()
	h.s.term.stopLive() // waits for the printer: it found nothing left
	if got := h.tty.String(); got != want {
		t.Errorf("after the printer went on the terminal has %q, want %q", got, want)
	}
}

// TestPromptEventPrintedLateIsANote: a packet that came while a line was
// being typed, printed only after the line was read, is a note between
// commands, not a line under the command that the line runs.
func TestPromptEventPrintedLateIsANote(t *testing.T) {
	h := newHeldPrinter(t)
	h.s.term.beginPrompt()
	h.s.Emit(ackEvent)
	h.waitWoken(t)
	h.s.term.endPrompt()
	h.s.FlushEvents() // the statement's start: what came before it prints first
	if got, want := h.tty.String(), "# s1: → ACK  seq=1 ack=1\n"; got != want {
		t.Errorf("the terminal has %q, want %q", got, want)
	}
}
