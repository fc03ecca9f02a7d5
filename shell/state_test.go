package shell

import (
	"sync"
	"testing"
)

// TestStateKeysAreTypedAndApart: two families that pick the same name still
// get a value each, of its own type, made on first use in each session.
func TestStateKeysAreTypedAndApart(t *testing.T) {
	a := NewStateKey("shared", func() int { return 7 })
	b := NewStateKey("shared", func() []string { return []string{"x"} })
	s1, s2 := NewSession(NewTable(), nil, nil), NewSession(NewTable(), nil, nil)
	a.With(s1, func(v *int) { *v++ })
	if got := a.Get(s1); got != 8 {
		t.Errorf("a in s1 = %d, want 8", got)
	}
	if got := a.Get(s2); got != 7 {
		t.Errorf("a in s2 = %d, want 7 (a session of its own)", got)
	}
	if got := b.Get(s1); len(got) != 1 || got[0] != "x" {
		t.Errorf("b in s1 = %q", got)
	}
}

// TestStateIsRaceFree: changes from many goroutines (a command, a Tab
// completion, a server) are all kept; go test -race checks that none races.
func TestStateIsRaceFree(t *testing.T) {
	seen := NewStateKey("seen", func() map[int]bool { return map[int]bool{} })
	s := NewSession(NewTable(), nil, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				seen.With(s, func(m *map[int]bool) { (*m)[g*100+i] = true })
				seen.With(s, func(m *map[int]bool) { _ = (*m)[i] })
			}
		}()
	}
	wg.Wait()
	n := 0
	seen.With(s, func(m *map[int]bool) { n = len(*m) })
	if n != 800 {
		t.Errorf("%d of 800 changes kept", n)
	}
}
