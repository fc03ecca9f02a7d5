// The command type: commands are data, read by the dispatcher, help,
// completion and the generated reference alike.
package shell

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Flag is an option a command accepts, as --name (Value false) or
// --name VALUE (Value true). Options may stand anywhere after the command name.
type Flag struct {
	Name  string
	Value bool
	Meta  string // the value's name in help ("FILE"); default: the name in capitals
	Help  string
	Kind  *ArgKind // what the value is, for Tab (FileArg for --out FILE); nil: nothing to offer
}

// Synopsis is how help shows the option: "--out FILE", "--hex".
func (f Flag) Synopsis() string {
	if !f.Value {
		return "--" + f.Name
	}
	meta := f.Meta
	if meta == "" {
		meta = strings.ToUpper(f.Name)
	}
	return "--" + f.Name + " " + meta
}

// Command is one command of the shell, declared once: its usage
// (Usage), arity check (Arity), Tab completion, help and the reference all
// derive from its Args (or Forms) and Flags.
type Command struct {
	Name    string   // canonical name
	Aliases []string // other names
	Group   Group    // heading in the help listing
	Summary string   // one sentence, shown in the grouped help list
	Help    string   // longer prose
	// HelpFunc, when set, makes the longer prose when it is shown (help
	// CMD, the reference) instead of Help: prose that would otherwise be
	// wrapped or assembled at every start, as the table is built.
	HelpFunc func() string
	Python   string   // the Python it corresponds to
	Examples []string // example lines, shown by help and the reference
	// Args are the positional arguments, in order (args.go).
	Args []Arg
	// Forms, instead of Args, are the grammars of a command that has
	// several (connect SOCK HOST PORT | connect HOST PORT); the words of a
	// call are the first form they fit (Call.Form).
	Forms [][]Arg
	Flags []Flag
	Run   func(c *Call) (any, error)
}

// Call is one run of a command: its context, session, arguments and the
// explain trace it builds.
type Call struct {
	Ctx     context.Context
	sctx    signalCtx // what Ctx points to while the command runs (exec.go)
	Session *Session
	Cmd     *Command
	Line    string // the statement as typed
	Args    []Word
	flags   map[string]string
	form    int   // the form of Cmd the words are
	values  []any // the words as their kinds parsed them
	// valueBuf holds values for a line of a few words (no allocation
	// of its own: the Call is one already).
	valueBuf [4]any
	python   []string
	trace    []string
	notes    []string
	timing   []Attr    // the phases the command measured, in order (Timing)
	start    time.Time // when the statement began
}

// Timing records one measured phase of the command ("DNS", "handshake",
// "rtt", "first byte"): it goes into the command's event and, with set
// timing on, under the result.
func (c *Call) Timing(phase string, d time.Duration) {
	if c.timing == nil {
		c.timing = make([]Attr, 0, 4) // a connect has three: DNS, handshake, rtt
	}
	c.timing = append(c.timing, Attr{Key: phase, Value: d})
}

// Arg returns positional argument i as text ("" if absent).
func (c *Call) Arg(i int) string {
	if i < len(c.Args) {
		return c.Args[i].Text
	}
	return ""
}

// NArg is the number of positional arguments.
func (c *Call) NArg() int { return len(c.Args) }

// Flag returns an option's value and whether it was given.
func (c *Call) Flag(name string) (string, bool) {
	v, ok := c.flags[name]
	return v, ok
}

// Has reports whether a boolean option was given.
func (c *Call) Has(name string) bool { _, ok := c.flags[name]; return ok }

// Python records a Python statement that does what this command does. Each
// statement, run in order after `import socket`, does what the command did,
// binding the shell's names (s1 = ..., s3, addr = s1.accept()); a statement of
// several lines (a with block) is one call, its lines joined by "\n" and
// indented as Python wants them. A command that fails records the Python that
// raises the same exception; a command the shell refuses (a UsageError) shows
// none, whatever it recorded.
func (c *Call) Python(format string, args ...any) {
	c.python = append(c.python, fmt.Sprintf(format, args...))
}

// PythonLine records a Python line spelled already (no formatting: a
// command on every line's path joins its pieces itself).
func (c *Call) PythonLine(line string) { c.python = append(c.python, line) }

// Syscalls records system calls the command made, as they happened.
func (c *Call) Syscalls(lines ...string) { c.trace = append(c.trace, lines...) }

// Note adds a line of context printed after the result ("from the embedded table").
func (c *Call) Note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// Explaining reports whether explain mode is on, for commands that do
// extra work only to explain.
func (c *Call) Explaining() bool { return c.Session.Settings.Explain }

// UsageError is the usage error of this command.
func (c *Call) UsageError(why string) *Error {
	msg := "usage: " + c.Cmd.Usage()
	if why != "" {
		msg = why + "; " + msg
	}
	return &Error{Class: "UsageError", Msg: msg}
}

// Group is a heading of the help listing and the reference.
type Group string

// GroupShell is the group of the shell's own commands.
const GroupShell Group = "The shell"

// parseArgs separates options from positional words. A quoted word is
// never an option; "--" ends options.
func parseArgs(cmd *Command, words []Word) ([]Word, map[string]string, error) {
	var flags map[string]string // made for the first option (most lines have none)
	pos := make([]Word, 0, len(words))
	endOpts := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		if endOpts || w.Quoted || !strings.HasPrefix(w.Text, "--") || len(w.Text) < 3 || isNumber(w.Text) {
			if !w.Quoted && w.Text == "--" && !endOpts {
				endOpts = true
				continue
			}
			pos = append(pos, w)
			continue
		}
		name, val, hasVal := strings.Cut(w.Text[2:], "=")
		var f *Flag
		for j := range cmd.Flags {
			if cmd.Flags[j].Name == name {
				f = &cmd.Flags[j]
			}
		}
		if f == nil {
			return nil, nil, fmt.Errorf("unknown option --%s", name)
		}
		if f.Value && !hasVal {
			if i+1 >= len(words) {
				return nil, nil, fmt.Errorf("option --%s needs a value", name)
			}
			i++
			val = words[i].Text
		} else if !f.Value && hasVal {
			return nil, nil, fmt.Errorf("option --%s takes no value", name)
		}
		if flags == nil {
			flags = map[string]string{}
		}
		flags[name] = val
	}
	return pos, flags, nil
}

func isNumber(s string) bool {
	s = strings.TrimLeft(s, "-")
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}
