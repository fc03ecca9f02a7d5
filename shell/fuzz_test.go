package shell

// Fuzz targets (issue 14) for what the shell reads from a user or a file
// and what it prints: the lexer and its string literals, the argument
// kinds, the renderers (repr, text, table, json; their output must stay
// free of control characters), TextCap and the recording reader. Each
// keeps its seed corpus in testdata/fuzz/<Name>; .ci/run runs each for a
// few seconds.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// unsafeForTerminal returns the first character of s a terminal would act
// on: C0 controls other than those allowed, DEL, C1 (as UTF-8 or as a raw
// byte: 0x9b alone is CSI to some terminals), bytes that are no UTF-8, and
// the bidirectional overrides and isolates.
func unsafeForTerminal(s string, allowed string) (rune, bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return rune(s[i]), true
		case strings.ContainsRune(allowed, r):
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return r, true
		}
		i += size
	}
	return 0, false
}

func FuzzLexReadsBack(f *testing.F) {
	for _, s := range []string{"send s1 'a\\x00b'", `b'\xff' r'\n' "caf\u00e9" \N{EURO SIGN}`, "a;b # c", `'\777'`, `'\ud800'`, "f'x'", `\`, `'abc`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		stmts, err := Lex(line)
		if err != nil {
			if _, bad := unsafeForTerminal(SafeText(err.Error()), "\n\t"); bad {
				t.Errorf("an error that SafeText leaves unsafe: %q", err.Error())
			}
			return
		}
		for _, st := range stmts {
			for _, w := range st {
				if w.Pos < 0 || w.Pos > len(line) {
					t.Errorf("word %q at %d in a line of %d bytes", w.Text, w.Pos, len(line))
				}
				// The repr of a word reads back as the same word.
				var repr string
				if w.Bytes {
					repr = BytesRepr([]byte(w.Text))
				} else if utf8.ValidString(w.Text) {
					repr = StrRepr(w.Text)
				} else {
					// A line that is no UTF-8 keeps its bytes in the
					// word; the repr spells them \udcXX (Python's
					// surrogateescape), which a literal cannot take.
					continue
				}
				back, err := Lex(repr)
				if err != nil || len(back) != 1 || len(back[0]) != 1 || back[0][0].Text != w.Text || back[0][0].Bytes != w.Bytes {
					t.Errorf("%q: its repr %s reads back as %v (%v)", w.Text, repr, back, err)
				}
			}
		}
	})
}

func FuzzRepr(f *testing.F) {
	for _, s := range []string{"\x1b]0;owned\x07", "\u0081\u202e\u2066", "a'b\"c", "\xff\xfe", "\r\n>>> ", "\x1b[200~"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		for name, out := range map[string]string{"StrRepr": StrRepr(s), "BytesRepr": BytesRepr(b), "PyRepr": PyRepr(s)} {
			if r, bad := unsafeForTerminal(out, ""); bad {
				t.Errorf("%s(%q) = %q holds %U", name, s, out, r)
			}
		}
		if got, want := BytesRepr(b), bytesReprRef(b); got != want {
			t.Errorf("BytesRepr(%q) = %s, byte by byte: %s", b, got, want)
		}
		if r, bad := unsafeForTerminal(SafeText(s), "\n\t"); bad {
			t.Errorf("SafeText(%q) holds %U", s, r)
		}
		if utf8.Valid(b) {
			back, err := Lex(StrRepr(s))
			if err != nil || back[0][0].Text != s {
				t.Errorf("StrRepr(%q) reads back as %v (%v)", s, back, err)
			}
		}
	})
}

