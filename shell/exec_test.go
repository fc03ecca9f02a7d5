package shell

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/pyerr"
)

func TestPanicIsOneLineAndTheSessionGoesOn(t *testing.T) {
	s, out, errs := testSession()
	e := s.Exec(context.Background(), "boom", "")
	if e == nil || e.Class != "InternalError" {
		t.Fatalf("error = %v", e)
	}
	if lines := strings.Count(errs.String(), "\n"); lines != 1 || strings.Contains(errs.String(), "goroutine") {
		t.Errorf("stderr = %q", errs.String())
	}
	if s.Exec(context.Background(), "val a", "") != nil || out.String() != "('a', 80)\n" {
		t.Errorf("after the panic: %q", out.String())
	}
}

func TestErrnoBecomesPythonClass(t *testing.T) {
	s, _, errs := testSession()
	s.Exec(context.Background(), "refused", "")
	if got := errs.String(); got != "ConnectionRefusedError: [Errno 111] Connection refused\n" {
		t.Errorf("got %q", got)
	}
	e := Classify(errors.Join(errors.New("ctx"), syscall.EADDRINUSE))
	if e.Class != "OSError" || e.Errno != 98 || e.Msg != "Address already in use" {
		t.Errorf("EADDRINUSE: %+v", e)
	}
	// The shell and the socket layer read one table: a closed file is
	// EBADF here too, and ESRCH has its subclass in both.
	if e := Classify(fmt.Errorf("write: %w", os.ErrClosed)); e.Error() != "OSError: [Errno 9] Bad file descriptor" {
		t.Errorf("os.ErrClosed: %v", e)
	}
}

func TestStatementsStopAtTheFirstError(t *testing.T) {
	s, out, errs := testSession()
	s.Exec(context.Background(), "val a; refused; val b", "")
	if out.String() != "('a', 80)\n" || strings.Count(errs.String(), "\n") != 1 {
		t.Errorf("out %q errs %q", out.String(), errs.String())
	}
	out.Reset()
	s.KeepGoing = true
	if e := s.Exec(context.Background(), "val a; refused; val b", ""); e == nil {
		t.Error("keep-going hid the error")
	}
	if out.String() != "('a', 80)\n('b', 80)\n" {
		t.Errorf("keep-going out %q", out.String())
	}
}

