package shell

import (
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

// literalCases are Python string literals, as typed at the prompt, whose
// bytes (a str's UTF-8 encoding, or the bytes of a b” literal) must equal
// what python3 makes of the same source text; or both must refuse it.
var literalCases = []string{
	`'hello\r\n'`, `"GET / HTTP/1.0\r\n\r\n"`, `'caf\u00e9'`, `'caf\xe9'`, `'\xff'`,
	`'\x00\xff'`, `b'\x00\xff'`, `b'\xe9'`, `'\U0001f600'`, `'\u20ac'`, `'\101\0\12'`,
	`r'\n'`, `R'\n'`, `rb'\n'`, `Rb'\x41'`, `bR'\\'`, `br'\''`, `BR"a\"b"`,
	`b'it\'s'`, `u'caf\u00e9'`, `U'x'`, `'é'`, `"日本"`, `b'é'`, `'\q'`, `b'\q'`,
	`b'\u00e9'`, `b'\N{x}'`, `'\u12'`, `'\U00110000'`, `'\x4'`, `b'a''b'`, `'a''b'`,
	`r'\'`, `'a\ b'`, `'\ud800'`, `'tab\there'`, `"\a\b\f\v"`, `'\\'`, `'\U0010ffff'`,
}

// TestLiteralsMatchPython (issue 7, items 4 and 5): every literal gives the
// bytes python3 gives, or is refused where python3 refuses it.
func TestLiteralsMatchPython(t *testing.T) {
	py := needPeer(t, "python3", "python3")
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
