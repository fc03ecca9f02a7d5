package commands

// `serve gopher` when things go wrong under it: its listening socket
// failing for good, and FIFOs in the directory it serves.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// listeningFD finds this process's listening TCP socket bound to port.
func listeningFD(t *testing.T, port int) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if on, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err != nil || on != 1 {
			continue
		}
		sa, err := unix.Getsockname(fd)
		if err != nil {
			continue
		}
		if in4, ok := sa.(*unix.SockaddrInet4); ok && in4.Port == port {
			return fd
		}
	}
	t.Fatalf("no listening socket on port %d", port)
	return -1
}

// TestServeGopherDies: when the server's accept fails for good (here its
// listening socket is shut down under it: accept(2) then fails with
// EINVAL), the session says so and `servers` no longer lists it.
func TestServeGopherDies(t *testing.T) {
	g := newGopherSession(t)
	port := g.serve(gopherHole)
	if out := g.MustExec("servers"); !strings.Contains(out, "gopher1") {
		t.Fatalf("servers: %s", out)
	}
	if err := unix.Shutdown(listeningFD(t, port), unix.SHUT_RDWR); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("[gopher1] the gopher server on 127.0.0.1:%d has stopped: accept() failed with OSError: [Errno 22] Invalid argument; it is gone from `servers`\n", port)
	// A server's line is an event, captured apart from results; outside
	// the prompt the session prints it at the next statement boundary.
	deadline := time.Now().Add(gopherTestBound)
	var seen []string
	for !slices.Contains(seen, "# "+strings.TrimSuffix(want, "\n")) {
		if time.Now().After(deadline) {
			t.Fatalf("no word of the server's end; events:\n%s\nwant %q", strings.Join(seen, "\n"), want)
		}
		time.Sleep(5 * time.Millisecond)
		if out := g.MustExec("hostname"); strings.Contains(out, "gopher1") {
			t.Fatalf("a server's line among hostname's results: %q", out)
		}
		seen = append(seen, g.Events()...)
	}
	// Its removal from the registry comes just before the line.
	out, errs := g.Exec("servers")
	if strings.Contains(out, "gopher1") || errs != "" {
		t.Errorf("servers after the end: %q %q", out, errs)
	}
	if _, errs := g.Exec("stop gopher1"); !strings.HasPrefix(errs, "NameError: no server named 'gopher1'") {
		t.Errorf("stop gopher1: %q", errs)
	}
}

// TestServeGopherFIFOs: a FIFO as a directory's gophermap, or in place of
// a file, is refused at once; `stop` then returns (it used to wait for
// ever for a handler stuck in open(2)).
func TestServeGopherFIFOs(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	for _, p := range []string{"sub/gophermap", "pipe.txt"} {
		if err := syscall.Mkfifo(filepath.Join(dir, p), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	g := newGopherSession(t)
	g.MustExec("set timeout 10")
	port := g.serve(dir)
	for sel, want := range map[string]string{
		"/sub/":     "GopherError: the server sent an error item: access denied: not a regular file: /sub/\n",
		"/pipe.txt": "GopherError: the server sent an error item: access denied: not a regular file: /pipe.txt\n",
	} {
		if _, errs := g.Exec(fmt.Sprintf("gopher 127.0.0.1 %s %d", sel, port)); errs != want {
			t.Errorf("%s: %q, want %q", sel, errs, want)
		}
	}
	done := make(chan string, 1)
	go func() {
		_, errs := g.Exec("stop gopher1")
		done <- errs
	}()
	select {
	case errs := <-done:
		if errs != "" {
			t.Errorf("stop: %q", errs)
		}
	case <-time.After(gopherTestBound + 5*time.Second):
		t.Fatal("stop hangs")
	}
}
