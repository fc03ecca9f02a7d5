package shell

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/sockshell/sockshell/shell/testenv"
)

// literalCases are Python string literals, as typed at the prompt, whose
// bytes (a str's UTF-8 encoding, or the bytes of a b'…' literal) must equal
// what python3 makes of the same source text; or both must refuse it.
var literalCases = []string{
	`'hello\r\n'`, `"GET / HTTP/1.0\r\n\r\n"`, `'caf\u00e9'`, `'caf\xe9'`, `'\xff'`,
	`'\x00\xff'`, `b'\x00\xff'`, `b'\xe9'`, `'\U0001f600'`, `'\u20ac'`, `'\101\0\12'`,
	`r'\n'`, `R'\n'`, `rb'\n'`, `Rb'\x41'`, `bR'\\'`, `br'\''`, `BR"a\"b"`,
	`b'it\'s'`, `u'caf\u00e9'`, `U'x'`, `'é'`, `"日本"`, `b'é'`, `'\q'`, `b'\q'`,
	`b'\u00e9'`, `b'\N{x}'`, `'\u12'`, `'\U00110000'`, `'\x4'`, `b'a''b'`, `'a''b'`,
	`r'\'`, `'a\ b'`, `'\ud800'`, `'tab\there'`, `"\a\b\f\v"`, `'\\'`, `'\U0010ffff'`,
	`'caf\N{LATIN SMALL LETTER E WITH ACUTE}'`, `'\N{latin small letter e with acute}'`, `'\N{EURO SIGN}5'`,
	`'\N{BOM}'`, `'\N{lf}'`, `'\N{NULL}'`, `'\N{RIGHT-TO-LEFT OVERRIDE}'`, `'\N{GRINNING FACE}'`,
	`'\N{CJK UNIFIED IDEOGRAPH-4E00}'`, `'\N{CJK UNIFIED IDEOGRAPH-04E00}'`, `'\N{CJK UNIFIED IDEOGRAPH-4e00}'`,
	`'\N{HANGUL SYLLABLE GAG}'`, `'\N{hangul syllable ga}'`, `'\N{nope}'`, `'\N{EURO SIGN'`, `'\N'`, `'\N{}'`,
	`'\N{LATIN CAPITAL LETTER A WITH MACRON AND GRAVE}'`, `b'\N{EURO SIGN}'`, `r'\N{EURO SIGN}'`, `'\N{EURO  SIGN}'`,
	`'\N{EURO' '}'`, `'\N{é}'`,
}

// TestNamesMatchPython: \N{NAME} finds every character python3 has a name
// for (unicodedata.name, all of U+0000-U+10FFFF), and only that one.
func TestNamesMatchPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	cmd := exec.Command(py, "-c", `
import sys, unicodedata
for cp in range(0x110000):
    n = unicodedata.name(chr(cp), None)
    if n:
        print("%x %s" % (cp, n))
`)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	for _, l := range lines {
		hexcp, name, _ := strings.Cut(l, " ")
		want, _ := strconv.ParseUint(hexcp, 16, 32)
		stmts, err := Lex(`x '\N{` + name + `}'`)
		if err != nil {
			t.Errorf("\\N{%s}: %v, python3 gives U+%04X", name, err, want)
			continue
		}
		if got := stmts[0][1].Text; got != string(rune(want)) {
			t.Errorf("\\N{%s} = %q, python3 gives U+%04X", name, got, want)
		}
	}
	t.Logf("%d names compared", len(lines))
}

