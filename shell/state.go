// Per-session state, typed and owned by the family that uses it: a family
// declares a key once,
//
//	var history = shell.NewStateKey("gopher", func() gopherHistory { return gopherHistory{} })
//
// and reads and changes its value only through the key, under the
// session's state lock. Keys are values, not strings, so two families
// cannot share a slot by accident, and no type assertion can fail.
package shell

// StateKey names one family's state in every session; T is its type.
type StateKey[T any] struct {
	name string   // for a reader of the code and of a panic
	init func() T // the value a session starts with
}

// NewStateKey declares a kind of per-session state, made by init in each
// session on first use.
func NewStateKey[T any](name string, init func() T) *StateKey[T] {
	return &StateKey[T]{name: name, init: init}
}

// Name is the name the key was declared with.
func (k *StateKey[T]) Name() string { return k.name }

// With runs f on the session's value, under the session's state lock, so
// reads and changes from different goroutines never race. f must be quick
// and must not use a state key itself (the lock is not reentrant); it may
// print.
func (k *StateKey[T]) With(s *Session, f func(v *T)) {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	f(k.slot(s))
}

// Get returns a copy of the session's value (for a value made of plain
// fields; change it with With).
func (k *StateKey[T]) Get(s *Session) T {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return *k.slot(s)
}

// slot is the session's value for the key, made on first use; the caller
// holds s.stateMu.
func (k *StateKey[T]) slot(s *Session) *T {
	if v, ok := s.state[k]; ok {
		return v.(*T) // stored under k by k alone, so always a *T
	}
	if s.state == nil {
		s.state = map[any]any{}
	}
	v := new(T)
	*v = k.init()
	s.state[k] = v
	return v
}
