// The live printer: while the prompt runs, events are printed as they
// come, by a goroutine of the terminal's; at a command boundary what waits
// is printed by the boundary itself, before the prompt is drawn.
//
// The printer waits for the subscription's wake, not for an event, and
// takes the events off the buffer only while it holds printMu, as a
// boundary does. Before, it took an event off the channel and then waited
// for printMu: an event the command logged could be in its hands, off the
// buffer, when the command's end flushed what was pending. The flush found
// nothing, the prompt was drawn, and the printer then printed the event
// with a line being read, as a note above the prompt ("# s1: → ACK seq=1
// ack=1" instead of "  → ACK seq=1 ack=1" under the connect that sent it),
// or printed it after the events the flush had printed (the SYN after the
// SYN,ACK). Now an event is either in the buffer or printed: a boundary
// that takes the buffer under printMu has every event logged before it.

package shell

import "io"

// startLive prints events at once until stopLive: while a line is typed,
// through w (readline's writer, which clears the half-typed line and draws
// it again after) from readline's key loop, woken through in; else
// straight to standard output.
func (t *Terminal) startLive(w io.Writer, in *promptInput) {
	t.mu.Lock()
	t.prompt, t.input = w, in
	t.live, t.liveDone = make(chan struct{}), make(chan struct{})
	live, done := t.live, t.liveDone
	t.mu.Unlock()
	go func() {
		defer close(done)
		for {
			select {
			case <-t.events.Wake():
				if t.testPrinterWoken != nil {
					t.testPrinterWoken()
				}
				t.printMu.Lock()
				t.printEvents(t.events.Pending()) // none, when a boundary took them first
				t.printMu.Unlock()
			case <-live:
				return
			}
		}
	}()
}

// stopLive stops the live printer and prints what is still waiting.
func (t *Terminal) stopLive() {
	t.mu.Lock()
	live, done := t.live, t.liveDone
	t.mu.Unlock()
	if live == nil {
		return
	}
	close(live)
	<-done
	t.printEvents(t.events.Pending())
	t.mu.Lock()
	t.live, t.prompt, t.input = nil, nil, nil
	t.mu.Unlock()
}
