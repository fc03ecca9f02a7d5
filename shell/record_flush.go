// When a recording's records reach its file: they are encoded into memory
// and written in one write at a flush, so that a script of 10,000 commands
// is a few dozen writes, not 20,000; and nothing finished is lost: the
// prompt flushes before it waits for a line, a timer flushes what has
// waited recordFlushAfter (a command that blocks for long, a script that
// runs on), and a signal that ends the process flushes and puts the file in
// place first (saveOnExit).
package shell

import (
	"encoding/json"
	"time"
)

// recordFlushAfter bounds how long a finished record waits in memory;
// recordFlushSize how much may wait.
const (
	recordFlushAfter = 50 * time.Millisecond
	recordFlushSize  = 64 << 10
)

// initFlush makes the encoder and the (stopped) timer.
func (r *recorder) initFlush() {
	r.enc = json.NewEncoder(&r.scratch)
	r.enc.SetEscapeHTML(false)
	r.timer = time.AfterFunc(time.Hour, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.armed = false
		r.flushLocked()
	})
	r.timer.Stop()
}

// wrote is told that a record was added: it flushes when enough waits, and
// else makes sure the timer runs.
func (r *recorder) wrote() {
	if r.unwritten.Len() >= recordFlushSize {
		r.flushLocked()
		return
	}
	if !r.armed {
		r.armed = true
		r.timer.Reset(recordFlushAfter)
	}
}

// flushLocked writes what waits, in one write; the caller holds r.mu.
func (r *recorder) flushLocked() {
	if r.unwritten.Len() == 0 {
		return
	}
	if r.err == nil {
		_, r.err = r.file.Write(r.unwritten.Bytes())
	}
	r.unwritten.Reset()
}

// stopTimer stops the timer; the caller holds r.mu.
func (r *recorder) stopTimer() {
	r.timer.Stop()
	r.armed = false
}

// flushRecording writes what the recording holds in memory (the prompt
// calls it before it waits for a line).
func (s *Session) flushRecording() {
	if r := s.term.rec.Load(); r != nil {
		r.mu.Lock()
		r.flushLocked()
		r.mu.Unlock()
	}
}

// saveOnExit is for the process ending at once (SIGTERM, SIGHUP, a second
// Ctrl-C that could not stop a command): the recording's finished records
// are written and the file is put in place as record off would, without
// the end record (the recording did not end cleanly; the command running,
// if any, is not recorded). It returns the name written, or "" (no
// recording, or it failed: then its temporary file is left for
// fileio.RemoveTemps).
func (s *Session) saveOnExit() string {
	r := s.term.rec.Swap(nil)
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushLocked()
	r.stopTimer()
	if r.err != nil {
		return ""
	}
	name, err := r.file.Commit()
	if err != nil {
		return ""
	}
	return name
}
