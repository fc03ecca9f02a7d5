package shell

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A real directory to complete in: files, a subdirectory, a hidden file, a
// name with a space and a symlink to a directory.
func pathFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"big.bin", "bird.txt", ".hidden", "my file.txt", "sub/inner.txt"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func completeTestSession() *Session {
	tab := NewTable(
		&Command{Name: "put", Summary: "t", Group: "t",
			Flags: []Flag{
				{Name: "out", Value: true, Kind: FileArg},
				{Name: "name", Value: true},
				{Name: "hex"},
			},
			Args: []Arg{Req("SOCK", Choices("sock", "s1", "s2")), Req("FILE", FileArg)},
			Run:  func(c *Call) (any, error) { return None, nil }},
		&Command{Name: "serve", Summary: "t", Group: "t",
			Args: []Arg{Opt("DIR", DirArg)},
			Run:  func(c *Call) (any, error) { return None, nil }},
	)
	tab.Add(Builtins()...)
	return NewSession(tab, nil, nil)
}

func TestCompleteFilePaths(t *testing.T) {
	dir := pathFixture(t)
	s := completeTestSession()
	cases := []struct {
		line string
		want []string
	}{
		// A file argument: entries of the directory typed, by prefix.
		{"put s1 " + dir + "/bi", []string{dir + "/big.bin", dir + "/bird.txt"}},
		{"put s1 " + dir + "/big", []string{dir + "/big.bin"}},
		// Directories end in /, symlinks to directories too; no hidden files.
		{"put s1 " + dir + "/", []string{dir + "/big.bin", dir + "/bird.txt", dir + "/link/", dir + `/my\ file.txt`, dir + "/sub/"}},
		// A hidden file when asked for by its dot.
		{"put s1 " + dir + "/.h", []string{dir + "/.hidden"}},
		// Inside a subdirectory.
		{"put s1 " + dir + "/sub/", []string{dir + "/sub/inner.txt"}},
		// A name with a space is offered escaped as the lexer reads it back,
		// and completed from its escaped prefix.
		{"put s1 " + dir + "/my", []string{dir + `/my\ file.txt`}},
		{"put s1 " + dir + `/my\ f`, []string{dir + `/my\ file.txt`}},
		// Inside an unfinished quote: completed in the quote, a file closes it.
		{"put s1 '" + dir + "/my", []string{"'" + dir + "/my file.txt'"}},
		{"put s1 \"" + dir + "/s", []string{"\"" + dir + "/sub/"}},
		// The first argument is not a file.
		{"put s", []string{"s1", "s2"}},
		// An option's value: --out FILE, and --out=FILE.
		{"put s1 --out " + dir + "/bi", []string{dir + "/big.bin", dir + "/bird.txt"}},
		{"put --out=" + dir + "/bir", []string{"--out=" + dir + "/bird.txt"}},
		// After the option's value, positions go on: s1 is argument 0.
		{"put --out x s1 " + dir + "/bir", []string{dir + "/bird.txt"}},
		// A value without a kind offers nothing (not the positional kinds).
		{"put --name ", nil},
		{"put --name=", nil},
		// Options by prefix.
		{"put s1 --h", []string{"--hex"}},
		// After "--", a word starting with "-" is an argument, and "--" is
		// not counted as one.
		{"put s1 -- " + dir + "/bi", []string{dir + "/big.bin", dir + "/bird.txt"}},
		{"put -- s", []string{"s1", "s2"}},
		// A directory argument offers directories only.
		{"serve " + dir + "/", []string{dir + "/link/", dir + "/sub/"}},
		{"serve " + dir + "/s", []string{dir + "/sub/"}},
		// The shell's own source FILE.
		{"source " + dir + "/bir", []string{dir + "/bird.txt"}},
		// A directory that does not exist offers nothing.
		{"put s1 " + dir + "/nosuch/", nil},
	}
	for _, c := range cases {
		got, _ := s.Complete(c.line)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Complete(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}

// A file whose name holds terminal control or invisible format characters
// is not offered: Tab prints candidates raw to the terminal.
func TestCompleteSkipsHostileNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"evil\x1b]0;pwned\x07", "csi\u009b2J", "bidi\u202etxt.exe", "zw\u200bsp", "bad\xffutf8", "fine.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := completeTestSession()
	got, _ := s.Complete("put s1 " + dir + "/")
	if !reflect.DeepEqual(got, []string{dir + "/fine.txt"}) {
		t.Errorf("offered %q", got)
	}
}

// Relative paths complete from the current directory.
func TestCompleteRelativePath(t *testing.T) {
	dir := pathFixture(t)
	t.Chdir(dir)
	s := completeTestSession()
	if got, _ := s.Complete("put s1 bi"); !reflect.DeepEqual(got, []string{"big.bin", "bird.txt"}) {
		t.Errorf("relative: %q", got)
	}
	if got, _ := s.Complete("put s1 su"); !reflect.DeepEqual(got, []string{"sub/"}) {
		t.Errorf("relative dir: %q", got)
	}
}

// Readline gets the rest of each candidate: a space after a file, none
// after a directory (Tab goes on into it).
func TestCompleterSuffixes(t *testing.T) {
	dir := pathFixture(t)
	s := completeTestSession()
	line := []rune("put s1 " + dir + "/su")
	got, n := completer{s}.Do(line, len(line))
	if n != len([]rune(dir+"/su")) || len(got) != 1 || string(got[0]) != "b/" {
		t.Errorf("directory: %q, %d", got, n)
	}
	line = []rune("put s1 " + dir + "/big")
	got, _ = completer{s}.Do(line, len(line))
	if len(got) != 1 || string(got[0]) != ".bin " {
		t.Errorf("file: %q", got)
	}
}

// What completion inserts, the lexer reads back as the file's name.
func TestEscapedPathLexesBack(t *testing.T) {
	for _, name := range []string{"my file.txt", "a;b", `q'uo"te`, `back\slash`, "#hash", "tab\tname", "new\nline"} {
		w, ok := escapeWord(name)
		stmts, err := Lex("cmd " + w)
		if !ok || err != nil || len(stmts) != 1 || len(stmts[0]) != 2 || stmts[0][1].Text != name {
			t.Errorf("%q escaped as %q lexes as %+v (%v)", name, w, stmts, err)
		}
	}
	for _, name := range []string{"my file.txt", `q'uo"te`, `back\slash`, "tab\tname"} {
		for _, q := range []byte{'\'', '"'} {
			w, ok := escapeQuoted(name, q)
			w += string(q)
			stmts, err := Lex("cmd " + w)
			if !ok || err != nil || len(stmts) != 1 || len(stmts[0]) != 2 || stmts[0][1].Text != name {
				t.Errorf("%q quoted as %s lexes as %+v (%v)", name, w, stmts, err)
			}
		}
	}
	if _, ok := escapeWord("bell\a"); ok {
		t.Error("a name with a bell character is offered")
	}
}
