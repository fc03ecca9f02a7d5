// Recording: while `record FILE` (or sockshell --record FILE) is on, the
// session is written to FILE as JSON Lines, one record a line. The writer
// is the engine's: the terminal owner hands it every result and error as it
// prints them (plain, without colour), the dispatcher the facts of the
// command's event (the writer makes the step's record from them), and the
// session's event log everything that happened between commands.
// The format is in recordfile.go; replay reads it (replay.go).
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockshell/sockshell/shell/fileio"
)

// recorder writes one recording. The terminal calls output, the
// dispatcher command, and both boundary (at each command boundary, where
// the terminal flushes events), so a step's record holds exactly what the
// command printed, its error's text included (printed after its event).
// They add records to a batch in memory; the writer (record_writer.go)
// encodes and writes them on a goroutine of its own.
type recorder struct {
	mu      sync.Mutex
	cond    *sync.Cond // on mu: the writer finished a batch
	file    *fileio.Output
	name    string
	started time.Time
	width   int
	log     *EventLog // the session's: its events but the commands' own are recorded
	seq     uint64    // the Seq of the last event taken from log
	evbuf   []Event   // the events taken at a boundary, reused

	// What was printed since the last boundary is fill's text from
	// outMark and errMark on.
	outMark, errMark int
	pending          *cmdFacts // the statement waiting for its error text; nil: none
	depth            int       // the pending command's nesting (source, replay --auto)
	skip             bool      // the pending command is record or replay itself
	stepWidth        int       // the width tables were fitted to when it ran
	waiting          []Event   // events drained but not yet written (after the command's time)

	steps, commands, events int
	err                     error // the first write error; the recording stops there

	// The batch being filled, the writer's spare one, and the writer's
	// state (record_writer.go, record_flush.go).
	fill, spare *recBatch
	enc         *recEncoder // the writer's
	busy        bool        // a writer runs
	again       bool        // it takes the next batch when done with its own
	closed      bool        // the recording is ending: nothing more is added
	timer       *time.Timer // hands the batch over recordFlushAfter after a record
	armed       bool        // timer runs
	waitingRoom int         // commands waiting for the writer to make room
}

// notCommand keeps the events a recording writes as events: all but the
// commands' own (each is a step).
func notCommand(e Event) bool { return e.Kind != EventCommand }

// startRecording opens name (refusing an existing file unless force) and
// writes the header.
func (s *Session) startRecording(ctx context.Context, name string, force bool) error {
	if r := s.term.rec.Load(); r != nil {
		return Usagef("already recording to %s; record off first", StrRepr(r.name))
	}
	if st, err := os.Lstat(name); err == nil && !st.Mode().IsRegular() && !st.IsDir() && st.Mode()&os.ModeSymlink == 0 {
		// Refused before anything opens it: a FIFO would wait for a reader.
		// A link is fileio's to refuse (or, with --force, to replace).
		return notRegular(name)
	}
	policy := fileio.NoClobber
	if force {
		policy = fileio.Force
	}
	f, err := fileio.Create(ctx, name, fileio.Options{Policy: policy, WritebackStep: recordWritebackStep})
	if err != nil {
		var ex *fileio.ExistsError
		if errors.As(err, &ex) {
			e := Classify(err)
			e = copyError(e)
			e.Hint = "it is left as it is; record --force FILE replaces it when the recording ends, or give another name"
			return e
		}
		return err
	}
	if f.Stream() {
		f.Abort()
		return notRegular(name)
	}
	armSignals() // SIGTERM and SIGHUP save what is recorded (saveOnExit)
	r := &recorder{file: f, name: name, started: time.Now(), width: s.Width(),
		log: s.events, seq: s.events.LastSeq()}
	r.initFlush()
	lo, hi := ephemeralPorts()
	h := recordingHeader{Type: recHeader, Format: RecordingFormat, Version: RecordingVersion,
		Sockshell: s.Version, Started: r.started.Format(time.RFC3339Nano), Width: r.width,
		Settings: map[string]string{}, EphemeralPorts: [2]int{lo, hi}, Open: []string{}}
	for _, st := range s.Table.Settings() {
		h.Settings[st.Name], _ = st.Get(s)
	}
	for _, n := range s.Resources() {
		h.Open = append(h.Open, n.Name)
	}
	// The header is written at once, before any writer runs: a file that
	// cannot be written fails record itself.
	r.enc.json(h)
	err = r.enc.err
	if err == nil {
		_, err = f.Write(r.enc.buf)
	}
	if err != nil {
		f.Abort()
		return err
	}
	s.term.rec.Store(r)
	return nil
}

func notRegular(name string) error {
	return Errorf("ValueError", "%s is not a regular file: a recording is written to a file, renamed into place when it ends", StrRepr(name))
}

// stopRecording writes the last records and puts the file in place; it
// returns the name written and the recorder's counts.
func (s *Session) stopRecording() (name string, steps int, err error) {
	r := s.term.rec.Swap(nil)
	if r == nil {
		return "", 0, Usagef("not recording (record FILE starts a recording)")
	}
	r.boundary()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writeEnd()
	r.closeLocked()
	if r.err != nil {
		r.file.Abort()
		return "", r.steps, r.err
	}
	name, err = r.file.Commit()
	return name, r.steps, err
}

// EndRecording ends a recording at the end of a run, as record off would,
// and says where it went (or why it failed) on standard error.
func (s *Session) EndRecording() {
	if s.term.rec.Load() == nil {
		return
	}
	if _, _, err := s.stopRecording(); err != nil {
		s.printErr(SafeText(fmt.Sprintf("the recording was not saved: %v\n", Classify(err))))
	}
}

