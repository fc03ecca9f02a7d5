// The command table: the commands by name and alias, in the order they
// were added. A family's commands may be added as a constructor
// (AddLater) that runs when a lookup needs it: a lookup of a name the
// table does not hold yet builds the waiting groups in their order until
// the name is there, so a start whose first command is in the first group
// (`servport`, the name service's) builds that group only. Everything that
// shows or walks the whole table (help, Tab, the reference, an unknown
// name's suggestion) builds the rest first. The commands' order is the
// order of the adds, whenever each group is built.
package shell

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Table is the set of commands, looked up by name or alias.
type Table struct {
	mu       sync.Mutex          // guards the building of pending groups
	pending  []func() []*Command // groups added and not built yet, in order
	built    atomic.Bool         // nothing pending: cmds and index are read without mu
	cmds     []*Command
	index    map[string]*Command
	groups   []Group        // the order of the help listing; nil: first seen
	settings []*Setting     // the shell's own, then the families' (settings.go)
	tokens   []PromptToken  // the prompt's {NAME} words (prompt.go)
	idle     []IdleHook     // what runs while the prompt waits (idle.go)
	after    []AfterCommand // run after each statement (cmdevent.go)
}

// SetGroups declares the help groups in the order help lists them; a
// command of another group is then refused by Add, a programming error
// found by any test.
func (t *Table) SetGroups(groups ...Group) { t.groups = groups }

// NewTable builds a command table; it panics on a duplicate name, which is a
// programming error found by any test.
func NewTable(cmds ...*Command) *Table {
	t := &Table{index: map[string]*Command{}, settings: shellSettings()}
	t.built.Store(true)
	t.Add(cmds...)
	return t
}

// Add adds commands to the table. After a group that waits to be built
// (AddLater) they wait behind it, so the order stays the order of the adds.
func (t *Table) Add(cmds ...*Command) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) > 0 {
		t.pending = append(t.pending, func() []*Command { return cmds })
		return
	}
	t.add(cmds)
}

// AddLater adds a group of commands made by build when a lookup needs one
// of them, or the whole table is asked for. A duplicate name in it panics
// then: the tests that walk the whole table find it.
func (t *Table) AddLater(build func() []*Command) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, build)
	t.built.Store(false)
}

// add puts commands in the table; t.mu is held.
func (t *Table) add(cmds []*Command) {
	for _, c := range cmds {
		if t.groups != nil && !slices.Contains(t.groups, c.Group) {
			panic(fmt.Sprintf("command %s is in group %q, which is not declared", c.Name, c.Group))
		}
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			if _, dup := t.index[n]; dup {
				panic("duplicate command name " + n)
			}
			t.index[n] = c
		}
		t.cmds = append(t.cmds, c)
	}
	for _, c := range cmds {
		if c.Name == "set" && c.Run != nil {
			// Its help lists the settings declared when it is shown.
			c.HelpFunc = t.describeSettings
		}
	}
}

// buildNext builds the first group waiting; false when none waits. t.mu
// is held.
func (t *Table) buildNext() bool {
	if len(t.pending) == 0 {
		t.built.Store(true)
		return false
	}
	build := t.pending[0]
	t.pending = t.pending[1:]
	t.add(build())
	if len(t.pending) == 0 {
		t.built.Store(true)
	}
	return true
}

// all builds every group still waiting.
func (t *Table) all() {
	if t.built.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.buildNext() {
	}
}

// HelpProse is the command's longer prose: HelpFunc's when set, else Help.
func (c *Command) HelpProse() string {
	if c.HelpFunc != nil {
		return c.HelpFunc()
	}
	return c.Help
}

// Lookup finds a command by name or alias, building the groups waiting,
// in order, until one has it.
func (t *Table) Lookup(name string) *Command {
	if t.built.Load() {
		return t.index[name]
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if c := t.index[name]; c != nil {
			return c
		}
		if !t.buildNext() {
			return nil
		}
	}
}

// Commands returns the commands in the order they were added.
func (t *Table) Commands() []*Command {
	t.all()
	return t.cmds
}

// Names returns every name and alias, sorted.
func (t *Table) Names() []string {
	t.all()
	out := make([]string, 0, len(t.index))
	for n := range t.index {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Groups returns the groups in the order SetGroups declared, else in
// first-seen order; a group with no command is left out.
func (t *Table) Groups() []Group {
	t.all()
	if t.groups != nil {
		var out []Group
		for _, g := range t.groups {
			if slices.ContainsFunc(t.cmds, func(c *Command) bool { return c.Group == g }) {
				out = append(out, g)
			}
		}
		return out
	}
	var out []Group
	seen := map[Group]bool{}
	for _, c := range t.cmds {
		if !seen[c.Group] {
			seen[c.Group] = true
			out = append(out, c.Group)
		}
	}
	return out
}
