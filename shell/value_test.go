package shell

import "testing"

// The expected strings are what CPython 3 prints for repr() of the same values.
func TestPyRepr(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{80, "80"},
		{"127.0.0.1", "'127.0.0.1'"},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{"a\tb\n\x1b[31m", `'a\tb\n\x1b[31m'`},
		{"caf\u00e9", "'caf\u00e9'"},
		{"\x80", `'\udc80'`},
		{[]byte("HTTP/1.0 200 OK\r\n"), `b'HTTP/1.0 200 OK\r\n'`},
		{[]byte{0, 0xff, '\'', '\\'}, `b"\x00\xff'\\"`},
		{[]byte{'\'', '"'}, `b'\'"'`},
		{Tuple{"127.0.0.1", 3213}, "('127.0.0.1', 3213)"},
		{Tuple{"x"}, "('x',)"},
		{Tuple{"localhost", List{}, List{"127.0.0.1"}}, "('localhost', [], ['127.0.0.1'])"},
		{0.5, "0.5"},
		{30.0, "30.0"},
		{true, "True"},
		{nil, "None"},
	}
	for _, c := range cases {
		if got := PyRepr(c.v); got != c.want {
			t.Errorf("PyRepr(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}

func TestSafeText(t *testing.T) {
	cases := map[string]string{
		"plain\ttext\n":      "plain\ttext\n",
		"line\r\nnext":       "line\nnext",
		"\x1b[2Jclear":       `\x1b[2Jclear`,
		"bell\a cr\r":        `bell\x07 cr\x0d`,
		"ok \u00e9 \xff":     `ok ` + "\u00e9" + ` \xff`,
		"\u009b31m (C1 CSI)": `\x9b31m (C1 CSI)`,
	}
	for in, want := range cases {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReprAndTextEscaped: a Repr or Text a command built from outside
// text still reaches the terminal escaped, inside a tuple too.
func TestReprAndTextEscaped(t *testing.T) {
	got := PyRepr(Tuple{Repr{Text: "<x \x1b]0;t\x07\u202e>"}, Text("a\u009bb")})
	if want := `(<x \x1b]0;t\x07\u202e>, a\x9bb)`; got != want {
		t.Errorf("PyRepr = %q, want %q", got, want)
	}
}
