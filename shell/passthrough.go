// Standard input and output for a command that joins them to a socket
// (attach): whether standard input is free to read, and raw bytes out.

package shell

// StdinHoldsCommands reports whether the commands being run are read from
// Stdin (a pipe into sockshell): then no command may read Stdin itself,
// as the lines already read ahead belong to the shell.
func (s *Session) StdinHoldsCommands() bool { return s.linesFromStdin.Load() }

// WriteRaw writes bytes from outside to standard output exactly as they
// are, for a script that asked for them (attach --raw in a pipe). It
// refuses a terminal, which never gets raw bytes: false means nothing was
// written and the caller escapes them instead.
func (s *Session) WriteRaw(p []byte) bool {
	t := s.term
	if t.info.OutIsTerminal {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.out.Write(p)
	t.flushOutLocked() // pass-through is live: its bytes go out at once
	return true
}
