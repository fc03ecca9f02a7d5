// The loops: the interactive prompt (readline) and the non-interactive runs
// (-c, a script file, piped standard input), all feeding one dispatcher.
package shell

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/chzyer/readline"
	"github.com/sockshell/sockshell/shell/fileio"
)

// Exit statuses of a run.
const (
	ExitOK        = 0
	ExitError     = 1
	ExitInterrupt = 130
)

// exitProcess ends the process; a test replaces it.
var exitProcess = os.Exit

// handleSignals installs the session's one SIGINT handler: it cancels the
// running command; a second Ctrl-C while that command still runs (stuck
// where a cancel cannot reach) leaves the shell. With no command running,
// onIdle decides what happens. SIGTERM and SIGHUP end the shell at once
// (status 128+N, as the signal's default would), removing the temporary
// files of writes under way first.
func (s *Session) handleSignals(onIdle func()) (stop func()) {
	sub := notifySignals(s.signalHandler(onIdle))
	return func() { stopSignals(sub) }
}

// handleSignalsWhenArmed is handleSignals for a run whose reads of its
// lines never wait (-c, a script file): the handler is in place, and the
// process subscribes when something a signal must stop or save appears
// (armSignals, signals.go).
func (s *Session) handleSignalsWhenArmed(onIdle func()) (stop func()) {
	sub := addSignalHandler(s.signalHandler(onIdle))
	return func() { stopSignals(sub) }
}

// signalHandler is the session's handler of SIGINT, SIGTERM and SIGHUP.
func (s *Session) signalHandler(onIdle func()) func(os.Signal) {
	// Called on the process's one goroutine that receives signals
	// (signals.go): a run starts no goroutine of its own for them.
	return func(sig os.Signal) {
		if n, ok := sig.(syscall.Signal); ok && n != syscall.SIGINT {
			// Told to end (kill, a closed terminal): the running command
			// is not waited for, and its half-written temporary file is
			// removed, as its own end would; a recording keeps its
			// finished records (saveOnExit).
			s.saveOnExit()
			fileio.RemoveTemps()
			s.FlushOutput()
			exitProcess(128 + int(n))
			return
		}
		if s.interruptedBefore() {
			s.printErr("KeyboardInterrupt: the command did not stop at the first Ctrl-C; leaving sockshell\n")
			s.saveOnExit()
			fileio.RemoveTemps()
			s.FlushOutput()
			exitProcess(ExitInterrupt)
			return
		}
		if !s.Interrupt() && onIdle != nil {
			onIdle()
		}
	}
}

// RunLines runs commands read from r, one line at a time, without readline:
// no prompt, no history. name labels errors ("script.sock:3: ", "stdin:5: ").
// A UTF-8 byte order mark at the start is skipped. The first failing command
// stops the run unless keepGoing; `exit N` ends it with status N. A Ctrl-C
// while no command runs ends the run with ExitInterrupt: the caller's
// goroutine closes what the session holds and returns, whatever r is
// blocked in.
func (s *Session) RunLines(r io.Reader, name string, keepGoing bool) int {
	s.KeepGoing = keepGoing
	defer func() { s.KeepGoing = false }()
	idle := make(chan struct{}, 1)
	onIdle := func() {
		s.idleInterrupt.Store(true)
		select {
		case idle <- struct{}{}:
		default:
		}
	}
	lines := newLineReader(r)
	handle := s.handleSignals
	if lines.direct != nil {
		// Its lines never wait: the signals are armed by what waits.
		handle = s.handleSignalsWhenArmed
	}
	stop := handle(onIdle)
	defer stop()
	defer s.EndRecording() // the last records: what the servers said as they stopped
	defer s.FlushEvents()  // what the servers said as they stopped
	defer s.CloseAll()
	defer lines.close()
	if r == s.Stdin {
		s.linesFromStdin.Store(true)
		defer s.linesFromStdin.Store(false)
	}
	status := ExitOK
	lineNo := 0
	for {
		if lines.direct == nil {
			// A pipe or a terminal may make the read wait: whoever feeds
			// the lines sees every answer before the shell waits for more.
			s.FlushOutput()
		}
		endIdle := s.startIdle()
		text, ok, err := lines.next(idle)
		endIdle() // before the line runs
		if errors.Is(err, errIdleInterrupt) {
			return ExitInterrupt
		}
		if !ok {
			if err != nil {
				e := Usagef("reading input: %v", err)
				if errors.Is(err, bufio.ErrTooLong) {
					e = Usagef("line %d is too long (over 1 MiB)", lineNo+1)
				}
				prefix := ""
				if name != "" {
					prefix = displayName(name) + ": "
				}
				s.printError(prefix, e)
				return ExitError
			}
			return status
		}
		lineNo++
		if lineNo == 1 {
			text = strings.TrimPrefix(text, bom)
		}
		if e := s.execAt(context.Background(), text, Location{Name: name, Line: lineNo}); e != nil {
			if e.Class == "KeyboardInterrupt" {
				return ExitInterrupt
			}
			status = ExitError
			if !keepGoing {
				return status
			}
		}
		if s.exit {
			return s.exitStatus(status)
		}
	}
}

