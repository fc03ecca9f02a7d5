// The recording's writer. A command's path only collects what a record
// needs (the command's event, the ranges of what it printed, the events
// between commands) into a batch in memory; encoding the records and
// writing them to the file happen on a goroutine of the writer's own, one
// batch at a time, beside the commands that follow (on another core when
// there is one). The batch is handed over when it holds recordFlushSize of
// text, when a record has waited recordFlushAfter (record_flush.go), and
// when the recording ends or the process is told to end: then the caller
// waits until everything handed over is written (drainLocked). The batch
// waiting is bounded: past recordQueueMax a command waits for the writer.
package shell

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/sockshell/sockshell/shell/fileio"
)

// recordQueueMax bounds what waits for the writer: a command that adds to
// a batch this large while the writer is busy waits for it.
const recordQueueMax = 1 << 20

// recKind is what a recItem becomes.
type recKind uint8

const (
	itemStep   recKind = iota // a command record: facts, its output and errors
	itemEvent                 // an event record: the batch's next event
	itemOutput                // text printed outside any command, at the batch's next time
	itemJSON                  // any other record, the batch's next value, by encoding/json
)

// recItem is one record waiting in a batch, small (48 bytes: the command's
// thread writes one a command, into memory the writer read last). Its
// printed text is the batch's text from where the item before it ended
// (0 for the first) to outEnd and errEnd: every piece of the batch's text
// is some item's (what a command that is not recorded printed is cut).
// An event, a time and a value an item needs are the batch's next ones,
// in the items' order.
type recItem struct {
	facts          *cmdFacts // itemStep: the statement's (its time is facts.end)
	outEnd, errEnd int
	step           int   // itemStep: its number at depth 0
	depth, width   int32 // itemStep: its nesting, the tables' width when it ran
	kind           recKind
}

// recBatch is records waiting, and the text they printed, the events they
// are, the times of text printed outside a command, and other records.
type recBatch struct {
	items     []recItem
	events    []Event
	times     []time.Time
	values    []any
	out, errs []byte
}

// size is what the batch will take in the file, roughly.
func (b *recBatch) size() int { return len(b.out) + len(b.errs) + 256*len(b.items) }

// addLocked adds a record of kind to the batch being filled, its text
// ending at the marks, and returns it for the caller (who holds r.mu) to
// fill in, in place; nil after the
// first write error, or once the recording is ending. The caller calls
// addedLocked when it is filled in.
func (r *recorder) addLocked(kind recKind) *recItem {
	if r.err != nil || r.closed {
		return nil
	}
	r.fill.items = append(r.fill.items, recItem{kind: kind, outEnd: r.outMark, errEnd: r.errMark})
	return &r.fill.items[len(r.fill.items)-1]
}

// addedLocked hands the batch to the writer when it holds enough, and
// else makes sure the timer runs; when the writer is behind (a slow disk)
// and the batch holds recordQueueMax, it waits for the writer.
func (r *recorder) addedLocked() {
	if r.fill.size() >= recordFlushSize {
		r.kickLocked()
	} else if !r.armed {
		r.armed = true
		r.timer.Reset(recordFlushAfter)
	}
	for r.busy && r.fill.size() >= recordQueueMax && r.err == nil && !r.closed {
		r.waitingRoom++
		r.cond.Wait()
		r.waitingRoom--
	}
}

// kickLocked hands the batch being filled to the writer, which starts if
// it is not running; if it is, it takes the batch when it is done with
// its own.
func (r *recorder) kickLocked() {
	if len(r.fill.items) == 0 {
		return
	}
	if r.busy {
		r.again = true
		return
	}
	r.busy = true
	go r.writeLoop(r.takeLocked())
}

// takeLocked takes the batch being filled, and starts another with the
// text printed since the last record (the command running has not ended).
func (r *recorder) takeLocked() *recBatch {
	b := r.fill
	next := r.spare
	r.spare = nil
	if next == nil {
		next = &recBatch{}
	}
	next.out = append(next.out[:0], b.out[r.outMark:]...)
	next.errs = append(next.errs[:0], b.errs[r.errMark:]...)
	b.out, b.errs = b.out[:r.outMark], b.errs[:r.errMark]
	r.outMark, r.errMark = 0, 0
	r.fill = next
	r.stopTimer()
	return b
}

// writeLoop encodes and writes batches until none is waiting. It runs
// without r.mu; only one runs at a time (r.busy), so the encoder is its.
func (r *recorder) writeLoop(b *recBatch) {
	for {
		err := r.enc.writeBatch(b, r.file)
		clear(b.items) // what they hold may go
		clear(b.events)
		clear(b.values)
		b.items, b.events, b.times, b.values = b.items[:0], b.events[:0], b.times[:0], b.values[:0]
		r.mu.Lock()
		if err != nil && r.err == nil {
			r.err = err
		}
		r.spare = b
		if r.again && len(r.fill.items) > 0 && r.err == nil {
			r.again = false
			b = r.takeLocked()
			r.cond.Broadcast()
			r.mu.Unlock()
			continue
		}
		r.again, r.busy = false, false
		r.cond.Broadcast()
		r.mu.Unlock()
		return
	}
}

