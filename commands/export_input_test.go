package commands

// export's bad input and completion, and how it reads Python lines.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// Bad input: one clear error each, nothing written, and the shell goes
// on; an existing file is replaced only with --force.
func TestExportBadInput(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.py")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t)
	tm.MustExec("servport http")
	cases := []struct{ line, err string }{
		{"export", "UsageError: missing argument; usage: export python FILE"},
		{"export python", "UsageError: missing argument; usage: export python FILE"},
		{"export html " + filepath.Join(dir, "x.py"), `UsageError: "html" is not python`},
		{"export python ''", "UsageError: FILE is empty"},
		{"export python " + filepath.Join(dir, "no", "such", "x.py"), "FileNotFoundError: [Errno 2]"},
		{"export python " + dir, "IsADirectoryError: [Errno 21]"},
		{"export python " + existing, "FileExistsError: [Errno 17]"},
	}
	for _, c := range cases {
		errs := tm.AssertExecError(c.line, c.err)
		if n := strings.Count(errs, "Error: "); n != 1 {
			t.Errorf("%s: %d errors, want one:\n%s", c.line, n, errs)
		}
		tm.AssertExec("servport http", "80\n") // the shell goes on
	}
	if names := testenv.DirNames(t, dir); !slices.Equal(names, []string{"old.py"}) {
		t.Errorf("the directory holds %q after the refused exports, want only old.py", names)
	}
	testenv.WantFile(t, existing, "keep me\n")
	out := tm.MustExec("export python --force " + existing)
	if !strings.HasPrefix(out, "wrote "+existing) {
		t.Errorf("export --force printed %q", out)
	}
	got, _ := os.ReadFile(existing)
	if !strings.Contains(string(got), "print(repr(socket.getservbyname('http')))\n") {
		t.Errorf("--force did not write the script:\n%s", got)
	}
}

// Tab completes the format word, then a file.
func TestExportCompletes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "demo.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t).Session
	for _, c := range []struct {
		line string
		want []string
	}{
		{"expo", []string{"export"}},
		{"export ", []string{"python"}},
		{"export py", []string{"python"}},
		{"export python " + dir + "/de", []string{dir + "/demo.py"}},
	} {
		if got, _ := s.Complete(c.line); !slices.Equal(got, c.want) {
			t.Errorf("Complete(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}

// Which Python lines are expressions (their value is the result the
// script prints), and where a line's comment starts, outside strings.
func TestExportReadsPythonLines(t *testing.T) {
	for _, c := range []struct {
		line, code, comment string
		expr                bool
	}{
		{"s1.recv(10)", "s1.recv(10)", "", true},
		{"s2, addr = s1.accept()", "s2, addr = s1.accept()", "", false},
		{"n += f.write(chunk)", "n += f.write(chunk)", "", false},
		{"f(a=1) == (b <= 2) != (c >= 3)", "f(a=1) == (b <= 2) != (c >= 3)", "", true},
		{"(n := 5)", "(n := 5)", "", true},
		{"s1.send(b'a=b # not a comment')", "s1.send(b'a=b # not a comment')", "", true},
		{`s1.send(b"it's = \" #")  # sent`, `s1.send(b"it's = \" #")`, "  # sent", true},
		{"len(b'x')  # sendall returns None", "len(b'x')", "  # sendall returns None", true},
		{"import struct", "import struct", "", false},
		{"# serve echo: the shell's own", "", "  # serve echo: the shell's own", false},
		{"with open('f', 'xb') as f:\n    f.write(b'')", "with open('f', 'xb') as f:\n    f.write(b'')", "", false},
	} {
		if got := isExpression(c.line); got != c.expr {
			t.Errorf("isExpression(%q) = %v, want %v", c.line, got, c.expr)
		}
		if code, comment := splitComment(c.line); code != c.code || comment != c.comment {
			t.Errorf("splitComment(%q) = %q, %q; want %q, %q", c.line, code, comment, c.code, c.comment)
		}
	}
}