// errIdleInterrupt: Ctrl-C came while the run waited for a line.
var errIdleInterrupt = errors.New("interrupted while waiting for input")

// lineReader reads lines on a goroutine of its own, one when asked, so
// that the run can stop on Ctrl-C while a read blocks (a pipe that stays
// open): it never reads ahead of the line asked for.
type lineReader struct {
	ask  chan struct{}
	got  chan scanned
	done bool
	// direct is set for a source whose reads never wait (a regular file,
	// a string): its lines are read on the caller's goroutine, without
	// two goroutine hand-offs a line.
	direct *bufio.Scanner
}

type scanned struct {
	text string
	ok   bool
	err  error
}

func newLineReader(r io.Reader) *lineReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, readBufferSize(r)), maxLine+1)
	if readsWithoutWaiting(r) {
		return &lineReader{direct: sc}
	}
	l := &lineReader{ask: make(chan struct{}), got: make(chan scanned, 1)}
	go func() {
		for range l.ask {
			if sc.Scan() {
				l.got <- scanned{text: sc.Text(), ok: true}
				continue
			}
			l.got <- scanned{err: sc.Err()}
			return
		}
	}()
	return l
}

// readBufferSize is the first buffer the lines of r are read into: 64 KiB,
// or for a string in memory (-c) just its size (the buffer grows for a
// longer line, up to maxLine).
func readBufferSize(r io.Reader) int {
	const size = 64 * 1024
	n := size
	switch r := r.(type) {
	case *strings.Reader:
		n = r.Len() + 1
	case *bytes.Reader:
		n = r.Len() + 1
	}
	return min(n, size)
}

// close lets the reading goroutine end (after a read under way returns).
func (l *lineReader) close() {
	if !l.done {
		l.done = true
		if l.direct == nil {
			close(l.ask)
		}
	}
}

// readsWithoutWaiting reports whether a read of r returns at once: a
// string or bytes in memory, or a regular file (not a pipe, a FIFO, a
// terminal or a socket, whose reads wait for a writer).
func readsWithoutWaiting(r io.Reader) bool {
	switch r := r.(type) {
	case *strings.Reader, *bytes.Reader:
		return true
	case interface{ Regular() bool }: // fileio.Input, a script file
		return r.Regular()
	case *os.File:
		fi, err := r.Stat()
		return err == nil && fi.Mode().IsRegular()
	}
	return false
}

// next returns the next line; ok is false at the end of the input (err
// says why, nil for the end itself). A signal on idle stops the wait.
func (l *lineReader) next(idle <-chan struct{}) (text string, ok bool, err error) {
	if l.done {
		return "", false, nil
	}
	if l.direct != nil {
		select {
		case <-idle:
			return "", false, errIdleInterrupt
		default:
		}
		if l.direct.Scan() {
			return l.direct.Text(), true, nil
		}
		l.close()
		return "", false, l.direct.Err()
	}
	select {
	case l.ask <- struct{}{}:
	case <-idle:
		return "", false, errIdleInterrupt
	}
	select {
	case r := <-l.got:
		if !r.ok {
			l.close()
		}
		return r.text, r.ok, r.err
	case <-idle:
		return "", false, errIdleInterrupt
	}
}

