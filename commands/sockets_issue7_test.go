package commands

// Issue 7, the sockets family: closing twice, what the empty table says,
// plurals, the truth of every note about shutdowns and peers, connect's
// errors, serve's addresses, the UDP demo servers' loop guard, and option
// values that do not fit a C int. Python 3's socket module, run beside the
// shell, is the reference where a call's result is compared.

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
)

// pyRun runs a python3 program and returns what it printed.
func pyRun(t *testing.T, program string) string {
	t.Helper()
	py := needPeer(t, "python3", "python3")
	out, err := exec.Command(py, "-c", program).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	return string(out)
}

// Python's close() on a closed socket does nothing; so does close, with a
// note saying the socket was closed already.
func TestCloseTwice(t *testing.T) {
	if got := pyRun(t, "import socket\ns = socket.socket()\ns.close()\nprint(repr(s.close()))"); got != "None\n" {
		t.Fatalf("python3's second close gave %q", got)
	}
	ss := newSockSession(t)
	ss.ok("socket tcp")
	ss.ok("close s1")
	out, errs := ss.run("close s1")
	if errs != "" || out != "# s1 was already closed; closing it again does nothing, as in Python\n" {
		t.Errorf("second close: stdout %q stderr %q", out, errs)
	}
	// The same name twice in one command closes it once.
	ss.ok("socket tcp")
	out, errs = ss.run("close s2 s2")
	if errs != "" || out != "# s2 was already closed; closing it again does nothing, as in Python\n" {
		t.Errorf("close s2 s2: stdout %q stderr %q", out, errs)
	}
	// A name never made is still an error, and other calls on a closed
	// socket still fail as Python's do.
	if _, errs := ss.run("close s9"); !strings.HasPrefix(errs, "NameError: name 's9' is not defined") {
		t.Errorf("close s9: %q", errs)
	}
	if _, errs := ss.run("recv s1"); !strings.HasPrefix(errs, "OSError: [Errno 9] Bad file descriptor") {
		t.Errorf("recv on a closed socket: %q", errs)
	}
}

// After close all, the empty table does not say "no sockets yet".
func TestSocketsAfterCloseAll(t *testing.T) {
	ss := newSockSession(t)
	if out := ss.ok("sockets"); !strings.Contains(out, "# no sockets yet; make one with: socket tcp\n") {
		t.Errorf("a fresh session's sockets: %q", out)
	}
	ss.ok("socket tcp; socket udp")
	ss.ok("close all")
	out := ss.ok("sockets")
	if strings.Contains(out, "yet") || !strings.Contains(out, "# no open sockets (s1, s2 closed: a closed socket leaves the table); make one with: socket tcp\n") {
		t.Errorf("sockets after close all: %q", out)
	}
}

// One byte is "1 byte": in the demo servers' log and in the traced calls.
func TestPluralOneByte(t *testing.T) {
	ss := newSockSession(t)
	port := sockFreePort(t, "tcp")
	ss.ok(fmt.Sprintf("serve echo 127.0.0.1:%d", port))
	ss.ok(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.ok("explain on")
	out := ss.ok("send s1 x")
	if want := fmt.Sprintf("  # sendto(%d, 1 byte) = 1", ss.sock("s1").FD()); !strings.Contains(out, want+"\n") {
		t.Errorf("send of one byte explains as %q, want the line %q", out, want)
	}
	if out := ss.ok("recv s1"); !strings.Contains(out, "b'x'") {
		t.Fatalf("recv: %q", out)
	}
	ss.ok("explain off")
	local := ss.sockRow("s1")["local"]
	_, errs := ss.run("close s1; stop echo1") // stop waits for the server's last line
	if want := fmt.Sprintf("[echo 127.0.0.1:%d] ", port); !strings.Contains(errs, want) || !strings.Contains(errs, local+" ") ||
		!strings.Contains(errs, "(1 byte in, 1 byte out)") {
		t.Errorf("the echo server's log: %q", errs)
	}
}

var _ = io.Discard
var _ = net.IPv4len
