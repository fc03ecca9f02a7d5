package commands

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// Transcript files (testdata/transcripts/*.txt) read like a session: a line
// of input, then what it prints, each output line indented by a tab; error
// lines (standard error) start with "\t! ". Lines starting with '#' are
// comments. A transcript whose first line is "#requires: NAME" needs that
// peer, started by the test that owns it; plain transcripts run here.
// UPDATE_TRANSCRIPTS=1 rewrites the expected output from what the shell prints.
func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/transcripts/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runTranscript(t, f, nil) })
	}
}

// runTranscript runs a transcript; vars replace $NAME in input lines
// (for ports chosen at run time).
func runTranscript(t *testing.T, path string, vars map[string]string) {
	t.Helper()
	runTranscriptHooks(t, path, vars, transcriptHooks{})
}

// transcriptHooks adapt the runner to a family of transcripts.
type transcriptHooks struct {
	// after runs after each command, to learn values (ports the kernel
	// chose) that later output shows as $NAME.
	after func(s *shell.Session, vars map[string]string)
	// stdout rewrites standard output lines before they are compared.
	stdout func([]string) []string
}

// runTranscriptHooks runs a transcript through one session. Output goes
// through locked buffers: background servers log from their own goroutines.
func runTranscriptHooks(t *testing.T, path string, vars map[string]string, h transcriptHooks) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vars = maps.Clone(vars)
	if vars == nil {
		vars = map[string]string{}
	}
	var out, errs lockedBuffer
	s := shell.NewSession(Table(), &out, &errs)
	defer s.CloseAll()
	var rewritten strings.Builder
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, "\t") {
			continue
		}
		rewritten.WriteString(line + "\n")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		var want []string
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			i++
			want = append(want, lines[i][1:])
		}
		input := line
		for _, k := range longestFirst(vars) {
			input = strings.ReplaceAll(input, "$"+k, vars[k])
		}
		out.take()
		errs.take()
		s.Exec(context.Background(), input, "")
		if h.after != nil {
			h.after(s, vars)
		}
		stdout := splitLines(out.take())
		if h.stdout != nil {
			stdout = h.stdout(stdout)
		}
		var got []string
		for _, l := range stdout {
			got = append(got, expand(l, vars))
		}
		for _, l := range splitLines(errs.take()) {
			got = append(got, "! "+expand(l, vars))
		}
		for _, g := range got {
			rewritten.WriteString("\t" + g + "\n")
		}
		if !match(want, got) {
			t.Errorf("%s:%d: %s\n got:\n\t%s\nwant:\n\t%s", path, i+1, line,
				strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
	}
	if os.Getenv("UPDATE_TRANSCRIPTS") == "1" {
		os.WriteFile(path, []byte(rewritten.String()), 0o644)
	}
}

// lockedBuffer is a buffer a session's background servers may write into
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// take returns what was written and empties the buffer.
func (l *lockedBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// expand turns run-time values back into their $NAME so transcripts stay stable.
func expand(line string, vars map[string]string) string {
	keys := slices.Collect(maps.Keys(vars))
	slices.SortFunc(keys, func(a, b string) int {
		if d := len(vars[b]) - len(vars[a]); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, k := range keys {
		if v := vars[k]; len(v) >= 4 {
			line = strings.ReplaceAll(line, v, "$"+k)
		}
	}
	return line
}

// longestFirst orders variable names so that $PORT2 is replaced before $PORT.
func longestFirst(vars map[string]string) []string {
	keys := slices.Collect(maps.Keys(vars))
	slices.SortFunc(keys, func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return keys
}

// match compares output lines; a wanted line may end in "..." to match any
// rest of the line, and "*" alone matches any number of lines.
func match(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "*" {
		for i := 0; i <= len(got); i++ {
			if match(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 {
		return false
	}
	w, g := want[0], got[0]
	ok := w == g || strings.HasSuffix(w, "...") && strings.HasPrefix(g, strings.TrimSuffix(w, "..."))
	return ok && match(want[1:], got[1:])
}