// bom is the UTF-8 byte order mark some editors put at the start of a file.
const bom = "\ufeff"

// RunString runs `-c` commands (';' or newlines between them); errors say
// "-c:LINE:".
func (s *Session) RunString(cmds string, keepGoing bool) int {
	return s.RunLines(strings.NewReader(cmds), "-c", keepGoing)
}

// Interactive options.
type PromptOptions struct {
	HistoryFile string // "" for no history file
	Stdin       io.ReadCloser
	Stdout      io.Writer
	Stderr      io.Writer
	Banner      string
}

// RunPrompt runs the interactive prompt until exit, quit or Ctrl-D.
func (s *Session) RunPrompt(o PromptOptions) int {
	cfg := &readline.Config{
		Prompt:                 SafeText(s.PromptText()),
		AutoComplete:           completer{s},
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		HistoryLimit:           historyLimit,
	}
	// The keys come through promptInput, so that an event can wake
	// readline's key loop and be printed there (terminal.go).
	var stdin io.Reader = readline.Stdin
	if o.Stdin != nil {
		stdin = o.Stdin
	}
	in := newPromptInput(stdin)
	cfg.Stdin = in
	cfg.FuncFilterInputRune = s.term.filterRune
	if o.Stdout != nil {
		cfg.Stdout = o.Stdout
	}
	if o.Stderr != nil {
		cfg.Stderr = o.Stderr
	}
	// readline gets no HistoryFile: the shell keeps the file (history.go).
	var hist *historyFile
	if o.HistoryFile != "" {
		warn := func(msg string) { s.printErr(SafeText(msg) + "\n") }
		h, err := s.openHistory(o.HistoryFile, warn)
		if err != nil {
			s.printErr(SafeText(fmt.Sprintf("warning: history off: %v\n", err)))
		} else {
			hist = h
			defer hist.close()
		}
	}
	s.atPrompt = true
	defer func() { s.atPrompt = false }()
	rl, err := readline.NewEx(cfg)
	if err != nil {
		s.printErr(SafeText(fmt.Sprintf("cannot start the prompt: %v\n", err)))
		return ExitError
	}
	defer rl.Close()
	defer in.Close() // first: a read blocked on the keys returns, and rl.Close does not wait for it
	s.loadReadlineHistory(rl)
	s.term.startLive(rl.Stdout(), in)
	defer s.EndRecording()
	defer s.term.stopLive() // after CloseAll: what the servers said as they stopped
	stop := s.handleSignals(nil)
	defer stop()
	defer s.CloseAll()
	if o.Banner != "" {
		s.Print(o.Banner)
	}
	for !s.exit {
		// The prompt is text like any other: a control byte in it (set
		// prompt, perhaps from a sourced script) is shown escaped, never
		// sent to the terminal.
		rl.SetPrompt(SafeText(s.PromptText()))
		s.flushRecording() // before the wait for a line: nothing finished waits in memory
		endIdle := s.startIdle()
		s.term.beginPrompt()
		line, err := s.promptLine(rl) // rl.Readline(), or a replay's step (replay.go)
		s.term.endPrompt()
		endIdle() // before any command runs: the hooks never race it
		if errors.Is(err, readline.ErrInterrupt) {
			continue // Ctrl-C at the prompt clears the line (and stops a replay)
		}
		if errors.Is(err, io.EOF) {
			break // Ctrl-D on an empty line
		}
		if err != nil {
			s.printErr(SafeText(fmt.Sprintf("reading the prompt: %v\n", err)))
			return ExitError
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !strings.HasPrefix(line, " ") {
			s.remember(rl, hist, line)
		}
		s.Exec(context.Background(), line, "")
	}
	return s.exitStatus(ExitOK)
}
