// The dispatcher: a line is lexed into statements, each statement looked up
// in the command table, checked against its usage, run, and its result rendered.
package shell

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sockshell/sockshell/shell/pyerr"
)

// maxLine bounds one input line; longer lines are refused with a usage error.
// Scripts and pipes are read with the same bound.
const maxLine = 1 << 20

// Exec runs one line of input (one or more statements separated by ';').
// It prints results and errors and returns the first error, after which the
// rest of the line does not run. prefix goes before error text ("file:3: ").
func (s *Session) Exec(ctx context.Context, line, prefix string) *Error {
	return s.execAt(ctx, line, Location{Prefix: prefix})
}

// Location says where a line came from, for its errors: a script file and
// its line, "-c" or "stdin" and the line number; or a plain prefix.
type Location struct {
	Name   string // "script.sock", "-c", "stdin"; "" for the prompt
	Line   int    // 1-based
	Prefix string // used as it is when Name is ""
}

// prefix is what goes before an error of the statement at byte column pos
// of the line: "NAME:LINE: ", or "NAME:LINE:COL: " when the line holds
// several statements, so the failing one is named.
func (l Location) prefix(pos int, several bool) string {
	if l.Name == "" {
		return l.Prefix
	}
	name := displayName(l.Name)
	if several {
		return fmt.Sprintf("%s:%d:%d: ", name, l.Line, pos+1)
	}
	return fmt.Sprintf("%s:%d: ", name, l.Line)
}

// displayName is a file name as an error shows it: as it is, or, when it
// would drive the terminal or break the line, as its repr. A file name is
// text from outside.
func displayName(name string) string {
	if SafeText(name) != name || strings.ContainsAny(name, "\n\t") {
		return StrRepr(name)
	}
	return name
}

func (s *Session) execAt(ctx context.Context, line string, loc Location) *Error {
	// The location's prefix is spelled only for an error.
	if len(line) > maxLine {
		e := Usagef("line too long (%d bytes; the limit is %d)", len(line), maxLine)
		s.printError(loc.prefix(0, false), e)
		return e
	}
	stmts, err := Lex(line)
	if err != nil {
		e := Classify(err)
		s.printError(loc.prefix(0, false), e)
		return e
	}
	var first *Error
	for _, words := range stmts {
		// Background lines from before this statement print before its output.
		s.FlushEvents()
		if s.idleInterrupt.Load() {
			// Ctrl-C came between two statements: the run ends here.
			return &Error{Class: "KeyboardInterrupt", reported: true}
		}
		e := s.execStmt(ctx, line, words)
		s.term.endCommand()
		if e != nil {
			e.command = joinWordsOf(line, words)
			s.printError(loc.prefix(words[0].Pos, len(stmts) > 1), e)
			s.afterCommand()
			if !s.KeepGoing || e.Class == "KeyboardInterrupt" {
				s.FlushEvents()
				return e
			}
			if first == nil {
				first = e
			}
		}
		s.afterCommand()
		s.FlushEvents()
		if s.exit {
			break
		}
	}
	return first
}

