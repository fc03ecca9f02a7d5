package gopher

import (
	"errors"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want Target
	}{
		{"gopher://example.org", Target{Host: "example.org", Port: 70, Type: '1'}},
		{"gopher://example.org/", Target{Host: "example.org", Port: 70, Type: '1'}},
		{"gopher://example.org:7070/0/a/b.txt", Target{Host: "example.org", Port: 7070, Type: '0', Selector: "/a/b.txt"}},
		{"GOPHER://Example.ORG/1", Target{Host: "Example.ORG", Port: 70, Type: '1'}},
		{"example.org/9/x.bin", Target{Host: "example.org", Port: 70, Type: '9', Selector: "/x.bin"}},
		{"gopher://[::1]:70/1/", Target{Host: "::1", Port: 70, Type: '1', Selector: "/"}},
		{"gopher://[2001:db8::1]/0x", Target{Host: "2001:db8::1", Port: 70, Type: '0', Selector: "x"}},
		{"gopher://h/0/a%20b%2Fc", Target{Host: "h", Port: 70, Type: '0', Selector: "/a b/c"}},
		{"gopher://h/7/search%09sockets%20tcp", Target{Host: "h", Port: 70, Type: '7', Selector: "/search", Query: "sockets tcp"}},
		{"gopher://h/7/s%09q%09+", Target{Host: "h", Port: 70, Type: '7', Selector: "/s", Query: "q"}},
		{"gopher://h/0/what?x=1#frag", Target{Host: "h", Port: 70, Type: '0', Selector: "/what?x=1#frag"}},
		{"gopher://h/%25sel", Target{Host: "h", Port: 70, Type: '%', Selector: "sel"}},
		{"gopher://h:/1", Target{Host: "h", Port: 70, Type: '1'}},
		{"gopher://127.0.0.1:65535/1", Target{Host: "127.0.0.1", Port: 65535, Type: '1'}},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		back, err := ParseURL(got.URL())
		if err != nil || back != got {
			t.Errorf("ParseURL(%q).URL() = %q re-parses to %+v, %v", tt.in, got.URL(), back, err)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, in := range []string{
		"gopher://",
		"gopher:///1/x",
		"gopher://:70/1",
		"gopher://h:0/1",
		"gopher://h:65536/1",
		"gopher://h:-1/1",
		"gopher://h:+70/1",
		"gopher://h:7x/1",
		"gopher://[::1/1",
		"gopher://[::1]x/1",
		"gopher://[1.2.3.4]/1",
		"gopher://user@h/1",
		"gopher://h o/1",
		"http://h/1",
		"gopher://h/0/bad%zz",
		"gopher://h/0/bad%2",
		"gopher://h/%2",
		"gopher://h/0/a%0Db",
		"gopher://h/7/s%09a%0Ab",
		"gopher://h/0/a\tb",
		"gopher://h/\x01x",
	} {
		_, err := ParseURL(in)
		var uerr *URLError
		if !errors.As(err, &uerr) {
			t.Errorf("ParseURL(%q) error = %v, want a *URLError", in, err)
		}
	}
}

func TestTargetURL(t *testing.T) {
	tests := []struct {
		t    Target
		want string
	}{
		{Target{Host: "h", Port: 70, Type: '1'}, "gopher://h/1"},
		{Target{Host: "h", Port: 7070, Type: '0', Selector: "/a b"}, "gopher://h:7070/0/a%20b"},
		{Target{Host: "::1", Port: 70, Type: '7', Selector: "/", Query: "x y"}, "gopher://[::1]/7/%09x%20y"},
		{Target{Host: "h", Port: 70, Type: '0', Selector: "/100%?#"}, "gopher://h/0/100%25%3F%23"},
	}
	for _, tt := range tests {
		if got := tt.t.URL(); got != tt.want {
			t.Errorf("%+v.URL() = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"gopher://example.org/1/", "gopher://[::1]:7070/7/s%09q", "h:1/0a%20b", "gopher://h/%25",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseURL(s)
		if err != nil {
			return
		}
		if tg.Host == "" || tg.Port < 1 || tg.Port > 65535 || tg.Type < 0x21 || tg.Type > 0x7e {
			t.Fatalf("ParseURL(%q) = %+v: invalid fields", s, tg)
		}
		if len(tg.Selector)+len(tg.Query) > len(s) {
			t.Fatalf("ParseURL(%q): decoded parts longer than the input", s)
		}
		u := tg.URL()
		back, err := ParseURL(u)
		if err != nil {
			t.Fatalf("ParseURL(%q).URL() = %q does not re-parse: %v", s, u, err)
		}
		if back != tg {
			t.Fatalf("ParseURL(%q) = %+v; URL() %q re-parses to %+v", s, tg, u, back)
		}
		if back.URL() != u {
			t.Fatalf("URL() is not stable: %q then %q", u, back.URL())
		}
	})
}
