// When a recording's records reach its file: they are collected in memory
// and handed to the writer (record_writer.go), which encodes them and
// writes them in a few large writes, so that a script of 10,000 commands
// is about ten writes, not 20,000, made beside the commands; and nothing
// finished is lost: the prompt waits for the writer before it waits for a
// line, a timer hands over what has waited recordFlushAfter (a command
// that blocks for long, a script that runs on), and a signal that ends the
// process waits for the writer and puts the file in place first
// (saveOnExit).
package shell

import (
	"sync"
	"time"
)

// recordFlushAfter bounds how long a finished record waits in memory;
// recordFlushSize how much may wait before the writer takes it.
// recordWritebackStep is how much the writer writes before it asks the
// kernel to start writing it to the disk (sync_file_range, fileio's
// writeback): the disk then writes while the session goes on, and the
// fsync when the recording ends waits for the last step only (for a
// 2.5 MB recording, 0.3 to 1.8 ms instead of 3 to 8).
const (
	recordFlushAfter    = 50 * time.Millisecond
	recordFlushSize     = 256 << 10
	recordWritebackStep = 256 << 10
)

// initFlush makes the batches, the writer's encoder and the (stopped)
// timer.
func (r *recorder) initFlush() {
	r.cond = sync.NewCond(&r.mu)
	r.fill = &recBatch{}
	r.enc = newRecEncoder(r.started, r.width)
	r.timer = time.AfterFunc(time.Hour, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.armed = false
		r.kickLocked()
	})
	r.timer.Stop()
}

// stopTimer stops the timer; the caller holds r.mu.
func (r *recorder) stopTimer() {
	if r.armed {
		r.timer.Stop()
		r.armed = false
	}
}

// closeLocked ends the recording's writing (the caller holds r.mu): what
// was added so far is written, nothing more is added (a signal's save does
// not chase a command still running); r.err says whether all was written.
func (r *recorder) closeLocked() {
	r.closed = true
	r.drainLocked()
	r.stopTimer()
	r.cond.Broadcast() // a command waiting for room goes on
}

// flushRecording writes what the recording holds in memory (the prompt
// calls it before it waits for a line): it returns when the writer has
// written it.
func (s *Session) flushRecording() {
	if r := s.term.rec.Load(); r != nil {
		r.mu.Lock()
		r.drainLocked()
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
	r.closeLocked()
	if r.err != nil {
		return ""
	}
	name, err := r.file.Commit()
	if err != nil {
		return ""
	}
	return name
}
