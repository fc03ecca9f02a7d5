package commands

// The socket life cycle (sockets.go) driven from Go: fromfd, a peer that
// resets, and leaks over many cycles. Beside this file: the transcripts
// (sockets_transcript_test.go), closing (sockets_close_test.go), shutdown
// (shutdown_test.go), data (io_test.go), connect (dial_test.go), options
// (sockopt_test.go), the trace (trace_test.go) and the harness
// (helpers_test.go). Every peer listens on loopback only and is killed when
// its test ends.

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fromfd of a session socket's descriptor: the duplicate shares the
// connection and outlives the original.
func TestSocketFromFD(t *testing.T) {
	port := sockGoPeer(t, func(c *net.TCPConn) { io.Copy(c, c) })
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	fd := ss.sock("s1").FD()
	if got := ss.sockRow("s1")["fd"]; got != strconv.Itoa(fd) {
		t.Fatalf("sockets shows fd %s, the socket has %d", got, fd)
	}
	out := ss.MustExec(fmt.Sprintf("fromfd %d", fd))
	if !strings.HasPrefix(out, "s2  <socket fd=") || !strings.Contains(out, fmt.Sprintf("raddr=('127.0.0.1', %d)>", port)) {
		t.Fatalf("fromfd printed %q", out)
	}
	if fd2 := ss.sock("s2").FD(); fd2 == fd || fd2 < 0 {
		t.Fatalf("fromfd gave fd %d for %d: not a duplicate", fd2, fd)
	}
	if a, b := ss.sockRow("s1")["local"], ss.sockRow("s2")["local"]; a != b {
		t.Errorf("the duplicate's local address %s differs from the original's %s", b, a)
	}
	// Written through the duplicate, echoed to the original.
	if out := ss.MustExec("sendall s2 dup"); out != "3\n" {
		t.Fatalf("sendall s2: %q", out)
	}
	if out := ss.MustExec("recv s1"); out != "b'dup'\n" {
		t.Fatalf("recv s1: %q", out)
	}
	// Closing the original leaves the duplicate working.
	ss.MustExec("close s1")
	ss.MustExec("sendall s2 still")
	if out := ss.MustExec("recv s2"); out != "b'still'\n" {
		t.Fatalf("recv s2 after close s1: %q", out)
	}
	if row := ss.sockRow("s2"); row["state"] != "ESTABLISHED" || row["sent"] != "8" || row["received"] != "5" {
		t.Errorf("s2 row: %v", row)
	}
	// A descriptor that is no socket, and one that is not open.
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, errs := ss.Exec(fmt.Sprintf("fromfd %d", f.Fd())); !strings.HasPrefix(errs, "OSError: [Errno 88] Socket operation on non-socket\n") {
		t.Errorf("fromfd of /dev/null: %q", errs)
	}
	if _, errs := ss.Exec("fromfd 65000"); !strings.HasPrefix(errs, "OSError: [Errno 9] Bad file descriptor\n") {
		t.Errorf("fromfd of a closed descriptor: %q", errs)
	}
}

