package main

import (
	"bufio"
	"os/exec"
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

// TestBufferedPython: with PYTHONUNBUFFERED in the environment, row 2's
// python3 still runs with its output buffered.
func TestBufferedPython(t *testing.T) {
	py, ok := have("python3")
	if !ok {
		t.Skip("python3 is not installed (Debian: python3)")
	}
	for _, set := range []string{"1", ""} {
		t.Setenv("PYTHONUNBUFFERED", set)
		w := splitWords(bufferedPython(py, "-c", "import sys; print(sys.stdout.write_through)"))
		out, err := exec.Command(w[0], w[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v: %s", w, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != "False" {
			t.Errorf("PYTHONUNBUFFERED=%q: python3's sys.stdout.write_through is %s, want False", set, got)
		}
	}
}
