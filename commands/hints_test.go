package commands

// Hints on socket errors that depend on what happened before the call:
// a refused UDP datagram heard on the next call, an address a listener holds.

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// A connected UDP socket whose datagram met a closed port hears of it on the
// next call, as python3's does (ConnectionRefusedError from recv): the hint
// says so, where it said "nothing is listening on that address", which reads
// as if the call itself had asked.
func TestUDPRefusedHint(t *testing.T) {
	closed, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := closed.LocalAddr().(*net.UDPAddr).Port
	closed.Close() // nothing is bound there now
	got := pyRun(t, fmt.Sprintf(`import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.connect(('127.0.0.1', %d)); s.send(b'x')
try:
    s.recv(10)
except OSError as e:
    print(type(e).__name__, e.errno)`, port))
	if got != "ConnectionRefusedError 111\n" {
		t.Fatalf("python3 gave %q", got)
	}
	ss := newSockSession(t)
	ss.MustExec("socket udp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("settimeout s1 5")
	ss.MustExec("send s1 x")
	_, errs := ss.Exec("recv s1")
	if !strings.HasPrefix(errs, "ConnectionRefusedError: [Errno 111]") || !strings.Contains(errs, "ICMP port unreachable") {
		t.Errorf("recv after a datagram to a closed port: %q", errs)
	}
}

// Address already in use with a listener on the port: SO_REUSEADDR does not
// help (python3 gets EADDRINUSE with it set too), so the hint does not send
// the user to it (it said "try SO_REUSEADDR or another port", and after
// setting it the bind failed with the same hint).
func TestAddrInUseHint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	got := pyRun(t, fmt.Sprintf(`import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(('127.0.0.1', %d))
except OSError as e:
    print(e.errno)`, port))
	if got != "98\n" {
		t.Fatalf("python3's bind with SO_REUSEADDR gave %q", got)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec("setsockopt s1 SO_REUSEADDR 1")
	_, errs := ss.Exec(fmt.Sprintf("bind s1 127.0.0.1 %d", port))
	if !strings.HasPrefix(errs, "OSError: [Errno 98] Address already in use") ||
		strings.Contains(errs, "try SO_REUSEADDR") || !strings.Contains(errs, "never one a listening socket holds") {
		t.Errorf("bind over a listener with SO_REUSEADDR set: %q", errs)
	}
}
