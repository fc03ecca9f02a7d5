// This file runs transcripts through a Term.

package faketerm

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// Hooks adapt the transcript runner to a family of transcripts.
type Hooks struct {
	// After runs after each command, to learn values (ports the kernel
	// chose) that later output shows as $NAME.
	After func(s *shell.Session, vars map[string]string)
	// Stdout rewrites result lines before they are compared.
	Stdout func([]string) []string
}

// RunTranscript runs a transcript file through one session over table.
//
// A transcript reads like a session: a line of input, then what it prints,
// each output line indented by a tab; error lines (standard error) start
// with "\t! ". Lines starting with '#' are comments. vars replace $NAME in
// input lines, and values that Hooks.After learns read back as $NAME in
// output. A wanted line may end in "..." to match any rest of the line,
// and "*" alone matches any number of lines.
//
// Asynchronous lines (IsAsync: "# [echo …] …") are a stream of their own,
// never mixed with a command's results, because when one arrives depends
// on the servers' goroutines. A command's expected lines that are
// asynchronous assert that stream: every asynchronous line since the
// previous such assertion, in order, must be exactly those (checked after
// the command, so put them under a command after which they must all have
// happened, such as `stop`). After the last command no asynchronous line
// may be left unasserted, so none is swallowed.
//
// UPDATE_TRANSCRIPTS=1 rewrites the expected output from what the shell
// printed; asynchronous lines are written under the commands that asserted
// them before (or the last command).
func RunTranscript(t testing.TB, table *shell.Table, path string, vars map[string]string, h Hooks) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vars = maps.Clone(vars)
	if vars == nil {
		vars = map[string]string{}
	}
	tm := New(t, table)
	var out []string // the rewritten file, line by line
	var pending []string
	lastAssert := -1 // index in out after the last command that asserted events
	lastCmd := -1
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, "\t") {
			continue
		}
		out = append(out, line)
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		at := i + 1
		var want, wantEvents []string
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			i++
			if w := lines[i][1:]; IsAsync(w) {
				wantEvents = append(wantEvents, w)
			} else {
				want = append(want, w)
			}
		}
		stdout, stderr := tm.Exec(Substitute(line, vars))
		if h.After != nil {
			h.After(tm.Session, vars)
		}
		results := splitLines(stdout)
		if h.Stdout != nil {
			results = h.Stdout(results)
		}
		var got []string
		for _, l := range results {
			got = append(got, expand(l, vars))
		}
		for _, l := range splitLines(stderr) {
			got = append(got, "! "+expand(l, vars))
		}
		for _, e := range tm.Events() {
			pending = append(pending, expand(e, vars))
		}
		for _, g := range got {
			out = append(out, "\t"+g)
		}
		lastCmd = len(out)
		if !match(want, got) {
			t.Errorf("%s:%d: %s\n got:\n\t%s\nwant:\n\t%s", path, at, line,
				strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
		if len(wantEvents) > 0 {
			if !match(wantEvents, pending) {
				t.Errorf("%s:%d: %s\n asynchronous lines so far:\n\t%s\nwant:\n\t%s", path, at, line,
					strings.Join(pending, "\n\t"), strings.Join(wantEvents, "\n\t"))
			}
			for _, e := range pending {
				out = append(out, "\t"+e)
			}
			pending = nil
			lastAssert = len(out)
		}
	}
	if len(pending) > 0 {
		t.Errorf("%s: asynchronous lines no command asserted:\n\t%s", path, strings.Join(pending, "\n\t"))
		if lastCmd >= 0 && lastCmd > lastAssert {
			var ev []string
			for _, e := range pending {
				ev = append(ev, "\t"+e)
			}
			out = slices.Insert(out, lastCmd, ev...)
		}
	}
	if os.Getenv("UPDATE_TRANSCRIPTS") == "1" {
		os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644)
	}
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

// Substitute replaces each $NAME of vars in an input line by its value
// ($PORT2 before $PORT).
func Substitute(line string, vars map[string]string) string {
	for _, k := range longestFirst(vars) {
		line = strings.ReplaceAll(line, "$"+k, vars[k])
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
