package main

import (
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands"
)

// errorLines are the lines of stderr that are not hints.
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if l != "" && !strings.HasPrefix(l, "  hint: ") {
			out = append(out, l)
		}
	}
	return out
}

// checkSane: status 0 or 1, no crash, and a failure is exactly one error
// line (plus an optional hint) with nothing on stdout.
func checkSane(t *testing.T, what string, o outcome) {
	t.Helper()
	if strings.Contains(o.stderr, "panic") || strings.Contains(o.stderr, "goroutine") || strings.Contains(o.stderr, "InternalError") {
		t.Errorf("%s: crashed:\n%s", what, o.stderr)
	}
	switch o.code {
	case 0:
		if o.stderr != "" {
			t.Errorf("%s: status 0 with stderr %q", what, o.stderr)
		}
	case 1:
		if l := errorLines(o.stderr); len(l) != 1 {
			t.Errorf("%s: status 1 with %d error lines, want 1:\n%s", what, len(l), o.stderr)
		}
		if o.stdout != "" {
			t.Errorf("%s: a failure printed on stdout: %q", what, o.stdout)
		}
	default:
		t.Errorf("%s: status %d, want 0 or 1\nstderr: %s", what, o.code, o.stderr)
	}
}

// TestEveryCommandBadArity runs every command of the table with no
// arguments and with one argument more than it takes.
func TestEveryCommandBadArity(t *testing.T) {
	sockshellBinary(t) // build before the parallel subtests
	for _, c := range commands.Table().Commands() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			o := runBinary(t, "", "--timeout", "5", "-c", c.Name)
			checkSane(t, c.Name, o)
			lo, hi := c.Arity()
			if lo > 0 && (o.code != 1 || !strings.HasPrefix(o.stderr, "-c:1: UsageError: missing argument; usage: "+c.Usage())) {
				t.Errorf("%s with no arguments: status %d, stderr %q; want a missing-argument usage error", c.Name, o.code, o.stderr)
			}
			if hi < 0 {
				return
			}
			line := c.Name + strings.Repeat(" x", hi+1)
			o = runBinary(t, "", "--timeout", "5", "-c", line)
			checkSane(t, line, o)
			if o.code != 1 || !strings.HasPrefix(o.stderr, "-c:1: UsageError: too many arguments; usage: "+c.Usage()) {
				t.Errorf("%s: status %d, stderr %q; want a too-many-arguments usage error", line, o.code, o.stderr)
			}
		})
	}
}

// TestHostileInput: very long lines, bytes that are not UTF-8 and an
// unterminated quote each give one clear error and status 1.
func TestHostileInput(t *testing.T) {
	long := "servport " + strings.Repeat("a", 10000)
	cases := []struct {
		name, stdin string
		args        []string
		want        string // the error line starts with this
	}{
		{"long -c line", "", []string{"-c", long}, "-c:1: OSError: service/proto not found"},
		{"long piped line", long + "\nservport http\n", nil, "stdin:1: OSError: service/proto not found"},
		{"long quoted line", "", []string{"-c", "resolve '" + strings.Repeat("b", 10000) + "'"}, "-c:1: UnicodeError: encoding with 'idna' codec failed"},
		{"line over the limit", "servport " + strings.Repeat("c", 2<<20) + "\nservport http\n", nil, "stdin: UsageError: line 1 is too long (over 1 MiB)"},
		{"escaped non-UTF-8", "", []string{"-c", `servport "\xff\xfe"; servport http`}, "-c:1:1: OSError: service/proto not found"},
		{"raw 0xff piped", "servport \xff\xfe tcp\nservport http\n", nil, "stdin:1: OSError: service/proto not found"},
		{"raw 0xff as a command", "\xff\nservport http\n", nil, "stdin:1: UsageError: unknown command"},
		{"raw 0xff in -c", "", []string{"-c", "resolve \xff"}, "-c:1: socket.gaierror: "},
		{"unterminated quote", "", []string{"-c", `servport "http; servport smtp`}, "-c:1: UsageError: unterminated string"},
		{"unterminated single quote", "servport 'http\nservport http\n", nil, "stdin:1: UsageError: unterminated string"},
		{"bad escape", "", []string{"-c", `servport \x4`}, "-c:1: UsageError: bad \\x escape"},
		{"NUL byte", "servport \x00http\n", nil, "stdin:1: ValueError: embedded null character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := runBinary(t, c.stdin, c.args...)
			checkSane(t, c.name, o)
			if o.code != 1 {
				t.Fatalf("status %d, want 1; stderr %q", o.code, o.stderr)
			}
			if !strings.HasPrefix(o.stderr, c.want) {
				t.Errorf("stderr %q, want it to start with %q", trim(o.stderr), c.want)
			}
			if strings.IndexByte(o.stderr, 0xff) >= 0 || strings.IndexByte(o.stderr, 0) >= 0 || !isValidText(o.stderr) {
				t.Errorf("raw bytes reached stderr: %q", trim(o.stderr))
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
