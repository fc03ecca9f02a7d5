// export python FILE: the session as a runnable Python 3 script. Each
// statement's Python lines (the command log, shell/cmdlog.go) in order, a
// print of each result the shell printed as a Python value, a failed call
// caught with its class so the script goes on as the session did, and the
// demo servers the session started written as socketserver threads at the
// top (export_servers.go), so the script runs alone.
package commands

import (
	"fmt"
	"strings"
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
)

// exportFormatArg is what export writes: Python, for now the one format.
var exportFormatArg = shell.Choices("format", "python")

func exportCommands() []*shell.Command {
	return []*shell.Command{{
		Name: "export", Group: shell.GroupShell,
		Summary: "Write the session as a runnable Python 3 script: the same calls in order, printing the same results.",
		HelpFunc: func() string {
			return wrapText("Writes FILE: `import socket`, the session's timeout as socket.setdefaulttimeout, then each "+
				"command of the session in order as a comment (# >>> the line) followed by its Python lines (the ones "+
				"explain shows). A result the shell printed as a Python value (a number, bytes, a tuple) is printed "+
				"with print(repr(...)), so the script's output matches the session's results line for line; a table or "+
				"a socket's repr is not printed. A call that failed in the session is wrapped in try/except of the "+
				"class it raised, printing the error as the shell did, so the script goes on as the session did. "+
				"The demo servers the session started (serve echo, discard, daytime, chargen, over TCP or UDP) are "+
				"written at the top as socketserver threads on the same addresses; a gopher server becomes a comment "+
				"saying how to start one. Commands with no Python equivalent (help, set format, timeline) are comments. "+
				"The shell keeps the last 65536 commands for export (and at most 16 MiB of their text: lines, Python); "+
				"the script's header says how many older ones "+
				"it does not have. An existing FILE is never replaced without --force.", 80)
		},
		Python:   "# the session's Python lines, in order: open(file, 'x').write(script)",
		Examples: []string{"export python session.py", "export python session.py --force"},
		Args:     []shell.Arg{shell.Req("python", exportFormatArg), shell.Req("FILE", shell.FileArg), shell.OptFlag("force")},
		Flags:    []shell.Flag{{Name: "force", Help: "replace FILE if it exists, or a symbolic link there (never followed)"}},
		Run:      runExport,
	}}
}

func runExport(c *shell.Call) (any, error) {
	file := c.Arg(1)
	if file == "" {
		return nil, c.UsageError("FILE is empty")
	}
	entries, dropped := c.Session.Commands()
	sc := buildScript(entries, dropped, exportServers.Get(c.Session), time.Now())
	o := fileio.Options{}
	if c.Has("force") {
		o.Policy = fileio.Force
	}
	// The script is the shell's own work, not a call of the session's: a
	// comment says so (as serve's does), so that a later export, which
	// holds this line, still runs.
	c.Python("# export python %s: the shell writes the session's Python lines there", oneLine(shell.StrRepr(file)))
	f, err := fileio.Create(c.Ctx, file, o)
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	if _, err := f.Write([]byte(sc.text)); err != nil {
		return nil, err
	}
	if _, err := f.Commit(); err != nil {
		return nil, err
	}
	if dropped > 0 {
		c.Note("the session's first %s are not in the script (the shell keeps the last %d, and at most %d MiB of their text)", count(int(dropped), "command"), shell.CommandLogSize, shell.CommandLogBytes>>20)
	}
	for _, n := range sc.gophers {
		c.Note("%s is a gopher server, with no short Python equivalent: the script says how to start it", n)
	}
	text := fmt.Sprintf("wrote %s: %s as %s of Python", file, count(sc.commands, "command"), count(sc.statements, "statement"))
	if sc.comments > 0 {
		text += fmt.Sprintf(" (%d as comments only: no Python for them, or not run)", sc.comments)
	}
	return shell.Repr{Text: text, JSON: map[string]any{
		"file": file, "commands": sc.commands, "statements": sc.statements, "comments": sc.comments,
		"dropped": dropped, "servers": sc.servers, "gopher": sc.gophers,
	}}, nil
}

// script is an export's text and what went into it.
type script struct {
	text       string
	commands   int      // the session's commands it covers
	statements int      // Python statements it runs for them
	comments   int      // commands that are only a comment
	servers    []string // demo servers written as Python, by session name
	gophers    []string // servers left as a comment
}

// pyValueKinds are the result kinds (shell.ResultKind) the shell prints
// as Python prints them, with repr: those the script prints too.
var pyValueKinds = map[string]bool{"int": true, "float": true, "str": true, "bytes": true, "tuple": true, "list": true, "bool": true}