// A peer that resets the connection after reading a little: one clear
// error, and `sockets` says so, also after a later recv returns nothing.
func TestSocketPeerReset(t *testing.T) {
	reset := make(chan struct{}, 4)
	port := sockGoPeer(t, func(c *net.TCPConn) {
		buf := make([]byte, 1000)
		io.ReadFull(c, buf[:5])
		c.SetLinger(0)
		c.Close()
		reset <- struct{}{}
	})
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("send s1 hello")
	sockWait(t, reset, "the peer's reset")
	out, errs := ss.Exec("recv s1")
	if want := "ConnectionResetError: [Errno 104] Connection reset by peer\n  hint: the peer reset the connection\n"; out != "" || errs != want {
		t.Fatalf("recv after a reset: stdout %q stderr %q, want stderr %q", out, errs, want)
	}
	if st := ss.sockRow("s1")["state"]; st != "CLOSE (peer reset)" {
		t.Errorf("sockets state after the reset: %q", st)
	}
	// The next recv sees end of file (as in Python); the reset stays the
	// socket's story, and is not told again.
	out, errs = ss.Exec("recv s1")
	if out != "b''\n" || errs != "" {
		t.Errorf("second recv: stdout %q stderr %q", out, errs)
	}
	if st := ss.sockRow("s1")["state"]; st != "CLOSE (peer reset)" {
		t.Errorf("sockets state after a later recv: %q", st)
	}

	// Mid-transfer: sendall of 16 MiB to a peer that resets after 1000 bytes.
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, 16<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s2 127.0.0.1 %d", port))
	out, errs = ss.Exec("sendall s2 --file " + big)
	errLines := splitLines(errs)
	// stdout carries the partial count ("# N of 16777216 bytes were sent
	// before the error"); it is checked against the counter below.
	var partial int
	if _, err := fmt.Sscanf(out, "# %d of 16777216 bytes were sent before the error\n", &partial); err != nil || len(errLines) != 2 ||
		!(strings.HasPrefix(errLines[0], "ConnectionResetError: [Errno 104]") || strings.HasPrefix(errLines[0], "BrokenPipeError: [Errno 32]")) ||
		!strings.HasPrefix(errLines[1], "  hint: ") {
		t.Fatalf("sendall to a resetting peer: stdout %q stderr %q, want one error and its hint", out, errs)
	}
	row := ss.sockRow("s2")
	if row["state"] != "CLOSE (peer reset)" {
		t.Errorf("sockets state after the reset mid-transfer: %q", row["state"])
	}
	if n, _ := strconv.Atoi(row["sent"]); n < 1000 || n >= 16<<20 || n != partial {
		t.Errorf("sent counter %s after a reset mid-transfer; the note said %d", row["sent"], partial)
	}
}

func sockOpenFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// 2000 cycles of socket, connect, close through the session leave no
// descriptor and no goroutine behind.
func TestSocketNoLeaks(t *testing.T) {
	const cycles = 2000
	port := sockGoPeer(t, func(c *net.TCPConn) {})
	ss := newSockSession(t)
	n := 0
	cycle := func() {
		n++
		name := fmt.Sprintf("s%d", n)
		if out, errs := ss.Exec(fmt.Sprintf("socket tcp; connect %s 127.0.0.1 %d; close %s", name, port, name)); errs != "" {
			t.Fatalf("cycle %d: %s%s", n, out, errs)
		}
	}
	for range 20 { // warm up: the poller, the peer's goroutines
		cycle()
	}
	// settle waits until the counts are down to fds and gs, or 10 s have
	// passed; it returns the last counts.
	settle := func(fds, gs int) (int, int) {
		var f, g int
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			f, g = sockOpenFDs(t), runtime.NumGoroutine()
			if f <= fds && g <= gs {
				break
			}
		}
		return f, g
	}
	// The baseline: the lowest counts seen over a moment.
	fds0, gs0 := sockOpenFDs(t), runtime.NumGoroutine()
	for range 10 {
		time.Sleep(20 * time.Millisecond)
		fds0, gs0 = min(fds0, sockOpenFDs(t)), min(gs0, runtime.NumGoroutine())
	}
	for range cycles {
		cycle()
	}
	fds1, gs1 := settle(fds0, gs0)
	t.Logf("after %d cycles: fds %d -> %d, goroutines %d -> %d", cycles, fds0, fds1, gs0, gs1)
	if fds1 > fds0 || gs1 > gs0 {
		t.Errorf("leak: fds %d -> %d, goroutines %d -> %d", fds0, fds1, gs0, gs1)
	}
	if len(ss.Session.Resources()) != 0 {
		t.Errorf("registry still holds %d resources", len(ss.Session.Resources()))
	}
}
