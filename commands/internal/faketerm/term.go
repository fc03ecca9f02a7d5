// Package faketerm is the session harness of the commands' tests, in the
// spirit of delve's fake terminal: a shell session whose output is a
// buffer; Exec runs a line and returns what it printed as results and as
// errors, MustExec and AssertExec check them. Asynchronous lines (the
// background servers' events) are captured apart from results: Events
// returns them, so no test has to filter them and none can mistake one for
// a result. Transcripts (transcript.go) run through the same Term.
package faketerm

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// ExecBound bounds one Exec: a guard against a hang, not a timing assertion.
const ExecBound = 2 * time.Minute

// Term is a session driven by a test.
type Term struct {
	t       testing.TB
	Session *shell.Session
	out     testenv.Buffer
	errs    testenv.Buffer
	evs     testenv.Buffer // the session's printed events, apart (SetEventWriter)

	mu     sync.Mutex
	events []string // asynchronous lines not yet taken by Events
}

// New makes a session over table, closed (with its sockets and servers)
// when the test ends.
func New(t testing.TB, table *shell.Table) *Term {
	tm := &Term{t: t}
	tm.Session = shell.NewSession(table, &tm.out, &tm.errs)
	tm.Session.SetEventWriter(&tm.evs)
	t.Cleanup(tm.Session.CloseAll)
	return tm
}

// IsAsync reports whether a line is an asynchronous line rather than a
// command's result: a background server's event, which the session prints
// as a '#' comment naming its source ("# [echo …] …") or, in json format,
// as an {"event": …} document. The harness does not need it to capture
// events (the session hands them to a writer of their own); transcripts
// use it to tell an expected event from an expected result.
func IsAsync(line string) bool {
	return strings.HasPrefix(line, "# [") || strings.HasPrefix(line, `{"event":`)
}

// results takes the standard output written so far, and keeps the events
// printed meanwhile for Events.
func (tm *Term) results() string {
	text := tm.out.Take()
	for _, l := range strings.SplitAfter(tm.evs.Take(), "\n") {
		if l == "" {
			continue
		}
		tm.mu.Lock()
		tm.events = append(tm.events, strings.TrimSuffix(l, "\n"))
		tm.mu.Unlock()
	}
	return text
}

// Exec runs a line and returns its results (standard output without the
// asynchronous lines) and its errors (standard error).
func (tm *Term) Exec(line string) (stdout, stderr string) {
	tm.t.Helper()
	tm.results() // what came before belongs to no command
	tm.errs.Take()
	ctx, cancel := context.WithTimeout(context.Background(), ExecBound)
	defer cancel()
	tm.Session.Exec(ctx, line, "")
	return tm.results(), tm.errs.Take()
}

// MustExec runs a line that must print no error and returns its results.
func (tm *Term) MustExec(line string) string {
	tm.t.Helper()
	out, errs := tm.Exec(line)
	if errs != "" {
		tm.t.Fatalf("%s: unexpected error output:\n%s", line, errs)
	}
	return out
}

// AssertExec runs a line that must print want and no error.
func (tm *Term) AssertExec(line, want string) {
	tm.t.Helper()
	if got := tm.MustExec(line); got != want {
		tm.t.Errorf("%s:\n got %q\nwant %q", line, got, want)
	}
}

// AssertExecError runs a line that must fail with an error containing
// wantErr, and returns the error output.
func (tm *Term) AssertExecError(line, wantErr string) string {
	tm.t.Helper()
	_, errs := tm.Exec(line)
	if !strings.Contains(errs, wantErr) {
		tm.t.Errorf("%s: error output %q, want one containing %q", line, errs, wantErr)
	}
	return errs
}

// Running is a line started by Start.
type Running struct {
	tm   *Term
	done chan string
}

// Start runs a line in the background (a download, a blocking accept) and
// returns at once; Wait returns its errors once it has finished and Output
// its results so far.
func (tm *Term) Start(line string) *Running {
	return tm.StartContext(context.Background(), line)
}

// StartContext is Start with a context the test may cancel.
func (tm *Term) StartContext(ctx context.Context, line string) *Running {
	tm.results()
	tm.errs.Take()
	r := &Running{tm: tm, done: make(chan string, 1)}
	go func() {
		ctx, cancel := context.WithTimeout(ctx, ExecBound)
		defer cancel()
		tm.Session.Exec(ctx, line, "")
		r.done <- tm.errs.String()
	}()
	return r
}

// Done delivers the line's error output once it has finished.
func (r *Running) Done() <-chan string { return r.done }

// Output returns the results the line printed so far (and takes them).
func (r *Running) Output() string { return r.tm.results() }

// Events returns the asynchronous lines printed since the last call, in
// the order they came.
func (tm *Term) Events() []string {
	tm.results()
	tm.mu.Lock()
	defer tm.mu.Unlock()
	ev := tm.events
	tm.events = nil
	return ev
}
