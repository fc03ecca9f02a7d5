package shell

import (
	"bytes"
	"context"
	"io"
	"syscall"
	"testing"
	"time"
)

// Every statement leaves one quiet command event: its line, name, result
// kind or error class and errno, a duration and its Python lines.
func TestCommandEvents(t *testing.T) {
	tab := NewTable(
		&Command{Name: "val", Summary: "x", Group: "g", Args: []Arg{Opt("X", nil)},
			Run: func(c *Call) (any, error) { c.Python("x = (1, 2)"); return Tuple{"127.0.0.1", 80}, nil }},
		&Command{Name: "bad", Summary: "x", Group: "g",
			Run: func(c *Call) (any, error) { return nil, ErrnoError(syscall.ECONNREFUSED, "") }})
	var out bytes.Buffer
	s := NewSession(tab, &out, io.Discard)
	s.KeepGoing = true
	s.Exec(context.Background(), "val x; bad; nosuch", "")
	var got []Event
	for _, e := range s.Events().Recent(0) {
		if e.Kind == EventCommand {
			got = append(got, e)
		}
	}
	if len(got) != 3 {
		t.Fatalf("want 3 command events, got %d: %+v", len(got), got)
	}
	want := []struct{ line, cmd, key, val string }{
		{"val x", "val", "result", "tuple"},
		{"bad", "bad", "error", "ConnectionRefusedError"},
		{"nosuch", "nosuch", "error", "UsageError"},
	}
	for i, w := range want {
		e := got[i]
		if !e.Quiet {
			t.Errorf("event %d is not quiet", i)
		}
		if l, _ := e.Attr("line"); l != w.line {
			t.Errorf("event %d line = %v, want %q", i, l, w.line)
		}
		if c, _ := e.Attr("command"); c != w.cmd {
			t.Errorf("event %d command = %v, want %q", i, c, w.cmd)
		}
		if v, _ := e.Attr(w.key); v != w.val {
			t.Errorf("event %d %s = %v, want %q", i, w.key, v, w.val)
		}
		if d, ok := e.Attr("duration"); !ok {
			t.Errorf("event %d has no duration", i)
		} else if _, ok := d.(time.Duration); !ok {
			t.Errorf("event %d duration is %T", i, d)
		}
	}
	if n, _ := got[1].Attr("errno"); n != int(syscall.ECONNREFUSED) {
		t.Errorf("errno = %v, want %d", n, syscall.ECONNREFUSED)
	}
	if py, _ := got[0].Attr("python"); len(py.([]string)) != 1 {
		t.Errorf("python = %v", py)
	}
	if out.Len() == 0 || bytes.Contains(out.Bytes(), []byte("command")) {
		t.Errorf("output should hold the result and no event line: %q", out.String())
	}
}
