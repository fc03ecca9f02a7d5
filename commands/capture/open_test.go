package capture

import (
	"errors"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// openLoopback opens a capture on the loopback interface for a test, closed
// when the test ends. Without the right to capture (not root, no
// CAP_NET_RAW) the test is skipped, or fails where peers are required (CI
// runs as root, so a capture that cannot open there is a failure).
func openLoopback(t *testing.T) *Handle {
	t.Helper()
	lo, _, err := LoopbackIndex()
	if err != nil {
		t.Fatal(err)
	}
	h, err := Open(lo, true)
	if errors.Is(err, ErrPermission) {
		testenv.SkipOrFail(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}
