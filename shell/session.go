// The session: the registry of named resources (sockets, servers) and the
// one locked path to the terminal. Its settings are in settings.go, the
// families' state in state.go.
package shell

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Resource is something the session holds by name and closes on exit.
type Resource interface {
	Close() error
}

// Named is a registered resource and its name.
type Named struct {
	Name     string
	Resource Resource
}

// Session is the state of one run of the shell.
type Session struct {
	Settings Settings
	Table    *Table
	History  []string // lines of history, oldest first
	Stdin    io.Reader
	// KeepGoing runs the statements after a failing one (--keep-going);
	// the run still ends with exit status 1.
	KeepGoing bool

	mu            sync.Mutex // guards out, errw, and writes to them
	out           io.Writer
	errw          io.Writer
	async         io.Writer // where background output goes at the prompt (readline's writer); nil: queued
	events        []string  // background lines queued until the next command boundary
	droppedEvents int
	res           map[string]Resource
	order         []string
	counters      map[string]int
	stateMu       sync.Mutex  // guards state (state.go)
	state         map[any]any // per-family state, by *StateKey
	cancel        func()
	exit          bool
	exitCode      int // the status `exit N` asked for, if exitSet
	exitSet       bool
	noColor       bool         // NO_COLOR or --no-color: colour can never be turned on
	color         atomic.Bool  // read by background servers' log lines, so atomic
	jsonLogs      atomic.Bool  // format is json: background lines are JSON documents too
	widthFn       func() int   // set once, before the session runs
	width         atomic.Int64 // the terminal's columns for tables; 0: no limit (a pipe)

	// interrupted: Ctrl-C has cancelled the running command already, so
	// another Ctrl-C while it still runs leaves the shell.
	interrupted bool
}

// NewSession makes a session writing results to out and errors to errw.
func NewSession(t *Table, out, errw io.Writer) *Session {
	s := &Session{
		Table: t, out: out, errw: errw,
		res: map[string]Resource{}, counters: map[string]int{},
		Settings: Settings{Prompt: ">>> ", Timeout: DefaultTimeout},
	}
	if os.Getenv("NO_COLOR") != "" {
		// no-color.org: set and not empty. NO_COLOR= leaves colour allowed.
		s.noColor = true
	}
	return s
}

// SetWidth sets a fixed width that tables are fitted to; 0 for a pipe or
// a file, which get every table at its full width.
func (s *Session) SetWidth(columns int) { s.width.Store(int64(max(columns, 0))) }

// SetWidthFunc hands the session a way to read the width of the terminal
// results go to, asked at each render so a resized window is seen at once
// (main decides whether output is a terminal, and hands this in before
// the session runs). A result <= 0 falls back to SetWidth's value.
func (s *Session) SetWidthFunc(f func() int) { s.widthFn = f }

// Width is the width tables are fitted to; 0: no limit.
func (s *Session) Width() int {
	if s.widthFn != nil {
		if w := s.widthFn(); w > 0 {
			return w
		}
	}
	return int(s.width.Load())
}

// DisableColor turns colour off for good (NO_COLOR, --no-color).
func (s *Session) DisableColor() { s.noColor = true; s.color.Store(false) }

// setJSONEvents says whether background lines are JSON documents (`set
// format json`).
func (s *Session) setJSONEvents(on bool) { s.jsonLogs.Store(on) }

// colorOn reports whether colour is on (`set color`).
func (s *Session) colorOn() bool { return s.color.Load() }

// setColor turns colour on or off (`set color`); on is refused when colour
// is off for good.
func (s *Session) setColor(on bool) error {
	if on && s.noColor {
		return Usagef("colour is off for good in this session (NO_COLOR is set to a non-empty value, or --no-color)")
	}
	s.color.Store(on)
	return nil
}

// Register adds a resource under the next free name with the prefix ("s" →
// s1, s2, …). Names are never reused in a session.
func (s *Session) Register(prefix string, r Resource) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters[prefix]++
	name := prefix + strconv.Itoa(s.counters[prefix])
	s.res[name] = r
	s.order = append(s.order, name)
	return name
}

