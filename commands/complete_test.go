package commands

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
)

// Tab on the real command table (issue 7 item 23): file paths where a
// command takes a file, directories where it takes a directory, host names
// from the hosts file where it takes a host, and option values.
func TestCompleteArgumentKinds(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"big.bin", "bird.txt", "hole/index.txt"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tm := newTerm(t)
	tm.MustExec("socket tcp")
	s := tm.Session
	files := []string{dir + "/big.bin", dir + "/bird.txt"}
	cases := []struct {
		line string
		want []string
	}{
		{"sendfile s1 " + dir + "/bi", files},
		{"sendfile s", []string{"s1"}},
		{"source " + dir + "/bi", files},
		{"recv s1 --out " + dir + "/bi", files},
		{"recv s1 --out=" + dir + "/bir", []string{"--out=" + dir + "/bird.txt"}},
		{"send s1 --file " + dir + "/bi", files},
		{"sendall s1 --file " + dir + "/bi", files},
		{"sendto s1 --file " + dir + "/bi", files},
		{"gopher localhost / 70 --out " + dir + "/bi", files},
		{"go 1 --out " + dir + "/bi", files},
		{"serve gopher " + dir + "/", []string{dir + "/hole/"}},
		{"serve gopher " + dir + "/h", []string{dir + "/hole/"}},
		// Not a directory argument: serve echo takes HOST:PORT.
		{"serve echo " + dir + "/", nil},
		// The name service's setting, declared by its family: its name
		// and its values.
		{"set d", []string{"dns"}},
		{"set dns s", []string{"system"}},
	}
	for _, c := range cases {
		got, _ := s.Complete(c.line)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Complete(%q) = %q, want %q", c.line, got, c.want)
		}
	}

	// Host names come from the hosts file, and only from it.
	hosts := netdb.HostNames()
	if !slices.Contains(hosts, "localhost") {
		t.Skip("/etc/hosts has no localhost line")
	}
	for _, line := range []string{"connect s1 loc", "connect loc", "resolve loc", "addrinfo loc", "gopher loc", "fqdn loc", "hostbyaddr loc"} {
		got, _ := s.Complete(line)
		if !slices.Contains(got, "localhost") {
			t.Errorf("Complete(%q) = %q, want localhost among them", line, got)
		}
	}
	// connect's first word may be a socket or a host.
	if got, _ := s.Complete("connect s"); !slices.Contains(got, "s1") {
		t.Errorf("connect s: %q", got)
	}
	got, _ := s.Complete("connect s1 ")
	for _, h := range hosts {
		if !slices.Contains(got, h) {
			t.Errorf("connect s1 <Tab> lacks %q from /etc/hosts: %q", h, got)
		}
	}
	// After the host comes a port, not another host.
	if got, _ := s.Complete("connect s1 localhost loc"); len(got) != 0 {
		t.Errorf("connect s1 localhost loc: %q", got)
	}
}

// Every option whose value is a FILE completes as a file path, so a new
// --out or --file cannot forget it.
func TestFileOptionsCompleteAsFiles(t *testing.T) {
	for _, c := range Table().Commands() {
		for _, f := range c.Flags {
			if f.Value && f.Meta == "FILE" && f.Kind != shell.FileArg {
				t.Errorf("%s --%s FILE does not complete as a file", c.Name, f.Name)
			}
		}
	}
}