func (s *Session) execStmt(parent context.Context, source string, words []Word) (out *Error) {
	name := words[0].Text
	start, line := time.Now(), joinWordsOf(source, words)
	var (
		result   any
		c        *Call
		resource string
	)
	if len(words) > 1 {
		if _, ok := s.Resource(words[1].Text); ok {
			resource = words[1].Text
		}
	}
	before := s.lastRegistered()
	s.depth++ // the recording tells a statement inside another (source) from one typed
	defer func() { s.depth-- }()
	defer func() {
		made := ""
		if now := s.lastRegistered(); now != before {
			made = now // the resource the command made (socket's s1, serve's echo1)
		}
		if resource == "" {
			// A command that made a resource happened to it.
			resource = made
		}
		var python []string
		var timing []Attr
		if c != nil {
			python, timing = c.python, c.timing
		}
		s.emitCommand(name, line, resource, made, start, result, out, python, timing)
	}()
	cmd := s.Table.Lookup(name)
	if cmd == nil {
		return s.unknown(name)
	}
	args, flags, err := parseArgs(cmd, words[1:])
	if err != nil {
		return &Error{Class: "UsageError", Msg: err.Error() + "; usage: " + cmd.Usage()}
	}
	c = &Call{Session: s, Cmd: cmd, Args: args, flags: flags, Line: line, start: start}
	if lo, hi := cmd.Arity(); len(args) < lo || (hi >= 0 && len(args) > hi) {
		why := "missing argument"
		if len(args) > lo {
			why = "too many arguments"
		}
		return c.UsageError(why)
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	s.mu.Lock()
	s.cancel = cancel
	s.interrupted = false
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
	}()
	// A command that can wait arms the signals (signals.go); the context
	// lives in the Call, so that it costs no allocation of its own.
	c.sctx = signalCtx{ctx}
	c.Ctx = &c.sctx
	defer func() {
		if r := recover(); r != nil {
			out = &Error{Class: "InternalError", Msg: fmt.Sprintf("%s crashed: %v (a bug in sockshell; the session goes on)", name, r)}
			if s.DebugPanics {
				s.printErr(fmt.Sprintf("%s\n", debug.Stack()))
			}
		}
	}()
	v, err := any(nil), c.bind() // each word parsed by its kind, then Run
	if err == nil {
		v, err = cmd.Run(c)
	}
	if err != nil {
		e := Classify(err)
		if e.Class == "UsageError" {
			// The shell refused the command: nothing ran, so no Python line
			// may claim it did (set timeout 0 is fine in Python, not here).
			c.python = nil
		}
		if ctx.Err() != nil && parent.Err() == nil && e.Class != "KeyboardInterrupt" && (pyerr.IsCancel(err) || pyerr.IsTimeout(err)) {
			// Ctrl-C ended the command: whatever layer saw the cancel
			// (or the deadline a cancel sets), Python would have raised
			// KeyboardInterrupt.
			e = &Error{Class: "KeyboardInterrupt", Err: err}
		}
		if s.Settings.Format == "json" && (len(c.notes) > 0 || len(c.python) > 0 || len(c.trace) > 0) {
			// The json error document carries what the result document
			// would: the Python that raises the same error, the system
			// calls, the notes.
			e = copyError(e)
			if e.notes == nil {
				e.notes = c.notes
			}
			e.python, e.syscalls = c.python, c.trace
		}
		if s.Settings.Format != "json" && (s.Settings.Explain || len(c.notes) > 0) {
			// Show the notes (a partial count before the error) and, with
			// explain on, the Python and the system calls that led to it.
			s.render(c, nil)
		}
		return e
	}
	result = v
	if err := s.render(c, v); err != nil {
		return Classify(err)
	}
	return nil
}

// Interrupt cancels the running command, if any; it reports whether one was running.
func (s *Session) Interrupt() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.interrupted = true
		return true
	}
	return false
}

// interruptedBefore reports whether the running command was cancelled by
// an earlier Ctrl-C and is still running.
func (s *Session) interruptedBefore() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancel != nil && s.interrupted
}

func (s *Session) unknown(name string) *Error {
	msg := fmt.Sprintf("unknown command %q", name)
	// Suggest a near name only when most of the typed name survives:
	// at most a third of its letters changed, and never a symbol alias.
	best, limit := "", max(1, len(name)/3)
	for _, n := range s.Table.Names() {
		d := editDistance(n, name)
		if d <= limit && d < len(name) && isWord(n) && (best == "" || d < editDistance(best, name)) {
			best = n
		}
	}
	if best != "" {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return &Error{Class: "UsageError", Msg: msg + " (type help for the list)"}
}

// joinWordsOf is joinWords for words Lex read from source: when the
// statement stands in source just as joinWords spells it (plain words,
// one space between), it is that part of source, and nothing is built.
func joinWordsOf(source string, words []Word) string {
	if len(words) == 0 {
		return ""
	}
	start, end := words[0].Pos, 0
	for i, w := range words {
		if i > 0 && (w.Pos != end+1 || source[end] != ' ') {
			return joinWords(words)
		}
		end = w.Pos + len(w.Text)
		if w.Pos < 0 || end > len(source) || source[w.Pos:end] != w.Text || !plainWord(w) {
			return joinWords(words)
		}
	}
	return source[start:end]
}

func joinWords(words []Word) string {
	if len(words) == 1 && plainWord(words[0]) {
		return words[0].Text
	}
	n := len(words)
	for _, w := range words {
		n += len(w.Text)
	}
	var b strings.Builder
	b.Grow(n) // enough when every word is plain (most lines)
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case w.Bytes:
			b.WriteString(BytesRepr([]byte(w.Text)))
		case !plainWord(w):
			b.WriteString(PyRepr(w.Text))
		default:
			b.WriteString(w.Text)
		}
	}
	return b.String()
}

// plainWord reports whether a word reads the same unquoted.
func plainWord(w Word) bool {
	return !w.Bytes && !w.Quoted && w.Text != "" && !strings.ContainsAny(w.Text, " \t;#'\"\\")
}

func editDistance(a, b string) int {
	if len(a) > 32 || len(b) > 32 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func isWord(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' && r != '_' {
			return false
		}
	}
	return s != ""
}

// copyError copies e, so that adding to it does not change an error value
// a command may keep.
func copyError(e *Error) *Error {
	c := *e
	return &c
}
