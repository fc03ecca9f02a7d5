package commands

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// lastPython is the Python lines of the session's last command event.
func lastPython(t *testing.T, ss *sockSession) []string {
	t.Helper()
	evs := ss.Session.Events().Recent(0)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind != "command" {
			continue
		}
		for _, a := range evs[i].Attrs {
			if a.Key == "python" {
				lines, _ := a.Value.([]string)
				return lines
			}
		}
		return nil
	}
	t.Fatal("no command event")
	return nil
}

// connect's Python line names the session's listener by the address the
// socket connected to (bsd.Socket.ConnectedPeer, no getpeername): the
// port is s1.getsockname()[1] when s1 listens on it, the number when no
// socket of the session does; and the repr shows the peer getpeername
// gives.
func TestConnectPythonNamesListener(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket")
	ss.MustExec("bind s1 127.0.0.1 0")
	ss.MustExec("listen s1")
	la, err := ss.sock("s1").SockName()
	if err != nil {
		t.Fatal(err)
	}
	port := int(la.Port())
	out := ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	if want := fmt.Sprintf("raddr=('127.0.0.1', %d)", port); !strings.Contains(out, want) {
		t.Errorf("connect's repr %q lacks %q", out, want)
	}
	if got, want := strings.Join(lastPython(t, ss), "\n"), "s2 = socket.create_connection(('127.0.0.1', s1.getsockname()[1]))"; got != want {
		t.Errorf("Python line %q, want %q", got, want)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0") // not the session's: a number
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	other := l.Addr().(*net.TCPAddr).Port
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", other))
	if got, want := strings.Join(lastPython(t, ss), "\n"), fmt.Sprintf("s3 = socket.create_connection(('127.0.0.1', %d))", other); got != want {
		t.Errorf("Python line %q, want %q", got, want)
	}
}
