// Command sockshell is an interactive shell for exploring network sockets:
// Python's socket module at a prompt, on real OS sockets.
//
//	sockshell                          the interactive prompt
//	sockshell -c 'servport http tcp; resolve localhost'
//	sockshell script.sock              one command a line, '#' comments
//	echo 'servport http tcp' | sockshell
//	sockshell --format json -c '…'     one JSON document per result
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sockshell/sockshell/commands"
	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
	"golang.org/x/term"
)

// version is set by the linker for releases.
var version = "0.1.0-dev"

// main is the one place that reads the environment and the process's
// standard streams; it hands them to run.
func main() {
	home, _ := os.UserHomeDir()
	env := environment{
		// no-color.org: set and not empty. NO_COLOR= leaves colour allowed.
		noColor:   os.Getenv("NO_COLOR") != "",
		debug:     os.Getenv("SOCKSHELL_DEBUG") == "1",
		services:  os.Getenv(netdb.ServicesEnv),
		stateHome: os.Getenv("XDG_STATE_HOME"),
		locale:    cmp.Or(os.Getenv("LC_ALL"), os.Getenv("LC_MESSAGES"), os.Getenv("LANG")),
		home:      home,
	}
	os.Exit(run(os.Args[1:], env, os.Stdin, os.Stdout, os.Stderr))
}

// environment is what the shell takes from the process's environment.
type environment struct {
	noColor   bool   // NO_COLOR is set and not empty: never colour
	debug     bool   // SOCKSHELL_DEBUG=1: print the stack of a recovered panic
	services  string // SOCKSHELL_SERVICES: the services file instead of /etc/services
	stateHome string // XDG_STATE_HOME, where the history file lives
	home      string // the home directory, for ~/.local/state
	locale    string // LC_ALL, else LC_MESSAGES, else LANG: the lessons' language
}

// langFromEnv is the lessons' language from the locale: zh for a Chinese
// one (zh_CN.UTF-8, zh_TW), else "" (English).
func langFromEnv(env environment) string {
	if strings.HasPrefix(strings.ToLower(env.locale), "zh") {
		return "zh"
	}
	return ""
}

// lessonStatePath is where lesson progress is kept: beside the history,
// $XDG_STATE_HOME/sockshell/lessons.json (~/.local/state when unset).
func lessonStatePath(env environment) string {
	hist := shell.HistoryPath(env.stateHome, env.home)
	if hist == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(hist), "lessons.json")
}

// safeWriter escapes what it writes as the shell escapes text for a terminal.
type safeWriter struct{ w io.Writer }

