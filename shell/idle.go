// Idle hooks: work a command family does while the shell waits for the
// next line (at the prompt, or from a script or pipe), stopped, and waited
// for, before the line runs: the sockets' watcher tells notices.
package shell

// IdleHook starts work for the time the prompt waits and returns the
// function that stops it; stop returns only once the work has ended. A
// hook with nothing to do returns nil, and costs nothing.
type IdleHook func(s *Session) (stop func())

// AddIdleHook adds a hook the prompt starts each time it waits for input.
func (t *Table) AddIdleHook(h IdleHook) { t.idle = append(t.idle, h) }

// AtPrompt reports whether the session runs the interactive prompt (not
// -c, a script or piped input).
func (s *Session) AtPrompt() bool { return s.atPrompt }

// startIdle starts the table's idle hooks and returns what stops them all.
func (s *Session) startIdle() (stop func()) {
	if s.Table == nil || len(s.Table.idle) == 0 {
		return func() {}
	}
	var stops []func()
	for _, h := range s.Table.idle {
		if st := h(s); st != nil {
			stops = append(stops, st)
		}
	}
	if len(stops) == 0 {
		return func() {} // no hook started (a script's lines): nothing to stop, nothing made
	}
	return func() {
		for _, st := range stops {
			st()
		}
	}
}

// keptKey holds, for each session, what idle hooks keep from one wait to
// the next, by name: the function that releases it.
var keptKey = NewStateKey("idle kept", func() map[string]func() { return map[string]func(){} })

// KeepUntilClose registers release to run once when the session closes
// what it holds (CloseAll), for what an idle hook keeps between two waits
// (the watcher's epoll sets); registering key again replaces it.
func (s *Session) KeepUntilClose(key string, release func()) {
	keptKey.With(s, func(m *map[string]func()) { (*m)[key] = release })
}

// releaseKept runs and forgets every release registered.
func (s *Session) releaseKept() {
	var fs []func()
	keptKey.With(s, func(m *map[string]func()) {
		for k, f := range *m {
			fs = append(fs, f)
			delete(*m, k)
		}
	})
	for _, f := range fs {
		f()
	}
}
