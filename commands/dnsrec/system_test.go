package dnsrec

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSystemServer(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ conf, want string }{
		{"# a comment\nsearch example.org\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n", "192.0.2.53:53"},
		{"nameserver 2001:db8::53\n", "[2001:db8::53]:53"},
		{"search example.org\n", "127.0.0.1:53"}, // resolv.conf(5): none means the local host
	} {
		path := filepath.Join(dir, "resolv.conf")
		if err := os.WriteFile(path, []byte(c.conf), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := SystemServer(path)
		if err != nil || got != c.want {
			t.Errorf("SystemServer(%q) = %q, %v; want %q", c.conf, got, err, c.want)
		}
	}
	if _, err := SystemServer(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file should be an error")
	}
}
