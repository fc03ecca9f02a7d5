package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A string or a regular file is read on the caller's goroutine; a pipe,
// whose read waits for its writer, on the reading goroutine.
func TestReadsWithoutWaiting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "script.sock")
	if err := os.WriteFile(path, []byte("servport http tcp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	for _, c := range []struct {
		what string
		r    any
		want bool
	}{{"a string", strings.NewReader("x"), true}, {"a regular file", f, true}, {"a pipe", pr, false}} {
		l := newLineReader(c.r.(interface{ Read([]byte) (int, error) }))
		if got := l.direct != nil; got != c.want {
			t.Errorf("%s: read directly %v, want %v", c.what, got, c.want)
		}
		l.close()
	}
}

// Read directly, the lines come in order, the end is the end, and a
// Ctrl-C that came while no command ran stops before the next line.
func TestDirectLinesAndIdleInterrupt(t *testing.T) {
	l := newLineReader(strings.NewReader("one\ntwo\n"))
	idle := make(chan struct{}, 1)
	if text, ok, err := l.next(idle); text != "one" || !ok || err != nil {
		t.Fatalf("first line: %q %v %v", text, ok, err)
	}
	idle <- struct{}{}
	if _, ok, err := l.next(idle); ok || err != errIdleInterrupt {
		t.Fatalf("after Ctrl-C: ok %v, err %v; want errIdleInterrupt", ok, err)
	}
	if text, ok, err := l.next(idle); text != "two" || !ok || err != nil {
		t.Fatalf("second line: %q %v %v", text, ok, err)
	}
	if _, ok, err := l.next(idle); ok || err != nil {
		t.Fatalf("at the end: ok %v, err %v", ok, err)
	}
}
