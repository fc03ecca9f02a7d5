package netdb

import (
	"os"
	"os/exec"
	"testing"
)

// needPeer finds a real program a test talks to. When it is missing the test is
// skipped with the install hint, unless SOCKSHELL_REQUIRE_PEERS=1 (as in CI),
// where a missing peer fails the test.
func needPeer(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if _, statErr := os.Stat(name); statErr == nil {
			return name
		}
		msg := name + " not found: install it (" + install + ")"
		if os.Getenv("SOCKSHELL_REQUIRE_PEERS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}