// FuzzRendered runs the renderers as the session prints: a value, a text,
// a table (narrow and wide), an error with a hint, in every format.
func FuzzRendered(f *testing.F) {
	f.Add("evil\x1b[2J", "\x9b31m\u202e", "\r>>> ")
	f.Add("", "\xff", "\u2028\ufeff")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		tab := NewTable(
			&Command{Name: "val", Summary: "values", Group: "t",
				Run: func(*Call) (any, error) { return Tuple{a, []byte(b), List{c, 1}}, nil }},
			&Command{Name: "text", Summary: "a text", Group: "t",
				Run: func(*Call) (any, error) { return Text(a + "\n" + b), nil }},
			&Command{Name: "rows", Summary: "a table", Group: "t",
				Run: func(*Call) (any, error) {
					return &Rows{Header: []string{"name", c}, Rows: [][]any{{a, b}, {Shown{Text: b, Value: c}, []byte(a)}}}, nil
				}},
			&Command{Name: "fail", Summary: "an error", Group: "t",
				Run: func(call *Call) (any, error) {
					call.Note("%s", c)
					return nil, &Error{Class: "OSError", Msg: a, Hint: b}
				}},
		)
		tab.Add(Builtins()...)
		var out, errs bytes.Buffer
		s := NewSession(tab, &out, &errs)
		for _, format := range []string{"python", "table", "json"} {
			s.Exec(context.Background(), "set format "+format, "")
			for _, cmd := range []string{"val", "text", "rows", "fail"} {
				out.Reset()
				errs.Reset()
				s.Exec(context.Background(), cmd, "")
				for stream, text := range map[string]string{"stdout": out.String(), "stderr": errs.String()} {
					if r, bad := unsafeForTerminal(text, "\n\t"); bad {
						t.Errorf("%s in format %s wrote %U to %s: %q", cmd, format, r, stream, text)
					}
				}
			}
		}
		// Narrow terminals wrap cells: still nothing unsafe.
		for _, width := range []int{0, 8, 30} {
			var w bytes.Buffer
			if err := renderTable(&w, []string{"x", SafeText(c)}, [][]string{{SafeText(a), SafeText(b)}}, width); err == nil {
				if r, bad := unsafeForTerminal(w.String(), "\n\t"); bad {
					t.Errorf("renderTable width %d wrote %U", width, r)
				}
			}
		}
	})
}

// FuzzArgKinds: the shell's argument kinds take any word with a value or
// one error, never a panic.
func FuzzArgKinds(f *testing.F) {
	for _, s := range []string{"1e3", "-0", "0x10", "99999999999999999999", "none", "1e-10", "nan", "inf", "'a b'", "--n=3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, word string) {
		if strings.ContainsAny(word, "\n;#") {
			return
		}
		tab := NewTable(
			&Command{Name: "n", Summary: "a number", Group: "t", Args: []Arg{Req("N", Int(-5, 1<<40))},
				Run: func(c *Call) (any, error) {
					if n := c.Int(0); n < -5 || n > 1<<40 {
						t.Errorf("Int parsed %q as %d", word, n)
					}
					return None, nil
				}},
			&Command{Name: "c", Summary: "a choice", Group: "t", Args: []Arg{Req("HOW", Choices("how", "rd", "wr"))},
				Run: func(c *Call) (any, error) { return None, nil }},
		)
		tab.Add(Builtins()...)
		var out, errs bytes.Buffer
		s := NewSession(tab, &out, &errs)
		for _, line := range []string{"n " + word, "c " + word, "history " + word, "set timeout " + word, "set format " + word} {
			s.Exec(context.Background(), line, "")
		}
		if d, none, err := ParseSeconds(word); err == nil && !none && d < 0 {
			t.Errorf("ParseSeconds(%q) = %v", word, d)
		}
	})
}

func FuzzTextCap(f *testing.F) {
	f.Add([]byte("\x1b\x1b\xe2\x82\xac\xff"), 7, 3)
	f.Fuzz(func(t *testing.T, b []byte, max, step int) {
		max, step = max&0xfff, step&7+1
		whole := NewTextCap(max)
		whole.Write(b)
		pieces := NewTextCap(max)
		for i := 0; i < len(b); i += step {
			pieces.Write(b[i:min(i+step, len(b))])
		}
		got, want := pieces.Bytes(), whole.Bytes()
		if !bytes.Equal(got, want) {
			t.Errorf("in pieces of %d kept %q, whole %q", step, got, want)
		}
		if !bytes.HasPrefix(b, want) {
			t.Errorf("kept %q, not a prefix of %q", want, b)
		}
		if n := len(SafeText(string(want))); n > max {
			t.Errorf("shown %d bytes, cap %d", n, max)
		}
	})
}

func FuzzRecording(f *testing.F) {
	f.Add([]byte(`{"type":"header","format":"` + RecordingFormat + `","version":1,"sockshell":"x\u001b"}` + "\n" +
		`{"type":"command","line":"servport http"}` + "\n" + `{"type":"end"}` + "\n"))
	f.Add([]byte("{\"type\":\"header\"}\n{\n"))
	f.Add([]byte("not json\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "rec.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rec, err := readRecording(context.Background(), path)
		if err != nil {
			if e, ok := err.(*Error); ok {
				if r, bad := unsafeForTerminal(SafeText(e.Msg)+SafeText(e.Hint), "\n\t"); bad {
					t.Errorf("error %q holds %U once escaped", e.Msg, r)
				}
			}
			return
		}
		for _, st := range rec.steps() {
			st.printed()
		}
	})
}