// drainLocked hands over what waits and returns when the writer has
// written everything (or failed); the caller holds r.mu.
func (r *recorder) drainLocked() {
	for {
		if !r.busy {
			if len(r.fill.items) == 0 || r.err != nil {
				return
			}
			r.kickLocked()
		} else {
			r.again = true
		}
		r.cond.Wait()
	}
}

// recEncoder is the writer's: it encodes a batch into buf and writes it.
// It keeps its own copy of what every record needs of the recording (when
// it started, the header's width), so that the writer does not read the
// recorder's memory record after record while the command's thread locks
// and writes it (the two cores would pass its cache lines to and fro).
type recEncoder struct {
	started time.Time // the recording's: offsets are from it
	width   int       // the header's
	buf     []byte
	scratch bytes.Buffer
	enc     *json.Encoder // encodes into scratch
	encoded bool          // the step's record has a value the encoder wrote (record_json.go)
	err     error         // an encoding error
}

func newRecEncoder(started time.Time, width int) *recEncoder {
	e := &recEncoder{started: started, width: width}
	e.enc = json.NewEncoder(&e.scratch)
	e.enc.SetEscapeHTML(false)
	return e
}

// writeBatch encodes b's records and writes them to f in writes of about
// recordFlushSize (or more: a record is never split).
func (e *recEncoder) writeBatch(b *recBatch, f *fileio.Output) error {
	e.buf = e.buf[:0]
	var c batchCursor
	for i := range b.items {
		e.item(b, &b.items[i], &c)
		if e.err != nil {
			return e.err
		}
		if len(e.buf) >= recordFlushSize {
			if _, err := f.Write(e.buf); err != nil {
				return err
			}
			e.buf = e.buf[:0]
		}
	}
	if len(e.buf) > 0 {
		if _, err := f.Write(e.buf); err != nil {
			return err
		}
	}
	return nil
}

// batchCursor is where the items read so far end in the batch's text,
// events, times and values.
type batchCursor struct {
	out, errs, event, time, value int
}

// item appends one record.
func (e *recEncoder) item(b *recBatch, it *recItem, c *batchCursor) {
	out, errs := b.out[c.out:it.outEnd], b.errs[c.errs:it.errEnd]
	c.out, c.errs = it.outEnd, it.errEnd
	switch it.kind {
	case itemStep:
		e.step(it, plainBytes(out), plainBytes(errs))
	case itemEvent:
		ev := &b.events[c.event]
		c.event++
		rec := recordingEvent{Type: recEvent, Offset: e.offset(ev.Time),
			Event: json.RawMessage(bytes.TrimSuffix(EventJSON(*ev), []byte("\n")))}
		if !ev.Quiet {
			rec.Shown = EventText(*ev)
		}
		e.json(rec)
	case itemOutput:
		at := b.times[c.time]
		c.time++
		e.json(recordingOutput{Type: recOutput, Offset: e.offset(at),
			Output: plain(string(out)), Errors: plain(string(errs))})
	case itemJSON:
		v := b.values[c.value]
		c.value++
		e.json(v)
	}
}

// json appends one record by encoding/json, as one line.
func (e *recEncoder) json(v any) {
	e.scratch.Reset()
	if err := e.enc.Encode(v); err != nil { // as marshalJSON encodes
		e.err = err
		return
	}
	e.buf = append(e.buf, escapeJSONText(e.scratch.Bytes())...)
}

// offset is t's offset in the recording, in seconds (recorder.offset).
func (e *recEncoder) offset(t time.Time) float64 {
	return roundSeconds(t.Sub(e.started))
}

// plainBytes is plain for printed bytes: themselves when they hold no
// colour (never nil, as appendStep takes them).
func plainBytes(p []byte) []byte {
	if bytes.IndexByte(p, 0x1b) < 0 {
		if p == nil {
			return []byte{}
		}
		return p
	}
	return []byte(plain(string(p)))
}

// step appends a command's record; out and errs are what it printed.
func (e *recEncoder) step(it *recItem, out, errs []byte) {
	st := stepRecord(it.facts)
	at := it.facts.end
	st.Step, st.Depth, st.Offset = it.step, int(it.depth), e.offset(at)
	if int(it.width) != e.width {
		w := int(it.width) // the terminal was resized since the header
		st.Width = &w
	}
	if at.IsZero() {
		st.Time = at.Format(time.RFC3339Nano) // appendStep's zero time takes st.Time
	}
	e.writeStepRecord(&st, at, out, errs)
}

// stepRecord is the record of the statement f: the fields its command
// event has (cmdFacts.SpellEvent), as they are; the caller sets the step,
// depth, offset, width, time and what it printed.
// TestStepRecordIsTheEvent compares it with the event's fields.
func stepRecord(f *cmdFacts) recordingStep {
	st := recordingStep{Type: recCommand, Line: f.line, Command: f.name, Resource: f.resource,
		Duration: roundSeconds(f.dur), Python: f.python}
	if f.failed {
		st.Error = f.class
		if f.hasErrno {
			n := f.errno
			st.Errno = &n
		}
	} else {
		st.Result, st.Made = f.result, f.made
	}
	for _, p := range f.timing {
		d, _ := p.Value.(time.Duration)
		st.Timing = append(st.Timing, recordingPhase{Phase: p.Key, Seconds: roundSeconds(d)})
	}
	return st
}
