// The shell's own commands: help, set, explain, source, history, exit/quit.
package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/sockshell/sockshell/shell/fileio"
)

// Builtins returns the shell's own commands; they need a *Table to describe,
// which they read from the session at run time.
func Builtins() []*Command {
	return []*Command{
		{
			Name: "help", Aliases: []string{"?"}, Group: GroupShell,
			Summary:  "List the commands, or show one command's usage, help and Python equivalent.",
			Help:     "With no argument, help lists every command by group with its one-line summary. With a command name, it shows the synopsis, the longer help, the Python the command corresponds to, and examples.",
			Python:   "help(socket)",
			Examples: []string{"help", "help servport"},
			Args:     []Arg{Opt("COMMAND", CommandArg)},
			Run:      runHelp,
		},
		{
			Name: "set", Group: GroupShell,
			Summary:  "Show or change a setting (set alone lists them with their values).",
			Help:     setIntro, // and a line for each setting: Table.Add sets its HelpFunc, describeSettings
			Python:   "socket.setdefaulttimeout(30)",
			Examples: []string{"set", "set format json", "set timeout 2.5", "set dns 127.0.0.1:5353"},
			Args:     []Arg{Opt("NAME", settingArg), Opt("VALUE", settingValueArg).Nested(InPrev)},
			Run:      runSet,
		},
		{
			Name: "explain", Group: GroupShell,
			Summary: "Show the Python equivalent and the system calls of each command as it runs.",
			Help: "The same as set explain. With explain on, each command first prints the Python that does the same thing (>>> ...) and, for sockets, the system calls it made with their results (  # ...).\n" +
				"The Python lines, pasted in order into python3 after `import socket`, do what the commands did, under the same names; explain on itself shows the session's timeout as socket.setdefaulttimeout. The shell's own servers show as a comment; a command the shell refuses shows no Python line.",
			Python:   "",
			Examples: []string{"explain on", "servport http tcp"},
			Args:     []Arg{Opt("", onOffArg)},
			Run: func(c *Call) (any, error) {
				if c.NArg() == 0 {
					return Shown{"explain is " + onOff(c.Session.Settings.Explain), c.Session.Settings.Explain}, nil
				}
				if err := c.Session.Set("explain", c.Arg(0)); err != nil {
					return nil, err
				}
				if c.Session.Settings.Explain {
					// New sockets get the session's timeout (set timeout); in
					// Python that is the default timeout, so the lines that
					// follow behave as the shell's commands do.
					c.Python("%s", c.Session.pyDefaultTimeout())
				}
				return None, nil
			},
		},
		{
			Name: "source", Group: GroupShell,
			Summary:  "Run a script of commands, one a line, '#' for comments.",
			Help:     "Runs each line of FILE as if typed at the prompt. The first failing line stops the script, and its error says FILE:LINE. FILE is read line by line as it comes, at any length: a FIFO (mkfifo) works too, and Ctrl-C ends a wait for its writer.",
			Python:   "exec(open(file).read())",
			Examples: []string{"source demo.sock"},
			Args:     []Arg{Req("FILE", FileArg)},
			Run:      runSource,
		},
		{
			Name: "history", Group: GroupShell,
			Summary: "Show the command history (the last N lines).",
			Help:    "Lines typed at the prompt are kept in $XDG_STATE_HOME/sockshell/history (mode 0600). A line that begins with a space is kept out of it. Ctrl-R searches it.",
			Args:    []Arg{Opt("N", Int(0, math.MaxInt32, "10", "100"))},
			Run: func(c *Call) (any, error) {
				h := c.Session.History
				if c.NArg() == 1 {
					// A whole number: Sscan read 1e3 as 1 and 10x as 10.
					if n := c.Int(0); n < len(h) {
						h = h[len(h)-n:]
					}
				}
				var b strings.Builder
				base := len(c.Session.History) - len(h)
				lines := List{}
				for i, l := range h {
					fmt.Fprintf(&b, "%5d  %s\n", base+i+1, l)
					lines = append(lines, l)
				}
				return Shown{b.String(), lines}, nil
			},
		},
		{
			Name: "exit", Aliases: []string{"quit"}, Group: GroupShell,
			Summary:  "Close every socket and server, then leave (Ctrl-D does the same).",
			Help:     "STATUS (0-255) is the exit status of sockshell, so a script can end with one: exit 3. Without it, a -c, script or pipe run ends with 1 if a command failed, else 0.",
			Python:   "sys.exit(status)",
			Examples: []string{"exit", "exit 3"},
			Args:     []Arg{Opt("STATUS", Int(0, 255))},
			Run: func(c *Call) (any, error) {
				if c.NArg() == 0 {
					c.Session.Exit()
					return None, nil
				}
				n := c.Int(0)
				c.Python("sys.exit(%d)", n)
				c.Session.ExitWith(n)
				return None, nil
			},
		},
	}
}