// TestLiteralsMatchPython (issue 7, items 4 and 5): every literal gives the
// bytes python3 gives, or is refused where python3 refuses it.
func TestLiteralsMatchPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	prog := `
import sys, warnings
warnings.simplefilter("ignore")
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    try:
        v = eval(line)
        if isinstance(v, str):
            v = v.encode()
        print(v.hex())
    except Exception as e:
        print("error")
`
	cmd := exec.Command(py, "-c", prog)
	cmd.Stdin = strings.NewReader(strings.Join(literalCases, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(want) != len(literalCases) {
		t.Fatalf("python3 gave %d answers for %d literals", len(want), len(literalCases))
	}
	for i, lit := range literalCases {
		got := "error"
		stmts, err := Lex("send s1 " + lit)
		if err == nil {
			if len(stmts) != 1 || len(stmts[0]) != 3 {
				t.Errorf("%s: lexed into %d statements %v, want one of 3 words", lit, len(stmts), stmts)
				continue
			}
			got = hex.EncodeToString([]byte(stmts[0][2].Text))
		}
		if got != want[i] {
			t.Errorf("%s: ours %s (err %v), python3 %s", lit, got, err, want[i])
		}
	}
}

// codePoints are the characters the repr and JSON tests check: every
// code point of the BMP except the surrogates (a Go string cannot hold
// one), and samples above it.
func codePoints() []rune {
	var cps []rune
	for r := rune(0); r <= 0xffff; r++ {
		if r < 0xd800 || r > 0xdfff {
			cps = append(cps, r)
		}
	}
	return append(cps, 0x10000, 0x1d173, 0x1f600, 0x1f1e6, 0x20000, 0x31350, 0xe0001, 0xe007f, 0xf0000, 0x10fffd, 0x10ffff)
}

// pythonPerCodePoint runs prog in python3 with the code points on stdin,
// one decimal a line, and returns its output lines, one per code point.
func pythonPerCodePoint(t *testing.T, prog string, cps []rune) []string {
	t.Helper()
	py := testenv.NeedPeer(t, "python3", "python3")
	var in strings.Builder
	for _, r := range cps {
		in.WriteString(strconv.Itoa(int(r)) + "\n")
	}
	cmd := exec.Command(py, "-c", prog)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(cps) {
		t.Fatalf("python3 gave %d lines for %d code points", len(lines), len(cps))
	}
	return lines
}

// newerUnicode reports whether a difference at r is only the two Unicode
// databases disagreeing: python3's (category Cn, unassigned, in its older
// version) and Go's (r assigned in a later version). pyCat is python3's
// unicodedata.category.
func newerUnicode(r rune, pyCat string) bool {
	return pyCat == "Cn" && unicode.IsPrint(r)
}

// TestStrReprMatchesPython (issue 7, item 36): StrRepr is python3's repr
// for every code point of the BMP and samples above it: non-printable
// characters (str.isprintable), among them bidirectional overrides and
// invisible characters, are escaped exactly as Python escapes them.
func TestStrReprMatchesPython(t *testing.T) {
	cps := codePoints()
	lines := pythonPerCodePoint(t, `
import sys, unicodedata
for line in sys.stdin:
    c = chr(int(line))
    print(unicodedata.category(c), repr(c))
`, cps)
	tolerated := 0
	for i, r := range cps {
		cat, want, _ := strings.Cut(lines[i], " ")
		got := string(StrRepr(string(r)))
		gotEsc := strconv.QuoteToASCII(got)
		wantRaw := want
		if got == wantRaw {
			continue
		}
		if newerUnicode(r, cat) {
			tolerated++
			continue
		}
		t.Errorf("U+%04X (%s): ours %s, python3 %s", r, cat, gotEsc, strconv.QuoteToASCII(wantRaw))
	}
	t.Logf("%d code points compared; %d differ only because python3's Unicode %s predates Go's %s", len(cps), tolerated, pyUnicodeVersion(t), unicode.Version)
}

func pyUnicodeVersion(t *testing.T) string {
	out, err := exec.Command("python3", "-c", "import unicodedata; print(unicodedata.unidata_version)").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestJSONEscapesLikePython (issue 7, item 34): in every JSON document,
// a character that is not printable (C0, DEL, C1 such as CSI U+009B,
// format characters) is written as python3's json.dumps writes it
// (\u009b, \u202e, a surrogate pair above U+FFFF), and a printable one as
// json.dumps(..., ensure_ascii=False) leaves it; what we write reads back
// as the same text.
func TestJSONEscapesLikePython(t *testing.T) {
	cps := codePoints()
	lines := pythonPerCodePoint(t, `
import sys, json, unicodedata
for line in sys.stdin:
    c = chr(int(line))
    print(unicodedata.category(c), json.dumps(c, ensure_ascii=not c.isprintable()))
`, cps)
	tolerated := 0
	for i, r := range cps {
		cat, want, _ := strings.Cut(lines[i], " ")
		wantRaw := want
		b, err := marshalJSON(string(r))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.TrimSuffix(string(b), "\n")
		var back string
		if err := json.Unmarshal(b, &back); err != nil || back != string(r) {
			t.Errorf("U+%04X: %s reads back as %q (%v)", r, got, back, err)
		}
		if got == wantRaw {
			continue
		}
		// encoding/json writes \u2028 and \u2029 (and <, >, & never, as
		// HTML escaping is off); python3 writes the short forms \b \f \n
		// \r \t for C0 and \u00XX for the rest: both are one character.
		if r < 0x20 && back == string(r) {
			continue
		}
		if newerUnicode(r, cat) {
			tolerated++
			continue
		}
		t.Errorf("U+%04X (%s): ours %s, python3 %s", r, cat, strconv.QuoteToASCII(got), strconv.QuoteToASCII(wantRaw))
	}
	t.Logf("%d code points compared; %d differ only by Unicode version", len(cps), tolerated)
}

// TestSafeTextEscapesFormatCharacters (item 36): text shown to a person
// keeps newlines, tabs and spaces and escapes everything else that is not
// printable, among them the bidirectional overrides and invisible
// characters a menu row could use to look like another.
func TestSafeTextEscapesFormatCharacters(t *testing.T) {
	for _, r := range codePoints() {
		got := SafeText(string(r))
		keep := unicode.IsPrint(r) || unicode.Is(unicode.Zs, r) || r == '\n' || r == '\t'
		if keep && got != string(r) {
			t.Errorf("U+%04X: %q, want it kept", r, got)
		}
		want := StrRepr(string(r))[1 : len(StrRepr(string(r)))-1]
		if r == '\r' {
			want = `\x0d` // a lone CR; before LF it is dropped
		}
		if !keep && got != want {
			t.Errorf("U+%04X: %q, want the escape repr gives", r, got)
		}
	}
	row := "0safe.txt\u202e\u2066gnp.exe\u200b\ufeff\u2028"
	if got, want := SafeText(row), `0safe.txt\u202e\u2066gnp.exe\u200b\ufeff\u2028`; got != want {
		t.Errorf("SafeText(%q) = %q, want %q", row, got, want)
	}
}

// TestJSONErrorsEscapeControls (item 34): an error quoting input, printed
// as JSON on standard error, carries no raw C1, DEL or format character.
func TestJSONErrorsEscapeControls(t *testing.T) {
	s, out, errs := testSession()
	s.Exec(context.Background(), "set format json", "")
	out.Reset()
	evil := "\u009b31m\x7f\u202e\u2066"
	s.printError("", &Error{Class: "OSError", Msg: "bad " + evil, Hint: "hint " + evil})
	s.Exec(context.Background(), "val '"+evil+"'", "")
	for _, text := range []string{errs.String(), out.String()} {
		if strings.ContainsAny(text, "\u009b\x7f\u202e\u2066") {
			t.Errorf("raw control characters in %q", text)
		}
		if !strings.Contains(text, `\u009b31m\u007f\u202e\u2066`) {
			t.Errorf("%q: want them as \\u escapes", text)
		}
	}
}

// Strings of several characters, the plain ones (written between quotes
// as they are) and ones with quotes, backslashes and control characters,
// are repr'd as python3 repr's them.
func TestStrReprOfWordsMatchesPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	words := []string{"", "localhost", "http", "a b", `say "hi"`, "it's", `it's "both"`, `back\slash`,
		"tab\there", "~!@#$%^&*()_+`-={}[]|:;<>?,./", "caf\u00e9", "\x7f", "line\nbreak", "\x1b[31m"}
	var in strings.Builder
	for _, w := range words {
		j, _ := json.Marshal(w)
		in.Write(append(j, '\n'))
	}
	cmd := exec.Command(py, "-c", "import sys, json\nfor line in sys.stdin:\n    print(ascii(repr(json.loads(line))))")
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(words) {
		t.Fatalf("python3 gave %d lines for %d words", len(lines), len(words))
	}
	for i, w := range words {
		// python3 printed ascii(repr(w)): repr's text as an ASCII str literal.
		var want string
		if err := json.Unmarshal([]byte(pyStrToJSON(lines[i])), &want); err != nil {
			t.Fatalf("%q: cannot read python3's %s: %v", w, lines[i], err)
		}
		if got := StrRepr(w); got != want {
			t.Errorf("StrRepr(%q) = %s, python3 %s", w, got, want)
		}
	}
}

// pyStrToJSON turns python3's ascii() of a str (a quoted ASCII literal with
// \xNN, \uNNNN and \\ escapes) into a JSON string.
func pyStrToJSON(lit string) string {
	body := lit[1 : len(lit)-1]
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			n := body[i+1]
			switch n {
			case 'x':
				b.WriteString(`\u00` + body[i+2:i+4])
				i += 3
			case 'u':
				b.WriteString(`\u` + body[i+2:i+6])
				i += 5
			case '\'':
				b.WriteByte('\'')
				i++
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
				i++
			}
		case c == '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