// Resource returns the resource of that name.
func (s *Session) Resource(name string) (Resource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.res[name]
	return r, ok
}

// Remove forgets a resource (it does not close it).
func (s *Session) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.res, name)
	for i, n := range s.order {
		if n == name {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
}

// Resources lists the registered resources in the order they were made.
func (s *Session) Resources() []Named {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Named, 0, len(s.order))
	for _, n := range s.order {
		out = append(out, Named{n, s.res[n]})
	}
	return out
}

// ResourceNames lists names whose resource satisfies keep (nil: all), for completion.
func (s *Session) ResourceNames(keep func(Resource) bool) []string {
	var out []string
	for _, r := range s.Resources() {
		if keep == nil || keep(r.Resource) {
			out = append(out, r.Name)
		}
	}
	return out
}

// CloseAll closes every resource, newest first, and empties the registry.
func (s *Session) CloseAll() {
	all := s.Resources()
	for i := len(all) - 1; i >= 0; i-- {
		all[i].Resource.Close()
		s.Remove(all[i].Name)
	}
}

// Exit asks the loop to end after the current command.
func (s *Session) Exit() { s.exit = true }

// ExitWith asks the loop to end after the current command with status code.
func (s *Session) ExitWith(code int) { s.exit, s.exitCode, s.exitSet = true, code, true }

// exitStatus is the run's status: what `exit N` asked for, else status.
func (s *Session) exitStatus(status int) int {
	if s.exitSet {
		return s.exitCode
	}
	return status
}

// Async reports a line of background output (a server's log): an event,
// not an error. At the prompt it prints at once, above the line being
// typed. Elsewhere (-c, a script, a pipe, tests) it is queued and printed on
// standard output at the next command boundary, in order, as a '#' comment
// line ("# [echo 127.0.0.1:7] connection from …"), or in json format as a
// {"event":"log","message":…} document; so a line from before a command
// never prints after that command's output, and errors keep stderr alone.
func (s *Session) Async(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.async != nil {
		if s.jsonLogs.Load() {
			doc, _ := marshalJSON(map[string]string{"event": "log", "message": line})
			s.async.Write(doc)
			return
		}
		fmt.Fprintln(s.async, s.paint(dim, SafeText(line)))
		return
	}
	if len(s.events) >= maxQueuedEvents {
		s.droppedEvents++
		return
	}
	s.events = append(s.events, line)
}

// maxQueuedEvents bounds the background lines held while one command runs;
// more are counted and the count is printed.
const maxQueuedEvents = 1000

// FlushEvents prints the queued background lines on standard output.
func (s *Session) FlushEvents() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == 0 && s.droppedEvents == 0 {
		return
	}
	lines := s.events
	if s.droppedEvents > 0 {
		lines = append(lines, fmt.Sprintf("%d more background lines were dropped while one command ran (at most %d are kept)", s.droppedEvents, maxQueuedEvents))
	}
	var b strings.Builder
	for _, l := range lines {
		if s.jsonLogs.Load() {
			doc, _ := marshalJSON(map[string]string{"event": "log", "message": l})
			b.Write(doc)
			continue
		}
		b.WriteString(s.paint(dim, "# "+SafeText(strings.ReplaceAll(l, "\n", `\n`))) + "\n")
	}
	s.events, s.droppedEvents = nil, 0
	io.WriteString(s.out, b.String())
}

// Status draws a one-line status (a download's progress) on standard
// error, replacing the previous one; "" clears it. It takes the session's
// lock, so it never splits a background server's log line.
func (s *Session) Status(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	io.WriteString(s.errw, "\r\x1b[K"+SafeText(text))
}

// Print writes text to standard output through the session's lock.
func (s *Session) Print(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	io.WriteString(s.out, text)
}

// Stdout is the writer for results (for streaming commands); writes to it
// are not locked, so use it only from the running command.
func (s *Session) Stdout() io.Writer { return s.out }

func (s *Session) printErr(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	io.WriteString(s.errw, text)
}

const (
	red = "31"
	dim = "2"
)

func (s *Session) paint(code, text string) string {
	if !s.color.Load() {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}
