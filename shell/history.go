// The prompt's history: the session's list of lines (what `history` shows),
// the history file, and readline's in-memory copy for Up and Ctrl-R.
//
// The shell writes the file itself and hands readline only a copy. readline
// v1.5.1's SaveHistory does not store the line it is given when the history
// cursor rests on a recalled entry (Up, Ctrl-R): it stores that entry's edit
// buffer instead, which a Ctrl-R search never fills, so a line recalled with
// Ctrl-R and run with Enter was saved as an empty line (and an entry recalled
// after an earlier, abandoned edit was saved as that stale edit). Rebuilding
// readline's list from the session's lines after every line puts the cursor
// back at the end, where SaveHistory stores exactly what it is given.
package shell

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
)

// historyLimit is how many lines the file and readline keep.
const historyLimit = 5000

// HistoryPath is where the prompt keeps its history:
// $XDG_STATE_HOME/sockshell/history, else ~/.local/state/sockshell/history
// (main reads the environment and hands stateHome and home in); "" when
// both are unknown.
func HistoryPath(stateHome, home string) string {
	dir := stateHome
	if dir == "" {
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "sockshell", "history")
}

// historyFile is the open history file, appended to line by line. A
// history the shell cannot write (a read-only or full file system, a
// directory it may not write) costs one warning, never one per line: f is
// nil from then on and the session keeps its lines in memory.
type historyFile struct {
	path string
	f    *os.File
	warn func(string) // prints one warning line
}

// openHistory makes the history file with mode 0600 if need be (a file
// found wider, which others could read, is made 0600 and said so once),
// loads its non-empty lines into the session, and keeps it open for
// appending. A file over historyLimit lines is rewritten with its newest
// lines. A file that can be read but not written is loaded, with one
// warning that new lines are not saved; an error means nothing could be
// read at all.
func (s *Session) openHistory(path string, warn func(string)) (*historyFile, error) {
	h := &historyFile{path: path, warn: warn}
	f, err := openHistoryFile(path)
	if err != nil {
		// Read what is there, if anything: Up and Ctrl-R still work.
		rf, rerr := os.Open(path)
		if rerr != nil {
			return nil, err
		}
		defer rf.Close()
		lines, lerr := readHistory(path, rf)
		if lerr != nil {
			return nil, lerr
		}
		s.History = append(s.History, lines...)
		h.fail(err)
		return h, nil
	}
	if st, err := f.Stat(); err == nil && st.Mode().Perm() != 0o600 {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, err
		}
		warn(fmt.Sprintf("note: %s was mode %04o, which let others read what you typed; it is now 0600", path, st.Mode().Perm()))
	}
	lines, err := readHistory(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	h.f = f
	if len(lines) > historyLimit {
		lines = lines[len(lines)-historyLimit:]
		if err := h.rewrite(lines); err != nil {
			h.fail(err)
		}
	}
	s.History = append(s.History, lines...)
	return h, nil
}

// openHistoryFile opens (or makes, 0600, in a directory made 0700) the
// history file to read and append.
func openHistoryFile(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
}

// readHistory reads the non-empty lines of an open history file.
func readHistory(path string, f *os.File) ([]string, error) {
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxLine+1)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			lines = append(lines, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s: a line is over 1 MiB", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lines, nil
}

// fail stops writing the file after err, with the one warning.
func (h *historyFile) fail(err error) {
	if h.f != nil {
		h.f.Close()
		h.f = nil
	}
	h.warn(fmt.Sprintf("warning: history is not saved from now on (%v); this session keeps it in memory", err))
}

// rewrite replaces the file with lines: a temporary file in the same
// directory, renamed over the old one.
func (h *historyFile) rewrite(lines []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(h.path), ".history-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	w := bufio.NewWriter(tmp)
	for _, l := range lines {
		w.WriteString(l + "\n")
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), h.path); err != nil {
		return err
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	h.f.Close()
	h.f = f
	return nil
}

// add appends one line; the first failure is warned of and ends the
// file's writing.
func (h *historyFile) add(line string) {
	if h.f == nil {
		return
	}
	if _, err := h.f.WriteString(line + "\n"); err != nil {
		h.fail(err)
	}
}

func (h *historyFile) close() {
	if h.f != nil {
		h.f.Close()
	}
}

// loadReadlineHistory gives readline a fresh copy of the session's lines,
// its cursor after the last one.
func (s *Session) loadReadlineHistory(rl *readline.Instance) {
	rl.ResetHistory()
	lines := s.History
	if len(lines) > historyLimit {
		lines = lines[len(lines)-historyLimit:]
	}
	for _, l := range lines {
		rl.SaveHistory(l) // no file is set, so this cannot fail
	}
}

// remember adds a line that ran to the history: the session's list, the
// file (unless it repeats the line before it, as readline did) and readline.
func (s *Session) remember(rl *readline.Instance, h *historyFile, line string) {
	repeat := len(s.History) > 0 && s.History[len(s.History)-1] == line
	s.History = append(s.History, line)
	if h != nil && !repeat {
		h.add(line)
	}
	s.loadReadlineHistory(rl)
}
