package shell

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// needPeer finds a program a test compares against (the first of names on
// PATH). When it is missing the test skips, saying which Debian package
// installs it; with SOCKSHELL_REQUIRE_PEERS=1 (as .ci/run sets) it fails.
func needPeer(t *testing.T, pkg string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found: install it: apt-get install -y %s", names[0], pkg)
	if os.Getenv("SOCKSHELL_REQUIRE_PEERS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