func TestFormats(t *testing.T) {
	s, out, _ := testSession()
	s.Exec(context.Background(), "rows", "")
	if strings.Contains(out.String(), "\x1b") || !strings.Contains(out.String(), `evil\x1b[2J`) || !strings.Contains(out.String(), "| http ") {
		t.Errorf("table: %q", out.String())
	}
	out.Reset()
	s.Exec(context.Background(), "set format python; rows", "")
	if out.String() != "[('http', 80), ('evil\\x1b[2J', 1)]\n" {
		t.Errorf("python: %q", out.String())
	}
	out.Reset()
	s.Exec(context.Background(), "set format json; val x", "")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var doc struct {
		Command string   `json:"command"`
		Result  []any    `json:"result"`
		Python  []string `json:"python"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Command != "val x" || len(doc.Result) != 2 || doc.Result[0] != "x" || doc.Python[0] != "f('x')" {
		t.Errorf("json: %+v", doc)
	}
}

func TestExplainShowsPython(t *testing.T) {
	s, out, _ := testSession()
	s.Exec(context.Background(), "explain on; val q", "")
	// explain on itself shows the session's timeout as Python's default.
	if out.String() != ">>> socket.setdefaulttimeout(30.0)\n>>> f('q')\n('q', 80)\n" {
		t.Errorf("got %q", out.String())
	}
}

func TestCompletion(t *testing.T) {
	s, _, _ := testSession()
	if c, p := s.Complete("va"); p != "va" || len(c) != 1 || c[0] != "val" {
		t.Errorf("command names: %q %q", c, p)
	}
	if c, _ := s.Complete("set for"); len(c) != 1 || c[0] != "format" {
		t.Errorf("set: %q", c)
	}
	if c, _ := s.Complete("val a; set format j"); len(c) != 1 || c[0] != "json" {
		t.Errorf("after ';': %q", c)
	}
	if c, _ := s.Complete("nosuch "); len(c) != 0 {
		t.Errorf("unknown command: %q", c)
	}
}

func TestRegistryNamesAreNeverReused(t *testing.T) {
	s, _, _ := testSession()
	a := s.Register("s", nopCloser{})
	s.Remove(a)
	if b := s.Register("s", nopCloser{}); a != "s1" || b != "s2" {
		t.Errorf("names %s, %s", a, b)
	}
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// TestAsyncLinesFollowTheFormat (issue 7, item 28): background lines are
// events, not errors: outside the prompt they wait for the next command
// boundary and print on standard output, as '#' comments or, in json
// format, as JSON documents; standard error keeps only errors.
func TestAsyncLinesFollowTheFormat(t *testing.T) {
	s, out, errs := testSession()
	s.Emit(Event{Kind: "connection_accepted", Resource: "echo1", Message: "connection from 127.0.0.1:5000",
		Attrs: []Attr{{"peer", netip.MustParseAddrPort("127.0.0.1:5000")}}})
	s.Emit(Event{Kind: "listening", Resource: "echo1", Message: "listening", Quiet: true})
	if out.Len() != 0 {
		t.Fatalf("printed before a command boundary: %q", out.String())
	}
	s.Exec(context.Background(), "set format json", "")
	s.Emit(Event{Kind: "connection_closed", Resource: "echo1", Message: "closed\x1b[2J",
		Attrs: []Attr{{"peer", netip.MustParseAddrPort("[::ffff:127.0.0.1]:5000")}, {"bytes_in", int64(3)}}})
	s.Exec(context.Background(), "set format", "")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || lines[0] != "# [echo1] connection from 127.0.0.1:5000" || !strings.HasPrefix(lines[3], `{"command":"set format"`) {
		t.Fatalf("lines %q", lines)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &doc); err != nil || doc["event"] != "connection_closed" || doc["resource"] != "echo1" ||
		doc["message"] != "closed\x1b[2J" || doc["bytes_in"] != 3.0 || fmt.Sprint(doc["peer"]) != "[127.0.0.1 5000]" || strings.Contains(lines[2], "\x1b") {
		t.Errorf("json event line %q: %v", lines[2], err)
	}
	if _, err := time.Parse(time.RFC3339Nano, fmt.Sprint(doc["time"])); err != nil {
		t.Errorf("json event time: %v", err)
	}
	// The quiet event is in the log, not on the terminal (nor are the
	// commands' own events).
	var evs []Event
	for _, e := range s.Events().Recent(0) {
		if e.Kind != EventCommand {
			evs = append(evs, e)
		}
	}
	if len(evs) != 3 || evs[1].Kind != "listening" {
		t.Errorf("the log holds %+v", evs)
	}
	if errs.Len() != 0 {
		t.Errorf("stderr %q, want nothing", errs.String())
	}
}

// TestJSONCommandShowsBytesLiterals: the "command" of a JSON document
// shows a b'…' word as the bytes literal it was, not as text.
func TestJSONCommandShowsBytesLiterals(t *testing.T) {
	s, out, _ := testSession()
	s.Exec(context.Background(), "set format json", "")
	out.Reset()
	s.Exec(context.Background(), `val b'\xff'`, "")
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc["command"] != `val b'\xff'` {
		t.Errorf("doc %s (%v), want command val b'\\xff'", out.String(), err)
	}
}

// TestCancelIsFoundWithErrorsIs: after Ctrl-C, an error whose chain holds
// the cancel is KeyboardInterrupt whatever its class and text say, and an
// error that only says "canceled" (the kernel's ECANCELED) is not a cancel.
func TestCancelIsFoundWithErrorsIs(t *testing.T) {
	var fail error
	tab := NewTable(&Command{Name: "cut", Summary: "interrupted", Group: "t",
		Run: func(c *Call) (any, error) {
			c.Session.Interrupt() // as Ctrl-C does while the command runs
			return nil, fail
		}})
	s := NewSession(tab, io.Discard, io.Discard)
	cases := []struct {
		err  error
		want string
	}{
		{&described{pyerr.Exception{Class: "OSError", Msg: "lookup of example.org failed"}, fmt.Errorf("await: %w", context.Canceled)}, "KeyboardInterrupt"},
		{fmt.Errorf("recv: %w", os.ErrDeadlineExceeded), "KeyboardInterrupt"},
		{syscall.ECANCELED, "OSError: [Errno 125] Operation canceled"},
	}
	for _, c := range cases {
		fail = c.err
		if e := s.Exec(context.Background(), "cut", ""); e == nil || e.Error() != c.want {
			t.Errorf("%v after Ctrl-C = %v, want %s", c.err, e, c.want)
		}
	}
}
