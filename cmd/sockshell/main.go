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
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sockshell/sockshell/commands"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
	"golang.org/x/term"
)

// version is set by the linker for releases.
var version = "0.1.0-dev"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// safeWriter escapes what it writes as the shell escapes text for a terminal.
type safeWriter struct{ w io.Writer }

func (s safeWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, shell.SafeText(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
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
	s := shell.NewSession(commands.Table(), stdout, stderr)
	s.Stdin = stdin
	for _, kv := range [][2]string{{"format", *format}, {"timeout", *timeout}, {"dns", *dns}} {
		if kv[1] == "" {
			continue
		}
		if err := s.Set(kv[0], kv[1]); err != nil {
			fmt.Fprintf(stderr, "sockshell: --%s: %s\n", kv[0], shell.SafeText(err.Error()))
			return 2
		}
	}
	outTTY, isTTY := stdout.(*os.File)
	isTTY = isTTY && term.IsTerminal(int(outTTY.Fd()))
	if *noColor {
		s.DisableColor()
	} else if isTTY {
		s.Set("color", "on") // refused when NO_COLOR is set
	}
	if isTTY {
		// Tables fit the terminal; a pipe or a file gets them whole.
		s.SetWidthFunc(terminalWidth(outTTY))
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
		hist = shell.HistoryPath()
	}
	return s.RunPrompt(shell.PromptOptions{
		HistoryFile: hist,
		Banner:      "sockshell " + version + ": Python's socket module at a prompt. Type help, or Tab.\n",
	})
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