// The kinds of the builtins' arguments.
var (
	// settingArg is a setting's name: one the table's families declared.
	settingArg = &ArgKind{Name: "setting", Complete: func(s *Session, _ string) []string { return s.Table.settingNames() }}
	// settingValueArg is a value for the setting named before it, as its
	// declaration offers them.
	settingValueArg = &ArgKind{Name: "value", CompleteAfter: func(s *Session, before []string, _ string) []string {
		if len(before) == 0 {
			return nil
		}
		if st := s.Table.Setting(before[0]); st != nil {
			return st.Values
		}
		return nil
	}}
	// onOffArg is on or off; Session.Set checks it, with the setting's own message.
	onOffArg = &ArgKind{Name: "on or off", Words: []string{"on", "off"},
		Complete: func(*Session, string) []string { return []string{"on", "off"} }}
)

func runHelp(c *Call) (any, error) {
	t := c.Session.Table
	if c.NArg() == 1 {
		cmd := t.Lookup(c.Arg(0))
		if cmd == nil {
			return nil, c.Session.unknown(c.Arg(0))
		}
		return Text(HelpText(cmd)), nil
	}
	var b strings.Builder
	for _, g := range t.Groups() {
		fmt.Fprintf(&b, "%s:\n", g)
		for _, cmd := range t.Commands() {
			if cmd.Group == g {
				fmt.Fprintf(&b, "  %-12s %s\n", cmd.Name, cmd.Summary)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("Type help COMMAND for more on one command. Tab completes names and arguments.\n")
	return Text(b.String()), nil
}

// HelpText is one command's full help, as `help CMD` prints it.
func HelpText(cmd *Command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s\n\n%s\n", cmd.Usage(), cmd.Summary)
	if help := cmd.HelpProse(); help != "" {
		fmt.Fprintf(&b, "\n%s\n", help)
	}
	if len(cmd.Flags) > 0 {
		b.WriteString("\noptions:\n")
		for _, f := range cmd.Flags {
			fmt.Fprintf(&b, "  %-16s %s\n", f.Synopsis(), f.Help)
		}
	}
	if len(cmd.Aliases) > 0 {
		fmt.Fprintf(&b, "\naliases: %s\n", strings.Join(cmd.Aliases, ", "))
	}
	if cmd.Python != "" {
		fmt.Fprintf(&b, "\nPython: %s\n", cmd.Python)
	}
	if len(cmd.Examples) > 0 {
		b.WriteString("\nexamples:\n")
		for _, e := range cmd.Examples {
			fmt.Fprintf(&b, "  >>> %s\n", e)
		}
	}
	return b.String()
}

func runSet(c *Call) (any, error) {
	s := c.Session
	switch c.NArg() {
	case 0:
		r := &Rows{Header: []string{"setting", "value"}}
		for _, st := range s.Table.Settings() {
			text, v := st.Get(s)
			r.Append(st.Name, Shown{text, v})
		}
		return r, nil
	case 1:
		st, err := s.lookupSetting(c.Arg(0))
		if err != nil {
			return nil, err
		}
		text, v := st.Get(s)
		return Shown{st.Name + " = " + text, v}, nil
	}
	st, err := s.lookupSetting(c.Arg(0))
	if err != nil {
		return nil, err
	}
	err = st.Set(s, c.Arg(1))
	if st.Python != nil {
		if py := st.Python(s, c.Arg(1), err); py != "" {
			c.Python("%s", py)
		}
	}
	return None, err
}

// sourceDepth counts the source commands running inside one another.
var sourceDepth = NewStateKey("source.depth", func() int { return 0 })

func runSource(c *Call) (any, error) {
	// Opened without blocking and checked on the descriptor; a FIFO is read
	// as it comes, and Ctrl-C ends a wait for its writer.
	f, err := fileio.Open(c.Ctx, c.Arg(0), fileio.Streams)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := c.Session
	deep := false
	sourceDepth.With(s, func(depth *int) {
		if deep = *depth >= 8; !deep {
			*depth++
		}
	})
	if deep {
		return nil, Errorf("RecursionError", "source nested more than 8 deep")
	}
	defer sourceDepth.With(s, func(depth *int) { *depth-- })
	// The script's lines run under this command's context, so Ctrl-C ends the script.
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	// Streamed line by line, as a script file or a pipe is: any length.
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxLine+1)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		text := sc.Text()
		if lineNo == 1 {
			text = strings.TrimPrefix(text, bom)
		}
		ctx := c.Ctx
		if e := s.execAt(context.WithoutCancel(ctx), text, Location{Name: c.Arg(0), Line: lineNo}); e != nil {
			e.reported = true // printed already, with its FILE:LINE
			return nil, e
		}
		s.mu.Lock()
		s.cancel = cancel
		s.mu.Unlock()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if s.exit {
			return None, nil
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, Usagef("%s:%d: line is too long (over 1 MiB); nothing of it was run", displayName(c.Arg(0)), lineNo+1)
		}
		return nil, err
	}
	return None, nil
}
