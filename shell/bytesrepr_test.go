package shell

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// bytesReprRef is Python's bytes repr written the plain way, a byte at a
// time, for BytesRepr's fast paths to be checked against.
func bytesReprRef(p []byte) string {
	q := byte('\'')
	if strings.IndexByte(string(p), '\'') >= 0 && strings.IndexByte(string(p), '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteString("b" + string(q))
	for _, c := range p {
		switch {
		case c == q || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// reprCases are inputs that cross BytesRepr's seams: printable runs of
// every length against the 8-byte words, escapes and quotes at every
// offset, and sizes past the 64 KiB its marks keep on the stack.
func reprCases(r *rand.Rand) [][]byte {
	var cases [][]byte
	const printable = "abc XYZ~!{}09"
	const special = "'\"\\\n\r\t\x00\x1f\x7f\x80\xff"
	for _, size := range []int{1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 511, 512, 513, 4096} {
		for range 3 {
			p := make([]byte, size)
			for i := range p {
				if r.IntN(12) == 0 {
					p[i] = special[r.IntN(len(special))]
				} else {
					p[i] = printable[r.IntN(len(printable))]
				}
			}
			cases = append(cases, p)
		}
	}
	for _, size := range []int{64<<10 - 1, 64 << 10, 64<<10 + 9, 200 << 10} {
		p := make([]byte, size)
		for i := range p {
			p[i] = byte(r.IntN(256))
			if r.IntN(3) > 0 {
				p[i] = printable[r.IntN(len(printable))]
			}
		}
		cases = append(cases, p)
	}
	return cases
}

// TestBytesReprMatchesPythonLong: the word-at-a-time paths give python3's
// repr for inputs of many lengths and mixes.
func TestBytesReprMatchesPythonLong(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	cases := reprCases(rand.New(rand.NewPCG(21, 4)))
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
			t.Errorf("BytesRepr of %d bytes differs from python3's repr (first 80 bytes of input %q)", len(c), c[:min(len(c), 80)])
		}
	}
}

// TestBytesReprBlocks: input longer than the scratch buffer takes (64 KiB,
// here 500 bytes) is measured first and written straight into its result,
// as the plain repr prints it.
func TestBytesReprBlocks(t *testing.T) {
	defer func(b int) { reprChunk = b }(reprChunk)
	reprChunk = 500
	for _, c := range reprCases(rand.New(rand.NewPCG(5, 6))) {
		if got, want := BytesRepr(c), bytesReprRef(c); got != want {
			t.Fatalf("BytesRepr of %d bytes the long way differs from the plain repr", len(c))
		}
	}
}

// TestBytesReprEveryByteEveryPlace: each byte value, at each place of two
// 32-byte blocks of plain text and after each other kind of byte, in both
// quotings (a " at the end makes a ' need its backslash), is escaped as the
// plain repr escapes it, so the block test that lets plain text be copied
// whole misses no byte.
func TestBytesReprEveryByteEveryPlace(t *testing.T) {
	const plain = "abcdefghijklmnopqrstuvwxyz012345"
	for _, end := range []string{"tail", "tail\"\""} {
		for v := range 256 {
			for at := range 64 {
				p := []byte(plain + plain + end)
				p[at] = byte(v)
				if at > 0 {
					p[at-1] = "\x00'\\\x7f\xff~"[v%6] // a neighbour of every kind
				}
				if got, want := BytesRepr(p), bytesReprRef(p); got != want {
					t.Fatalf("BytesRepr(%q) = %s, byte by byte: %s", p, got, want)
				}
			}
		}
	}
}