// buildScript writes the script of a session's commands (entries, oldest
// first, after dropped older ones) with its demo servers.
func buildScript(entries []shell.CommandEntry, dropped uint64, servers []servedServer, now time.Time) script {
	sc := script{servers: []string{}, gophers: []string{}}
	var b strings.Builder
	b.Grow(2048 + 96*len(entries)) // about 80 bytes a command
	b.WriteString("#!/usr/bin/env python3\n")
	fmt.Fprintf(&b, "# A sockshell session as Python 3, written by `export python` at %s.\n", now.UTC().Format("2006-01-02 15:04:05 UTC"))
	b.WriteString("# Each command of the session is a comment (# >>> the line as typed) followed by\n" +
		"# the Python that does the same; results print as the shell printed them, and\n" +
		"# an error the session hit is caught with its class, so the script goes on.\n")
	if dropped > 0 {
		fmt.Fprintf(&b, "#\n# NOTE: the session's first %s are not here: sockshell keeps the\n"+
			"# last %d (at most %d MiB of their text) for export. Names they made (sockets,\n"+
			"# servers) are not defined below.\n",
			count(int(dropped), "command"), shell.CommandLogSize, shell.CommandLogBytes>>20)
	}
	// Only the servers whose serve command is here: the others' commands
	// were dropped with their names.
	kept := map[string]bool{}
	for _, e := range entries {
		if made, _ := e.Attr("made"); made != nil {
			kept[fmt.Sprint(made)] = true
		}
	}
	var here []servedServer
	for _, s := range servers {
		if kept[s.name] {
			here = append(here, s)
		}
	}
	b.WriteString("\nimport socket\n")
	if usesSSL(entries) {
		b.WriteString("import ssl\n")
	}
	if pyServers(here) {
		b.WriteString("import socketserver\nimport threading\n")
		if usesDaytime(here) {
			b.WriteString("import time\n")
		}
	}
	if len(entries) > 0 {
		fmt.Fprintf(&b, "\n%s  # the session's timeout for new sockets (set timeout)\n", entries[0].DefaultTimeout)
	}
	if len(here) > 0 {
		b.WriteString(serversPython(here))
		for _, s := range here {
			if s.kind == "gopher" {
				sc.gophers = append(sc.gophers, s.name)
			} else {
				sc.servers = append(sc.servers, s.name)
			}
		}
	}
	running := map[string]bool{} // Python servers started and not yet stopped
	byName := map[string]servedServer{}
	for _, s := range here {
		byName[s.name] = s
	}
	for _, e := range entries {
		sc.commands++
		b.WriteString("\n")
		n, comment := writeStep(&b, e, byName, running)
		sc.statements += n
		if comment {
			sc.comments++
		}
	}
	if len(running) > 0 {
		b.WriteString("\n# The servers are daemon threads: they end with the script.\n")
	}
	sc.text = b.String()
	return sc
}

