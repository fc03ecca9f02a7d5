package sockdiag

import (
	"errors"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// TestTimeWaitAfterClose: the side that closes first holds TIME_WAIT in
// the kernel's table with no descriptor; ss, the reference, agrees.
func TestTimeWaitAfterClose(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	local := c.LocalAddr().(*net.TCPAddr).AddrPort()
	remote := c.RemoteAddr().(*net.TCPAddr).AddrPort()
	e, err := Lookup(local, remote)
	if err != nil || e.State != 1 {
		t.Fatalf("open connection: %+v, %v; want ESTABLISHED (1)", e, err)
	}
	c.Close()
	buf := make([]byte, 1)
	srv.Read(buf) // the FIN
	srv.Close()
	var ent Entry
	for i := 0; i < 1000; i++ { // until the last ACK is in (bounded)
		if ent, err = Lookup(local, remote); err != nil || ent.State == 6 {
			break
		}
	}
	if err != nil || ent.State != 6 || ent.Expires <= 0 {
		t.Fatalf("after close: %+v, %v; want TIME_WAIT (6) with time left", ent, err)
	}
	if ss := testenv.NeedPeer(t, "iproute2", "ss"); ss != "" {
		out, err := exec.Command(ss, "-tanH", "src", local.String(), "dst", remote.String()).Output()
		if err != nil || !strings.HasPrefix(string(out), "TIME-WAIT") {
			t.Errorf("ss says %q, %v; want TIME-WAIT", out, err)
		}
	}
	// The listener's port to a port nobody uses: the kernel's lookup finds
	// the listener, which is not that connection.
	lp := ln.Addr().(*net.TCPAddr).AddrPort()
	nobody := netip.AddrPortFrom(lp.Addr(), uint16(testenv.ClosedPort(t, "tcp")))
	if _, err := Lookup(lp, nobody); !errors.Is(err, ErrNotFound) {
		t.Errorf("a 4-tuple with no connection: %v, want ErrNotFound", err)
	}
}
