package shell

import (
	"strings"
	"testing"
)

func TestLex(t *testing.T) {
	cases := []struct {
		in   string
		want string // statements joined by " ; ", words by "|"
	}{
		{"servport http tcp", "servport|http|tcp"},
		{"  a   b  ", "a|b"},
		{"a; b c ;; d", "a ; b|c ; d"},
		{`send s1 "GET / HTTP/1.0\r\n\r\n"`, "send|s1|GET / HTTP/1.0\r\n\r\n"},
		{`send s1 '\x00\xff'`, "send|s1|\x00\u00ff"},
		{`send s1 b'\x00\xff'`, "send|s1|\x00\xff"},
		{`send s1 r'\n' rb'\n' BR'\x'`, `send|s1|\n|\n|\x`},
		{`x 'caf\u00e9' "\U0001F600"`, "x|café|😀"},
		{`x 'a\ b' a\ b`, `x|a\ b|a b`},
		{`send s1 b'it\'s'`, "send|s1|it's"},
		{`x "a;b" # comment; not a statement`, "x|a;b"},
		{`x a#b`, "x|a#b"},
		{`x \t\0`, "x|\t\x00"},
		{`x 'a''b'`, "x|ab"},
		{`x "" ''`, "x||"},
		{`x \q`, `x|\q`},
		{`x \101`, "x|A"},
	}
	for _, c := range cases {
		stmts, err := Lex(c.in)
		if err != nil {
			t.Errorf("Lex(%q): %v", c.in, err)
			continue
		}
		var parts []string
		for _, s := range stmts {
			var ws []string
			for _, w := range s {
				ws = append(ws, w.Text)
			}
			parts = append(parts, strings.Join(ws, "|"))
		}
		if got := strings.Join(parts, " ; "); got != c.want {
			t.Errorf("Lex(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLexErrors(t *testing.T) {
	cases := map[string]string{
		`send s1 "abc`: "unterminated string: the \" opened here is never closed (at column 9)",
		`send s1 'abc`: "unterminated string: the ' opened here is never closed (at column 9)",
		`x \xZZ`:       `bad \x escape: it needs exactly two hex digits, as in \x0a (at column 3)`,
		`x \x1`:        `bad \x escape: it needs exactly two hex digits, as in \x0a (at column 3)`,
		`x \`:          "a backslash at the end of the line escapes nothing (at column 3)",
		`x \777`:       `octal escape out of range (more than \377) (at column 3)`,
		`x b'é'`:       `bytes can only contain ASCII literal characters (write \xHH for a byte, or drop the b for text sent as UTF-8) (at column 5)`,
		`x b'a''b'`:    `cannot mix bytes and str in one word (b'…' next to text); Python refuses it too (at column 7)`,
		`x r'\'`:       "unterminated string: the ' opened here is never closed (at column 4)",
		`x f'{a}'`:     "f-strings are not supported (nothing here evaluates Python); write a plain '…' literal (at column 3)",
		`x '\u12'`:     `truncated \u escape: it needs exactly 4 hex digits, as in \u00e9 (at column 4)`,
		`x '\N{nope}'`: `unknown Unicode character name 'nope' (names are Unicode 15.0.0's, as in \N{LATIN SMALL LETTER E WITH ACUTE}) (at column 4)`,
		`x '\N{EURO'`:  `malformed \N character escape: write \N{NAME}, as in \N{EURO SIGN} (at column 4)`,
	}
	for in, want := range cases {
		_, err := Lex(in)
		if err == nil || err.Error() != want {
			t.Errorf("Lex(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestQuotedWordsAreNotOptions(t *testing.T) {
	cmd := &Command{Name: "x", Flags: []Flag{{Name: "out", Value: true}, {Name: "hex"}}}
	stmts, _ := Lex(`x a --out f "--hex" -- --hex --5`)
	pos, flags, err := parseArgs(cmd, stmts[0][1:])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range pos {
		got = append(got, w.Text)
	}
	if strings.Join(got, "|") != "a|--hex|--hex|--5" || flags["out"] != "f" || len(flags) != 1 {
		t.Errorf("pos %q flags %v", got, flags)
	}
	if _, _, err := parseArgs(cmd, []Word{{Text: "--nope"}}); err == nil || err.Error() != "unknown option --nope" {
		t.Errorf("unknown option: %v", err)
	}
	if _, _, err := parseArgs(cmd, []Word{{Text: "--out"}}); err == nil {
		t.Errorf("missing option value accepted")
	}
}

func FuzzLex(f *testing.F) {
	for _, s := range []string{`a "b\x41" 'c'; d # e`, `\`, `"`, `b'\xff'`, "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		stmts, err := Lex(s)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		for _, st := range stmts {
			if len(st) == 0 {
				t.Fatal("empty statement")
			}
			for _, w := range st {
				if len(w.Text) > len(s) {
					t.Fatalf("word longer than the input")
				}
			}
		}
	})
}

// TestLexBytesWord: a b'…' literal is marked as bytes; text is not.
func TestLexBytesWord(t *testing.T) {
	stmts, err := Lex(`send s1 b'\xff' '\xff' plain rb'x'`)
	if err != nil {
		t.Fatal(err)
	}
	w := stmts[0]
	if !w[2].Bytes || w[3].Bytes || w[4].Bytes || !w[5].Bytes {
		t.Errorf("Bytes flags: %v %v %v %v, want true false false true", w[2].Bytes, w[3].Bytes, w[4].Bytes, w[5].Bytes)
	}
}
