package commands

// The trace helpers at work: explain on shows the system calls a command
// makes, with their real descriptors, results and byte counts.

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// explain on shows the system calls with their real descriptors and results.
func TestSocketExplainSyscalls(t *testing.T) {
	closed := testenv.ClosedPort(t, "tcp")
	ss := newSockSession(t)
	ss.MustExec("explain on")
	out := ss.MustExec("socket tcp")
	fd := ss.sock("s1").FD()
	sockWantLines(t, out,
		">>> s1 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
		fmt.Sprintf("  # socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, IPPROTO_TCP) = %d", fd))
	out, errs := ss.Exec(fmt.Sprintf("connect s1 127.0.0.1 %d", closed))
	sockWantLines(t, out,
		fmt.Sprintf(">>> s1.connect(('127.0.0.1', %d))", closed),
		fmt.Sprintf("  # connect(%d, {AF_INET, 127.0.0.1:%d}) = -1 EINPROGRESS (Operation now in progress)", fd, closed),
		fmt.Sprintf("  # getsockopt(%d, SOL_SOCKET, SO_ERROR) = 111 (ECONNREFUSED)", fd))
	if want := fmt.Sprintf("ConnectionRefusedError: [Errno 111] Connection refused\n  hint: nothing is listening on 127.0.0.1:%d\n", closed); errs != want {
		t.Errorf("connect to a closed port: stderr %q, want %q", errs, want)
	}

	port := sockGoPeer(t, func(c *net.TCPConn) { io.Copy(c, c) })
	out = ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	fd2 := ss.sock("s2").FD()
	sockWantLines(t, out,
		fmt.Sprintf(">>> s2 = socket.create_connection(('127.0.0.1', %d))", port),
		fmt.Sprintf("  # connect(%d, {AF_INET, 127.0.0.1:%d}) = -1 EINPROGRESS (Operation now in progress)", fd2, port))
	sockWantLines(t, ss.MustExec("send s2 hello"), ">>> s2.send(b'hello')", fmt.Sprintf("  # sendto(%d, 5 bytes) = 5", fd2), "5")
	sockWantLines(t, ss.MustExec("recv s2"), ">>> s2.recv(4096)", fmt.Sprintf("  # recvfrom(%d, 4096) = 5", fd2), "b'hello'")
	sockWantLines(t, ss.MustExec("close s2"), ">>> s2.close()", fmt.Sprintf("  # close(%d) = 0", fd2))
	ss.MustExec("explain off")
	if out := ss.MustExec("sockname s1"); strings.Contains(out, "#") || strings.Contains(out, ">>>") {
		t.Errorf("explain off still explains: %q", out)
	}
}

// sockWantLines checks that every line is in out.
func sockWantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range splitLines(out) {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("missing line %q in:\n%s", l, out)
		}
	}
}

// One byte is "1 byte": in the demo servers' log and in the traced calls.
func TestPluralOneByte(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("explain on")
	out := ss.MustExec("send s1 x")
	if want := fmt.Sprintf("  # sendto(%d, 1 byte) = 1", ss.sock("s1").FD()); !strings.Contains(out, want+"\n") {
		t.Errorf("send of one byte explains as %q, want the line %q", out, want)
	}
	if out := ss.MustExec("recv s1"); !strings.Contains(out, "b'x'") {
		t.Fatalf("recv: %q", out)
	}
	ss.MustExec("explain off")
	local := ss.sockRow("s1")["local"]
	// The server's lines are events, captured apart from results; stop
	// waits for the server's last line.
	ss.MustExec("close s1; stop echo1")
	errs := strings.Join(ss.Events(), "\n")
	if want := fmt.Sprintf("[echo 127.0.0.1:%d] ", port); !strings.Contains(errs, want) || !strings.Contains(errs, local) ||
		!strings.Contains(errs, "(1 byte in, 1 byte out)") {
		t.Errorf("the echo server's log: %q", errs)
	}
}
