package faketerm

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// table is a shell whose commands stand for a background server:
// `event TEXT…` logs an asynchronous line as a server would, `say TEXT`
// prints a result, `fail` an error.
func table() *shell.Table {
	t := shell.NewTable(
		&shell.Command{Name: "event", Summary: "logs a server's line", Group: "t", Args: []shell.Arg{shell.Many("TEXT", nil)},
			Run: func(c *shell.Call) (any, error) {
				c.Session.Emit(shell.Event{Kind: "test", Resource: "srv1", Message: words(c)})
				return nil, nil
			}},
		&shell.Command{Name: "say", Summary: "prints a result", Group: "t", Args: []shell.Arg{shell.Many("TEXT", nil)},
			Run: func(c *shell.Call) (any, error) { return shell.Text(words(c) + "\n"), nil }},
		&shell.Command{Name: "fail", Summary: "fails", Group: "t",
			Run: func(c *shell.Call) (any, error) { return nil, fmt.Errorf("it broke") }},
	)
	t.Add(shell.Builtins()...)
	return t
}

func words(c *shell.Call) string {
	var w []string
	for i := 0; i < c.NArg(); i++ {
		w = append(w, c.Arg(i))
	}
	return strings.Join(w, " ")
}

// An asynchronous line never reaches a command's results; Events returns
// it, once, in order.
func TestAsyncLinesApartFromResults(t *testing.T) {
	tm := New(t, table())
	if out := tm.MustExec("event connection from A; say hello; event closed A"); out != "hello\n" {
		t.Errorf("results %q, want only the command's own", out)
	}
	if got, want := tm.Events(), []string{"# [srv1] connection from A", "# [srv1] closed A"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if got := tm.Events(); len(got) != 0 {
		t.Errorf("events taken twice: %q", got)
	}
	tm.MustExec("set format json")
	if out := tm.MustExec("event in json"); out != `{"command":"event in json","result":null}`+"\n" {
		t.Errorf("a json event among the results: %q", out)
	}
	if got := tm.Events(); len(got) != 1 || !strings.HasPrefix(got[0], `{"event":`) {
		t.Errorf("json events %q", got)
	}
}

// recorder is a testing.TB that keeps the failures of a transcript the
// test expects to fail.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func runRecorded(t *testing.T, transcript string) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.txt")
	if err := os.WriteFile(path, []byte(transcript), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	RunTranscript(r, table(), path, nil, Hooks{})
	return r.errors
}

// In a transcript, results are matched with no room for an asynchronous
// line, and asynchronous lines are asserted as their own stream: an
// unexpected error can no longer hide in a "*" meant for a server's line,
// and a server's line no command asserted fails the transcript.
func TestTranscriptAsyncStream(t *testing.T) {
	pass := "event connection from A\nsay hi\n\thi\nevent closed A\n" +
		"say done\n\tdone\n\t# [srv1] connection from A\n\t# [srv1] closed...\n"
	if errs := runRecorded(t, pass); len(errs) != 0 {
		t.Errorf("a transcript asserting its events failed: %q", errs)
	}
	unasserted := "event connection from A\nsay hi\n\thi\n"
	if errs := runRecorded(t, unasserted); len(errs) != 1 || !strings.Contains(errs[0], "no command asserted") {
		t.Errorf("an unasserted event: %q, want one failure", errs)
	}
	wrong := "event connection from A\nsay hi\n\thi\n\t# [srv1] connection from B\n"
	if errs := runRecorded(t, wrong); len(errs) != 1 || !strings.Contains(errs[0], "asynchronous lines so far") {
		t.Errorf("a wrong event: %q, want one failure", errs)
	}
	hidden := "say hi; fail\n\thi\n"
	if errs := runRecorded(t, hidden); len(errs) != 1 || !strings.Contains(errs[0], "it broke") {
		t.Errorf("an unexpected error: %q, want one failure", errs)
	}
}
