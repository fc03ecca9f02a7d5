// Standard output gathered into larger writes when it is not a terminal (a
// file or a pipe), as C's stdio and Python's print do for a file: a script
// of 100,000 short results made 100,000 write(2) calls, where python3
// writing to a file makes under a thousand. Nothing waits long in the
// buffer, and nothing lands out of order:
//   - it goes out when it holds outBufferSize bytes, and at the latest
//     outLinger after its first byte (a command that waits, a recv or an
//     accept, still shows what came before it, a moment later);
//   - before anything is written to standard error, so a run whose two
//     streams go to one file (2>&1) keeps its lines in their order;
//   - before the next line is read from a pipe or a terminal (whoever
//     feeds the shell its lines sees every answer first), before a
//     prompt, after raw pass-through bytes, and when the run ends, also
//     when a signal ends it.
//
// A terminal is never buffered: each result is written as it comes.
package shell

import (
	"io"
	"time"
)

const (
	outBufferSize = 64 * 1024
	outLinger     = 50 * time.Millisecond
)

// outBuffer is standard output's buffer; the terminal's mu guards it.
type outBuffer struct {
	t      *Terminal
	w      io.Writer
	buf    []byte
	timer  *time.Timer   // armed while buf holds bytes
	linger time.Duration // outLinger; a test's may be longer
	err    error         // the first write error; later writes are dropped as the file's would fail
}

func (b *outBuffer) Write(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(b.buf)+len(p) > outBufferSize {
		b.flush()
		if len(p) >= outBufferSize {
			return b.w.Write(p)
		}
	}
	if len(b.buf) == 0 {
		if b.timer == nil {
			b.timer = time.AfterFunc(b.linger, b.lingered)
		} else {
			b.timer.Reset(b.linger)
		}
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// flush writes what the buffer holds (mu held).
func (b *outBuffer) flush() {
	if len(b.buf) == 0 {
		return
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	if _, err := b.w.Write(b.buf); err != nil && b.err == nil {
		b.err = err
	}
	b.buf = b.buf[:0]
}

// lingered is the timer's: the bytes have waited outLinger.
func (b *outBuffer) lingered() {
	b.t.mu.Lock()
	defer b.t.mu.Unlock()
	b.flush()
}

// BufferOutput gathers standard output into larger writes (main calls it
// when standard output is not a terminal, before the run).
func (s *Session) BufferOutput() {
	t := s.term
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.outBuf == nil {
		t.outBuf = &outBuffer{t: t, w: t.out, linger: outLinger}
		t.out = t.outBuf
	}
}

// FlushOutput writes what standard output's buffer holds, if anything.
func (s *Session) FlushOutput() {
	t := s.term
	t.mu.Lock()
	defer t.mu.Unlock()
	t.flushOutLocked()
}

func (t *Terminal) flushOutLocked() {
	if t.outBuf != nil {
		t.outBuf.flush()
	}
}
