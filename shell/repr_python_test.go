package shell

import (
	"encoding/hex"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// TestBytesReprMatchesPython: BytesRepr of every byte value, of each quote
// mix, and of random bytes is what python3's repr(bytes) prints.
func TestBytesReprMatchesPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	r := rand.New(rand.NewPCG(9, 13))
	cases := [][]byte{{}, all, []byte("it's"), []byte(`say "hi"`), []byte(`'"`), []byte(`\'`), []byte("a\r\n\t\x7f\x80")}
	for range 20 {
		p := make([]byte, r.IntN(300))
		for i := range p {
			const alphabet = "ab'\"\\\n\x00\xff~ "
			p[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, p)
	}
	var in strings.Builder
	for _, c := range cases {
		in.WriteString(hex.EncodeToString(c) + "\n")
	}
	cmd := exec.Command(py, "-c", "import sys\nfor l in sys.stdin: print(repr(bytes.fromhex(l.strip())))")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(want) != len(cases) {
		t.Fatalf("python3 printed %d lines for %d cases", len(want), len(cases))
	}
	for i, c := range cases {
		if got := BytesRepr(c); got != want[i] {
			t.Errorf("BytesRepr(%q) = %s, python3: %s", c, got, want[i])
		}
	}
}
