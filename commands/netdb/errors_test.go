package netdb

import (
	"fmt"
	"testing"
)

// TestGaiError: the commands' gaierrors come from this package's own
// constructor, with glibc's text and the hint its lookups give.
func TestGaiError(t *testing.T) {
	e := GaiError(EAI_ADDRFAMILY)
	if e.Error() != "socket.gaierror: [Errno -9] Address family for hostname not supported" || e.Hint != gaiHints[EAI_ADDRFAMILY] {
		t.Errorf("GaiError(EAI_ADDRFAMILY) = %v, hint %q", e, e.Hint)
	}
	wrapped := fmt.Errorf("connect: %w", GaiError(EAI_NONAME))
	if !IsGai(wrapped, EAI_NONAME) || IsGai(wrapped, EAI_AGAIN) || IsGai(fmt.Errorf("x"), EAI_NONAME) {
		t.Error("IsGai does not tell the codes apart")
	}
	if x := e.Python(); x.Class != ClassGai || x.Errno != -9 || !x.HasErrno || x.Hint == "" {
		t.Errorf("Python() = %+v", x)
	}
}