// StartRecording starts recording the whole run to name (sockshell
// --record FILE); force replaces an existing file when the recording ends.
func (s *Session) StartRecording(name string, force bool) error {
	return s.startRecording(context.Background(), name, force)
}

// recordOutput is the terminal's hook: text printed on standard output
// (err false) or standard error.
func (t *Terminal) recordOutput(w io.Writer, text string) {
	r := t.rec.Load()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || r.closed {
		return // the recording stopped at a write error, or ended
	}
	if w == t.errw {
		r.fill.errs = append(r.fill.errs, text...)
	} else {
		r.fill.out = append(r.fill.out, text...)
	}
}

// recordBoundary is the terminal's hook at a command boundary.
func (t *Terminal) recordBoundary() {
	if r := t.rec.Load(); r != nil {
		r.boundary()
	}
}

// recordCommand is the dispatcher's hook: the facts of a statement's
// event, emitted as it ends (its error prints after; the step is written
// at the boundary).
func (s *Session) recordCommand(f *cmdFacts, name string) {
	r := s.term.rec.Load()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = f
	r.depth = max(s.depth-1-s.replayNest, 0)
	r.stepWidth = s.Width()
	// The recording's own commands are not steps: replaying one would
	// start a recording, or a replay inside the replay. What a replay runs
	// is recorded, step by step, as if typed.
	r.skip = name == "record" || name == "replay"
}

// boundary writes the events that came, and the step that ended, in the
// order they happened.
func (r *recorder) boundary() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || r.closed {
		r.pending = nil
		return
	}
	// The events since the last boundary, read from the session's log,
	// which keeps the last EventLogSize of every kind.
	var missed uint64
	r.evbuf, missed, r.seq = r.log.AppendSince(append(r.evbuf[:0], r.waiting...), r.seq, notCommand)
	evs := r.evbuf
	r.waiting = nil
	if missed > 0 {
		r.writeJSON(recordingDropped{Type: recDropped, Count: missed,
			Why: fmt.Sprintf("more events came between two command boundaries than the session's log keeps (%d); the count includes the commands' own events", EventLogSize)})
	}
	var at time.Time
	if r.pending != nil {
		at = r.pending.end
	}
	for _, e := range evs {
		if r.pending != nil && e.Time.After(at) {
			r.waiting = append(r.waiting, e)
			continue
		}
		r.writeEvent(e)
	}
	// What was printed since the last boundary is the next record's, or
	// is cut (a command that is not recorded).
	if r.pending != nil {
		if r.skip {
			r.fill.out, r.fill.errs = r.fill.out[:r.outMark], r.fill.errs[:r.errMark]
		} else {
			r.outMark, r.errMark = len(r.fill.out), len(r.fill.errs)
			r.writeStep()
		}
		for _, e := range r.waiting {
			r.writeEvent(e)
		}
		r.waiting = r.waiting[:0]
	} else if r.outMark < len(r.fill.out) || r.errMark < len(r.fill.errs) {
		// Printed outside any command (the banner, a line that did not lex).
		r.outMark, r.errMark = len(r.fill.out), len(r.fill.errs)
		if it := r.addLocked(itemOutput); it != nil {
			r.fill.times = append(r.fill.times, time.Now())
			r.addedLocked()
		}
	}
	r.pending = nil
}

func (r *recorder) offset(t time.Time) float64 {
	return roundSeconds(t.Sub(r.started))
}

// roundSeconds is a duration in seconds to the microsecond.
func roundSeconds(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)) / float64(time.Second)
}

// writeStep adds the pending command's record, which printed the text up
// to the marks.
func (r *recorder) writeStep() {
	r.commands++
	if r.depth == 0 {
		r.steps++
	}
	it := r.addLocked(itemStep)
	if it == nil {
		return
	}
	it.facts, it.depth, it.width = r.pending, int32(r.depth), int32(r.stepWidth)
	if r.depth == 0 {
		it.step = r.steps
	}
	r.addedLocked()
}

func (r *recorder) writeEvent(e Event) {
	r.events++
	if r.addLocked(itemEvent) != nil {
		r.fill.events = append(r.fill.events, e)
		r.addedLocked()
	}
}

func (r *recorder) writeEnd() {
	now := time.Now()
	r.writeJSON(recordingEnd{Type: recEnd, Time: now.Format(time.RFC3339Nano),
		Offset: r.offset(now), Steps: r.steps, Commands: r.commands, Events: r.events})
}

// writeJSON adds one record, encoded by encoding/json.
func (r *recorder) writeJSON(v any) {
	if r.addLocked(itemJSON) != nil {
		r.fill.values = append(r.fill.values, v)
		r.addedLocked()
	}
}

// sgr matches the colour codes the terminal owner paints with; every other
// control character was escaped before it was printed (SafeText).
var sgr = lazyRegexp("\x1b\\[[0-9;]*m")

// plain is printed text without its colours.
func plain(text string) string {
	if strings.IndexByte(text, 0x1b) < 0 {
		return text // no colour: most text, and every text with colour off
	}
	return sgr().ReplaceAllString(text, "")
}

// ephemeralPorts is the kernel's range of ephemeral ports (the ports a
// bind to port 0 or a connect gets), Linux's default when it cannot be read.
func ephemeralPorts() (lo, hi int) {
	lo, hi = 32768, 60999
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return lo, hi
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return lo, hi
	}
	a, err1 := strconv.Atoi(f[0])
	z, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || a > z {
		return lo, hi
	}
	return a, z
}
