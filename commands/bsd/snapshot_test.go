package bsd

import (
	"fmt"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// errText is an error as the shell would print it ("" for none).
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Snapshot says what SockName, PeerName and State say, for sockets in
// every state the sockets table shows: fresh, bound, listening,
// connected, a peer gone, datagram connected or not, Unix, closed.
func TestSnapshotIsNamesAndState(t *testing.T) {
	socks := map[string]*Socket{}
	socks["tcp fresh"] = open(t, unix.AF_INET, unix.SOCK_STREAM)
	l, port := listen(t, unix.AF_INET, 8)
	socks["tcp listening"] = l
	c, srv := pair(t, unix.AF_INET6)
	socks["tcp6 connected"], socks["tcp6 accepted"] = c, srv
	gone, goneSrv := pair(t, unix.AF_INET)
	goneSrv.Close() // the peer's FIN: CLOSE_WAIT on this side
	socks["tcp peer closed"] = gone
	u := open(t, unix.AF_INET, unix.SOCK_DGRAM)
	socks["udp fresh"] = u
	uc := open(t, unix.AF_INET, unix.SOCK_DGRAM)
	if err := uc.Connect(ctxT(t), lo4, port); err != nil {
		t.Fatal(err)
	}
	socks["udp connected"] = uc
	dir := t.TempDir()
	ul := open(t, unix.AF_UNIX, unix.SOCK_STREAM)
	if err := ul.BindUnix(filepath.Join(dir, "l.sock")); err != nil {
		t.Fatal(err)
	}
	if err := ul.Listen(4); err != nil {
		t.Fatal(err)
	}
	socks["unix listening"] = ul
	ucl := open(t, unix.AF_UNIX, unix.SOCK_STREAM)
	if err := ucl.ConnectUnix(ctxT(t), filepath.Join(dir, "l.sock")); err != nil {
		t.Fatal(err)
	}
	socks["unix connected"] = ucl
	socks["unix dgram"] = open(t, unix.AF_UNIX, unix.SOCK_DGRAM)
	closed := open(t, unix.AF_INET, unix.SOCK_STREAM)
	closed.Close()
	socks["closed"] = closed
	states := map[string]bool{}
	for what, s := range socks {
		sn := s.Snapshot()
		local, lerr := s.SockName()
		peer, perr := s.PeerName()
		state := s.State()
		got := fmt.Sprintf("%v %q %v %q %s", sn.Local, errText(sn.LocalErr), sn.Peer, errText(sn.PeerErr), sn.State)
		want := fmt.Sprintf("%v %q %v %q %s", local, errText(lerr), peer, errText(perr), state)
		if got != want {
			t.Errorf("%s: Snapshot is %s, the calls one by one %s", what, got, want)
		}
		states[state] = true
	}
	// The sockets above are in these states: the test covers each way State answers.
	for _, st := range []string{"CLOSE", "LISTEN", "ESTABLISHED", "CLOSE_WAIT", "UNCONN", "CONNECTED", "closed"} {
		if !states[st] {
			t.Errorf("no socket of the test in state %s (states seen: %v)", st, states)
		}
	}
}