// writeStep writes one command of the session: its line as a comment,
// then its Python. It returns the statements written and whether the
// command is only a comment.
func writeStep(b *strings.Builder, e shell.CommandEntry, servers map[string]servedServer, running map[string]bool) (int, bool) {
	line, _ := e.Attr("line")
	name, _ := e.Attr("command")
	errClass, failed := e.Attr("error")
	kind, _ := e.Attr("result")
	pyAny, _ := e.Attr("python")
	py, _ := pyAny.([]string)
	fmt.Fprintf(b, "# >>> %s\n", oneLine(fmt.Sprint(line)))

	switch {
	case failed && errClass == "UsageError":
		b.WriteString("# (the shell refused it: nothing ran)\n")
		return 0, true
	case failed && errClass == "KeyboardInterrupt":
		// Run here, the call would wait (until the timeout) where Ctrl-C
		// ended it in the session.
		b.WriteString("# (Ctrl-C interrupted it in the session; not run here)\n")
		for _, p := range py {
			writeCommented(b, p)
		}
		return 0, true
	case name == "source" && !failed:
		// Its lines ran as commands of their own: they are the steps above.
		b.WriteString("# (the lines it ran are the steps above)\n")
		return 0, true
	case name == "serve" && !failed:
		made, _ := e.Attr("made")
		if s, ok := servers[fmt.Sprint(made)]; ok {
			if s.kind == "gopher" {
				fmt.Fprintf(b, "# (%s: a gopher server, no Python here; see the top of the script)\n", s.name)
				return 0, true
			}
			running[s.name] = true
			fmt.Fprintf(b, "# (%s: started at the top of the script, as Python's socketserver)\n", s.name)
			return 0, false
		}
	case name == "stop" && !failed:
		var stopped []string
		if r := e.Resource; r != "" {
			stopped = []string{r}
		} else {
			for _, s := range sortedServers(servers) {
				if running[s] {
					stopped = append(stopped, s)
				}
			}
		}
		n := 0
		for _, s := range stopped {
			if running[s] {
				fmt.Fprintf(b, "%s.shutdown()\n%s.server_close()\n", s, s)
				delete(running, s)
				n += 2
			}
		}
		if n > 0 {
			return n, false
		}
	}
	if !hasStatement(py) {
		switch {
		case len(py) > 0:
		case failed:
			// As a command on a closed socket: refused before any call.
			fmt.Fprintf(b, "# (it failed in the session with %s%s; the shell recorded no Python for it)\n", oneLine(fmt.Sprint(errClass)), errnoText(e))
		case isSetDNS(fmt.Sprint(line)):
			b.WriteString("# (no Python equivalent: Python's socket module asks the system's resolver,\n" +
				"# so this script's name lookups do not go to that server)\n")
		default:
			b.WriteString("# (no Python equivalent)\n")
		}
		for _, p := range py {
			writeCommented(b, p)
		}
		return 0, true
	}
	if !failed && kind == "table" {
		// Not printed: the shell's table is not what Python prints.
		b.WriteString("# (the shell showed the result as a table; the script does not print it)\n")
	}
	if failed {
		class := fmt.Sprint(errClass)
		b.WriteString("try:\n")
		for _, p := range py {
			b.WriteString(indent(p, "    ") + "\n")
		}
		if pyExceptionClass(class) {
			fmt.Fprintf(b, "except %s as e:\n    print(%s, e)\n", class, shell.StrRepr(class+":"))
		} else {
			// sockshell's own class, which Python does not have: Python
			// raises one of its own, printed with its name.
			whose := "a class of sockshell's"
			if strings.HasPrefix(class, "dns.") || strings.HasPrefix(class, "ssl.") {
				whose = "a class of the " + class[:strings.IndexByte(class, '.')] + " module's" // dnspython's, ssl's: imported by the lines above
			}
			fmt.Fprintf(b, "except Exception as e:  # the session raised %s, %s\n", oneLine(class), whose)
			b.WriteString("    print(type(e).__name__ + ':', e)\n")
		}
		return len(py), false
	}
	last := len(py) - 1
	for i, p := range py {
		if i == last && pyValueKinds[fmt.Sprint(kind)] && isExpression(p) {
			code, comment := splitComment(p)
			fmt.Fprintf(b, "print(repr(%s))%s\n", code, comment)
			continue
		}
		b.WriteString(p + "\n")
	}
	return len(py), false
}

// isSetDNS reports whether a statement sets the shell's DNS server.
func isSetDNS(line string) bool {
	f := strings.Fields(line)
	return len(f) >= 3 && f[0] == "set" && f[1] == "dns"
}

// oneLine keeps a text on one comment line.
func oneLine(s string) string { return lineBreaks.Replace(s) }

var lineBreaks = strings.NewReplacer("\r", `\r`, "\n", `\n`)

// writeCommented writes a Python statement as comment lines.
func writeCommented(b *strings.Builder, p string) {
	for _, l := range strings.Split(p, "\n") {
		if strings.HasPrefix(l, "#") {
			b.WriteString(l + "\n")
		} else {
			b.WriteString("# " + l + "\n")
		}
	}
}

func indent(p, by string) string {
	return by + strings.ReplaceAll(p, "\n", "\n"+by)
}

// pyBuiltinErrors are Python's built-in exception classes an error of the
// shell can name.
var pyBuiltinErrors = map[string]bool{
	"OSError": true, "ValueError": true, "OverflowError": true, "TypeError": true, "NameError": true,
	"IndexError": true, "KeyError": true, "UnicodeError": true, "RecursionError": true, "TimeoutError": true,
	"BlockingIOError": true, "ChildProcessError": true, "ConnectionError": true, "BrokenPipeError": true,
	"ConnectionAbortedError": true, "ConnectionRefusedError": true, "ConnectionResetError": true,
	"FileExistsError": true, "FileNotFoundError": true, "InterruptedError": true, "IsADirectoryError": true,
	"NotADirectoryError": true, "PermissionError": true, "ProcessLookupError": true, "EOFError": true,
	"UnicodeDecodeError": true, "UnicodeEncodeError": true, "RuntimeError": true,
}

// pyExceptionClass reports whether class is one Python has: a built-in
// or one of the socket module's (socket.gaierror, socket.herror).
func pyExceptionClass(class string) bool {
	return pyBuiltinErrors[class] || class == "socket.gaierror" || class == "socket.herror" || class == "socket.timeout"
}

// errnoText is ", errno 9" for an entry whose error has an errno.
func errnoText(e shell.CommandEntry) string {
	if n, ok := e.Attr("errno"); ok {
		return fmt.Sprintf(" [Errno %v]", n)
	}
	return ""
}
