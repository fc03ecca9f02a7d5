// Package testenv is the test support every package of the module shares:
// finding the real programs tests talk to (NeedPeer), loopback sockets on
// ports the kernel chose and that the test keeps (Listen, ClosedPort),
// starting a peer program that must listen on a port it is told
// (ListeningPeer, with a retry when the port was taken) and the peers
// several packages start (Dnsmasq, Gophernicus).
//
// Only _test.go files import it. It sits under shell/, the bottom layer,
// and imports nothing of the module, so the tests of cmd/sockshell, shell
// and every package under commands can use it (Go's internal rule would
// keep a shell/internal or commands/internal package from some of them).
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// RequirePeersEnv set to 1 (as .ci/run does) turns every skip for a
// missing peer into a failure.
const RequirePeersEnv = "SOCKSHELL_REQUIRE_PEERS"

// NeedPeer finds a program a test talks to or compares against: the first
// of names found on PATH (a name may also be a path). When none is found
// the test skips, saying which Debian package installs it; with
// SOCKSHELL_REQUIRE_PEERS=1 it fails instead.
func NeedPeer(t testing.TB, pkg string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	SkipOrFail(t, fmt.Sprintf("%s not found: install it: apt-get install -y %s", names[0], pkg))
	return ""
}

// SkipOrFail skips t with msg, or fails it under SOCKSHELL_REQUIRE_PEERS=1:
// for what the machine lacks (a peer, namespaces), never for a bug.
func SkipOrFail(t testing.TB, msg string) {
	t.Helper()
	if PeersRequired() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// PeersRequired reports whether SOCKSHELL_REQUIRE_PEERS=1.
func PeersRequired() bool { return os.Getenv(RequirePeersEnv) == "1" }
