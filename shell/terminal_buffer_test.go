package shell

import (
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeLog is a stream that keeps every write apart, and which stream
// made it (both streams of a run going to one file, as 2>&1).
type writeLog struct {
	mu     sync.Mutex
	writes []string
	names  []string
}

type namedWriter struct {
	log  *writeLog
	name string
}

func (w namedWriter) Write(p []byte) (int, error) {
	w.log.mu.Lock()
	defer w.log.mu.Unlock()
	w.log.writes = append(w.log.writes, string(p))
	w.log.names = append(w.log.names, w.name)
	return len(p), nil
}

func (l *writeLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.writes, "")
}

func (l *writeLog) count(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.names {
		if s == name {
			n++
		}
	}
	return n
}

// bufferedRun runs cmds in a session of the test table, its output and
// errors into one log, buffered or not.
func bufferedRun(t *testing.T, cmds string, buffered bool) *writeLog {
	t.Helper()
	base, _, _ := testSession()
	log := &writeLog{}
	s := NewSession(base.Table, namedWriter{log, "out"}, namedWriter{log, "err"})
	if buffered {
		s.BufferOutput()
	}
	s.RunString(cmds, true)
	s.FlushOutput()
	return log
}

// A script's results, buffered, are the same bytes in far fewer writes;
// errors keep their place among them when both streams go to one file.
func TestBufferedOutputSameBytesFewerWrites(t *testing.T) {
	var b strings.Builder
	for i := range 2000 {
		b.WriteString("val x\n")
		if i%500 == 0 {
			b.WriteString("refused\n")
		}
	}
	plain := bufferedRun(t, b.String(), false)
	gathered := bufferedRun(t, b.String(), true)
	if plain.text() != gathered.text() {
		t.Fatalf("buffered output differs from unbuffered:\n%.300q\n%.300q", plain.text(), gathered.text())
	}
	if n := plain.count("out"); n < 2000 {
		t.Fatalf("unbuffered: %d writes of results, want one a result (2000)", n)
	}
	// 2000 results of 8 bytes: a write before each of the four errors,
	// one at the end, and perhaps one the linger timer made.
	if n := gathered.count("out"); n > 10 {
		t.Errorf("buffered: %d writes of results, want a few", n)
	}
	if n := gathered.count("err"); n != 4 {
		t.Errorf("buffered: %d writes of errors, want 4", n)
	}
}

// Bytes left in the buffer go out by themselves a moment later (a command
// that then waits still shows what came before it), with no flush asked.
func TestBufferedOutputLingersBriefly(t *testing.T) {
	base, _, _ := testSession()
	log := &writeLog{}
	s := NewSession(base.Table, namedWriter{log, "out"}, io.Discard)
	s.BufferOutput()
	s.Print("first\n")
	if got := log.text(); got != "" {
		t.Fatalf("written at once: %q (the buffer should hold it)", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for log.text() != "first\n" {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the buffer still held %q", "first\n")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Lines read from a pipe: every answer is out before the next line is
// waited for, so whoever feeds the shell sees it at once (the linger timer
// is an hour here: the answer must come from the flush before the read).
func TestBufferedOutputBeforeReadingAPipe(t *testing.T) {
	base, _, _ := testSession()
	var out fakeTerminal // a stream safe to read while the session writes
	s := NewSession(base.Table, &out, io.Discard)
	s.BufferOutput()
	s.term.outBuf.linger = time.Hour // only the flush before the read can send it
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() { done <- s.RunLines(pr, "stdin", false) }()
	for i := range 3 {
		if _, err := io.WriteString(pw, "val x\n"); err != nil {
			t.Fatal(err)
		}
		want := strings.Repeat("('x', 80)\n", i+1)
		deadline := time.Now().Add(10 * time.Second)
		for out.String() != want {
			if time.Now().After(deadline) {
				t.Fatalf("line %d: the answer was not out while the shell waited for the next line: %q", i+1, out.String())
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	pw.Close()
	if rc := <-done; rc != ExitOK {
		t.Fatalf("run ended %d", rc)
	}
}
