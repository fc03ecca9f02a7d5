package commands

import (
	"bytes"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// FuzzHexShown: bytes from a peer shown as a hexdump (recv --hex, recvfrom
// --hex, attach's dump) in every format stay free of control characters, and
// the dump keeps every byte (its hex digits spell the input).
func FuzzHexShown(f *testing.F) {
	f.Add([]byte("\x1b]0;title\x07\x1b[2J\r>>> \x9b31m\u202e\xff\x00"))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0x1b, '[', '2', '0', '1', '~'}, 7))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab := shell.NewTable(&shell.Command{Name: "hx", Summary: "a hexdump", Group: "t",
			Flags: []shell.Flag{{Name: "hex", Help: "hexdump"}},
			Run:   func(c *shell.Call) (any, error) { return shown(c, data), nil }})
		tab.Add(shell.Builtins()...)
		var out, errs bytes.Buffer
		s := shell.NewSession(tab, &out, &errs)
		for _, format := range []string{"table", "python", "json"} {
			s.Exec(t.Context(), "set format "+format, "")
			out.Reset()
			errs.Reset()
			s.Exec(t.Context(), "hx --hex", "")
			if r, bad := terminalUnsafe(out.String() + errs.String()); bad {
				t.Errorf("format %s wrote %U: %q", format, r, out.String())
			}
		}
		dump := hexDump(data, 0)
		if r, bad := terminalUnsafe(dump); bad {
			t.Errorf("attach's dump wrote %U: %q", r, dump)
		}
		var digits []byte
		for _, line := range bytes.Split([]byte(dump), []byte("\n")) {
			if len(line) < 10 {
				continue
			}
			for _, w := range bytes.Fields(line[10:bytes.IndexByte(line, '|')]) {
				digits = append(digits, w...)
			}
		}
		if want := []byte(hexString(data)); !bytes.Equal(digits, want) {
			t.Errorf("attach's dump spells %s, the bytes are %s", digits, want)
		}
	})
}

func hexString(p []byte) string {
	const d = "0123456789abcdef"
	b := make([]byte, 0, 2*len(p))
	for _, c := range p {
		b = append(b, d[c>>4], d[c&15])
	}
	return string(b)
}
