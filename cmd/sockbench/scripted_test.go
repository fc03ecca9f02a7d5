package main

import (
	"bufio"
	"strings"
	"testing"
)

// firstDifference says where two outputs differ, and nothing when they are
// the same.
func TestFirstDifference(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"80\n'http'\n", "80\n'http'\n", ""},
		{"", "", ""},
		{"80\n'http'\n", "80\n\"http\"\n", "line 2"},
		{"80\n", "80\n'http'\n", "line 2"},
		{"80\n'http'", "80\n'http'\n", "line 2"},
	} {
		err := firstDifference(bufio.NewReader(strings.NewReader(c.a)), bufio.NewReader(strings.NewReader(c.b)))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q and %q: %v, want no difference", c.a, c.b, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q and %q: %v, want a difference at %s", c.a, c.b, err, c.want)
		}
	}
}
