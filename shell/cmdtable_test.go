package shell

import (
	"slices"
	"sync"
	"testing"
)

// TestTableBuildsGroupsAsLookupsNeed: a group added with AddLater is made
// when a lookup reaches it, the groups in the order they were added, and
// only as far as the name; the whole table (Commands, Names) makes the
// rest; the commands keep the order of the adds, an eager Add after a
// waiting group included; an unknown name makes everything and finds
// nothing.
func TestTableBuildsGroupsAsLookupsNeed(t *testing.T) {
	var made []string
	group := func(name string, cmds ...string) func() []*Command {
		return func() []*Command {
			made = append(made, name)
			var out []*Command
			for _, c := range cmds {
				out = append(out, &Command{Name: c, Group: "g"})
			}
			return out
		}
	}
	newTable := func() *Table {
		tb := NewTable(&Command{Name: "first", Group: "g"})
		tb.AddLater(group("A", "a1", "a2"))
		tb.AddLater(group("B", "b1"))
		tb.Add(&Command{Name: "eager", Group: "g"})
		tb.AddLater(group("C", "c1"))
		return tb
	}
	made = nil
	tb := newTable()
	if len(made) != 0 {
		t.Fatalf("made at the start: %v", made)
	}
	if c := tb.Lookup("first"); c == nil || len(made) != 0 {
		t.Fatalf("Lookup(first) = %v, made %v: want it, nothing made", c, made)
	}
	if c := tb.Lookup("a2"); c == nil || !slices.Equal(made, []string{"A"}) {
		t.Fatalf("Lookup(a2) = %v, made %v: want it, A only", c, made)
	}
	if c := tb.Lookup("eager"); c == nil || !slices.Equal(made, []string{"A", "B"}) {
		t.Fatalf("Lookup(eager) = %v, made %v: want it, A and B", c, made)
	}
	var names []string
	for _, c := range tb.Commands() {
		names = append(names, c.Name)
	}
	if want := []string{"first", "a1", "a2", "b1", "eager", "c1"}; !slices.Equal(names, want) || !slices.Equal(made, []string{"A", "B", "C"}) {
		t.Fatalf("Commands = %v (made %v), want %v", names, made, want)
	}

	made = nil
	tb = newTable()
	if c := tb.Lookup("nosuch"); c != nil || !slices.Equal(made, []string{"A", "B", "C"}) {
		t.Fatalf("Lookup(nosuch) = %v, made %v: want nil, everything made", c, made)
	}
	if n := tb.Names(); !slices.Contains(n, "c1") || len(n) != 6 {
		t.Fatalf("Names = %v", n)
	}
}

// TestTableDuplicateInALaterGroup: a name that a waiting group repeats is
// found (a panic) once the whole table is asked for, as the tests that
// walk it (the reference, help) do.
func TestTableDuplicateInALaterGroup(t *testing.T) {
	tb := NewTable(&Command{Name: "x"})
	tb.AddLater(func() []*Command { return []*Command{{Name: "x"}} })
	defer func() {
		if recover() == nil {
			t.Fatal("a duplicate name in a later group did not panic")
		}
	}()
	tb.Commands()
}

// TestTableLookupsAtOnce: lookups from several goroutines while groups
// are still waiting each find their command (run with -race).
func TestTableLookupsAtOnce(t *testing.T) {
	tb := NewTable()
	for g := range 8 {
		tb.AddLater(func() []*Command {
			return []*Command{{Name: string(rune('a' + g))}}
		})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := string(rune('a' + 7 - g))
			if c := tb.Lookup(name); c == nil || c.Name != name {
				t.Errorf("Lookup(%s) = %v", name, c)
			}
		}()
	}
	wg.Wait()
	if n := len(tb.Commands()); n != 8 {
		t.Errorf("%d commands, want 8", n)
	}
}
