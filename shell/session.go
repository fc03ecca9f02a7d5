// The session: the registry of named resources (sockets, servers). Its
// settings are in settings.go, the families' state in state.go, the
// terminal it prints through in terminal.go and its event log in event.go.
package shell

import (
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
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

	mu         sync.Mutex // guards the registry and cancel
	term       *Terminal  // the one owner of standard output and standard error
	events     *EventLog
	started    time.Time // when the session began, the timeline's zero
	registered string    // the name Register gave last
	res        map[string]Resource
	order      []string
	counters   map[string]int
	stateMu    sync.Mutex  // guards state (state.go)
	state      map[any]any // per-family state, by *StateKey
	cancel     func()
	exit       bool
	exitCode   int // the status `exit N` asked for, if exitSet
	exitSet    bool
	// idleInterrupt is set by a Ctrl-C while no command runs in a -c,
	// script or pipe run: the run ends with ExitInterrupt.
	idleInterrupt atomic.Bool
	// atPrompt: RunPrompt runs (not -c, a script or a pipe).
	atPrompt bool
	// linesFromStdin is set while RunLines reads the commands from Stdin
	// (StdinHoldsCommands).
	linesFromStdin atomic.Bool
	// pyTimeout is the default timeout as Python spells it, kept (settings.go).
	pyTimeout atomic.Pointer[pyTimeoutText]
	// DebugPanics prints the stack of a recovered panic (main sets it
	// from SOCKSHELL_DEBUG=1), for the developers; users see one line.
	DebugPanics bool

	// Version is sockshell's version, which a recording's header names.
	Version string
	// depth counts the statements running inside one another (source);
	// replayNest the replays among them, whose steps count as typed.
	depth, replayNest int

	// interrupted: Ctrl-C has cancelled the running command already, so
	// another Ctrl-C while it still runs leaves the shell.
	interrupted bool

	// commands keeps every statement, longer than events does (cmdlog.go).
	commands commandLog
	// lastCommand is the event of the statement that ended last, for the
	// AfterCommand functions; only the goroutine running statements uses it.
	lastCommand Event
}

// NewSession makes a session writing results to out and errors to errw,
// neither a terminal until UseTerminal says so.
func NewSession(t *Table, out, errw io.Writer) *Session {
	s := &Session{
		Table: t, events: NewEventLog(), started: time.Now(),
		res: map[string]Resource{}, counters: map[string]int{},
		Settings: Settings{Prompt: ">>> ", Timeout: DefaultTimeout},
	}
	s.term = newTerminal(out, errw, s.events)
	return s
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
	s.registered = name
	return name
}

// lastRegistered is the name Register gave last ("" before any).
func (s *Session) lastRegistered() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registered
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

// CloseAll closes every resource, newest first, and empties the registry;
// what idle hooks keep between two waits is released.
func (s *Session) CloseAll() {
	all := s.Resources()
	for i := len(all) - 1; i >= 0; i-- {
		all[i].Resource.Close()
		s.Remove(all[i].Name)
	}
	s.releaseKept() // what idle hooks kept between waits (idle.go)
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

// Emit records an event in the session's log; the terminal prints it
// unless it is quiet. It never waits.
func (s *Session) Emit(e Event) { s.events.Emit(e) }

// Events is the session's event log: the last events, and subscriptions
// to new ones.
func (s *Session) Events() *EventLog { return s.events }

// Started is when the session began: the zero of its timeline.
func (s *Session) Started() time.Time { return s.started }