func (s safeWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, shell.SafeText(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func run(args []string, env environment, stdin *os.File, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sockshell", flag.ContinueOnError)
	// The flag package quotes what it was given (an unknown flag): escape it.
	fs.SetOutput(safeWriter{stderr})
	var (
		cmds      = fs.String("c", "", "run these commands (';' between them) and exit")
		format    = fs.String("format", "auto", "result format: python, table, json or auto")
		timeout   = fs.String("timeout", "30", "seconds that lookups and blocking socket calls may take, or none")
		dns       = fs.String("dns", "", "HOST:PORT of a DNS server to ask instead of the system's")
		noHistory = fs.Bool("no-history", false, "keep no history file")
		noColor   = fs.Bool("no-color", false, "never use colour")
		keepGoing = fs.Bool("keep-going", false, "in -c, script and pipe modes, go on after a failing command")
		showVer   = fs.Bool("version", false, "print the version and exit")
		record    = fs.String("record", "", "record the whole run to this file, as JSON Lines (as the record command does)")
		force     = fs.Bool("force", false, "with --record: replace the file if it exists")
		allow     = fs.String("allow", "", "limit where sockets may connect, send, probe or bind (127.0.0.0/8,::1,lab.example), fixed for the session")
		lang      = fs.String("lang", "", "the lessons' language: en or zh (default: from LC_ALL, LC_MESSAGES or LANG)")
		wire      = fs.Bool("wire", false, "capture the session's own packets from the start (as wire on)")
	)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: sockshell [flags] [SCRIPT]

  sockshell                       the interactive prompt
  sockshell -c 'servport http tcp; resolve localhost'
  sockshell script.sock           one command a line, '#' comments
  echo 'servport http tcp' | sockshell

flags:
`)
		fs.PrintDefaults()
	}
	for _, a := range args {
		if a == "--" || !strings.HasPrefix(a, "-") {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			// Asked-for help is output, not an error: it goes to stdout.
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVer {
		fmt.Fprintf(stdout, "sockshell %s\n", version)
		return 0
	}
	if fs.NArg() > 1 || fs.NArg() == 1 && *cmds != "" {
		fmt.Fprintln(stderr, "sockshell: give -c COMMANDS or one SCRIPT file, not more")
		fs.Usage()
		return 2
	}
	netdb.SetServicesPath(env.services)
	s := shell.NewSession(commands.Table(), stdout, stderr)
	s.Stdin = stdin
	s.DebugPanics = env.debug
	s.Version = version
	for _, kv := range [][2]string{{"format", *format}, {"timeout", *timeout}, {"dns", *dns}} {
		if kv[1] == "" {
			continue
		}
		if err := s.Set(kv[0], kv[1]); err != nil {
			fmt.Fprintf(stderr, "sockshell: --%s: %s\n", kv[0], shell.SafeText(err.Error()))
			return 2
		}
	}
	if *allow != "" {
		if err := commands.FixAllow(s, *allow); err != nil {
			fmt.Fprintf(stderr, "sockshell: --allow: %s\n", shell.SafeText(err.Error()))
			return 2
		}
	}
	if err := commands.SetupLessons(s, commands.LessonOptions{
		Lang:      cmp.Or(*lang, langFromEnv(env)),
		StateFile: lessonStatePath(env),
	}); err != nil {
		fmt.Fprintf(stderr, "sockshell: --lang: %s\n", shell.SafeText(err.Error()))
		return 2
	}
	// Decided once, here: which streams are terminals, their width, colour.
	outTTY, errTTY := isTerminal(stdout), isTerminal(stderr)
	info := shell.TerminalInfo{OutIsTerminal: outTTY, ErrIsTerminal: errTTY,
		NoColor: *noColor || env.noColor}
	info.Color = outTTY && !info.NoColor
	if outTTY {
		// Tables fit the terminal; a pipe or a file gets them whole.
		info.Width = terminalWidth(stdout.(*os.File))
	}
	s.UseTerminal(info)
	if !outTTY {
		// A file or a pipe: results gathered into larger writes, each out
		// within moments, all out before the process ends
		// (shell/terminal_buffer.go).
		s.BufferOutput()
		defer s.FlushOutput()
	}
	if *force && *record == "" {
		fmt.Fprintln(stderr, "sockshell: --force goes with --record FILE")
		return 2
	}
	if *record != "" {
		// Started before the run, so the header has the flags' settings;
		// nothing is written when it cannot start.
		if err := s.StartRecording(*record, *force); err != nil {
			fmt.Fprintf(stderr, "sockshell: --record: %s\n", shell.SafeText(shell.Classify(err).Error()))
			return 2
		}
		defer s.EndRecording() // when the run did not start (a script that cannot be read)
	}
	if *wire {
		// Without the right to capture, said once; the session goes on.
		if err := commands.StartWire(s); err != nil {
			fmt.Fprintf(stderr, "sockshell: --wire: %s\n", shell.SafeText(shell.Classify(err).Error()))
		}
	}
	switch {
	case *cmds != "":
		return s.RunString(*cmds, *keepGoing)
	case fs.NArg() == 1:
		// A FIFO is read as it comes (Ctrl-C leaves while it waits); a
		// directory or device is refused, naming the file.
		f, err := fileio.Open(context.Background(), fs.Arg(0), fileio.Streams)
		if err != nil {
			// As Python names the error, the file name escaped.
			fmt.Fprintf(stderr, "sockshell: %s\n", shell.SafeText(shell.Classify(err).Error()))
			return 1
		}
		defer f.Close()
		return s.RunLines(f, fs.Arg(0), *keepGoing)
	case !term.IsTerminal(int(stdin.Fd())):
		return s.RunLines(stdin, "stdin", *keepGoing)
	}
	hist := ""
	if !*noHistory {
		hist = shell.HistoryPath(env.stateHome, env.home)
	}
	return s.RunPrompt(shell.PromptOptions{
		HistoryFile: hist,
		Banner:      "sockshell " + version + ": Python's socket module at a prompt. Type help, or Tab.\n",
	})
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth reads the terminal's width each time it is asked, so a
// table fits the window as it is now (after a resize, too).
func terminalWidth(tty *os.File) func() int {
	fd := int(tty.Fd())
	return func() int {
		w, _, err := term.GetSize(fd)
		if err != nil {
			return 0
		}
		return w
	}
}
