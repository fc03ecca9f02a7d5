package commands

// Fuzz targets (issue 14) at the commands' level: the argument kinds of
// the socket commands parsed from any word, and a gopher menu from any
// bytes shown in every format. Nothing here reaches the network or a name
// service: the commands fuzzed make sockets, read the services file or
// render. Output must stay free of control characters. Seeds are in
// testdata/fuzz.

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sockshell/sockshell/commands/gopher"
	"github.com/sockshell/sockshell/shell"
)

// terminalUnsafe returns the first character of s a terminal would act on
// (C0 but newline and tab, DEL, C1 as UTF-8 or raw, bytes that are no
// UTF-8, bidirectional overrides and isolates).
func terminalUnsafe(s string) (rune, bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return rune(s[i]), true
		case r == '\n' || r == '\t':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return r, true
		}
		i += size
	}
	return 0, false
}

func FuzzSocketArgs(f *testing.F) {
	for _, s := range []string{"2147483648", "-1", "1e-10", "nan", "none", "rdwr", "tcp", "unix", "99999999999999999999", "'\x1b]0;x\x07'", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, word string) {
		if strings.ContainsAny(word, "\n") {
			return
		}
		tm := newTerm(t)
		tm.Exec("socket")
		for _, line := range []string{"listen s1 " + word, "settimeout s1 " + word, "shutdown s1 " + word,
			"setsockopt s1 SO_REUSEADDR " + word, "getsockopt s1 " + word, "socket " + word, "servport " + word, "servname " + word + " tcp",
			"close " + word, "recv s1 " + word} {
			out, errs := tm.Exec(line)
			if r, bad := terminalUnsafe(out + errs); bad {
				t.Errorf("%q wrote %U: %q %q", line, r, out, errs)
			}
		}
		tm.Session.CloseAll()
	})
}

func FuzzMenuShown(f *testing.F) {
	f.Add([]byte("i\x1b]52;c;aGk=\x07\t\tnull.host\t1\r\n0\x1b[2J\t/x\x9b\tlocalhost\t70\r\n\r>>> \t\th\t1\n.\r\n"))
	f.Add([]byte("1\u202eevil\t/\u2066\th\u0085\t99999\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := gopher.ParseMenu(bytes.NewReader(data), gopher.Limits{MaxItems: 50})
		if err != nil {
			return
		}
		tab := shell.NewTable(&shell.Command{Name: "menu", Summary: "a menu", Group: "t",
			Run: func(*shell.Call) (any, error) { return menuRows(&m), nil }})
		tab.Add(shell.Builtins()...)
		var out, errs bytes.Buffer
		s := shell.NewSession(tab, &out, &errs)
		for _, format := range []string{"table", "python", "json"} {
			s.Exec(t.Context(), "set format "+format, "")
			out.Reset()
			errs.Reset()
			s.Exec(t.Context(), "menu", "")
			if r, bad := terminalUnsafe(out.String() + errs.String()); bad {
				t.Errorf("format %s wrote %U: %q", format, r, out.String())
			}
		}
	})
}
