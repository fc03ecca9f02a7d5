package commands

// `serve gopher` (serve_gopher.go): curl's gopher client against it, what
// it refuses to serve and its connection cap, its listening socket failing
// for good, and FIFOs in the directory it serves.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
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

// TestCurlAgainstServeGopher: curl's gopher client against a server the
// session started with `serve gopher`.
func TestCurlAgainstServeGopher(t *testing.T) {
	curl := testenv.NeedPeer(t, "curl", "curl")
	dir := t.TempDir()
	blob := gopherBlob(100 << 10)
	files := map[string][]byte{
		"notes.txt":     []byte("Line one.\n.\n..two dots\nlast line without LF"),
		"blob.bin":      blob,
		"sub/inner.txt": []byte("inside\r\n"),
	}
	for name, data := range files {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g := newGopherSession(t)
	port := g.serve(dir)

	run := func(url string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), gopherTestBound)
		defer cancel()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, curl, "--silent", "--show-error", "--max-time", "20", url)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("curl %s: %v: %s", url, err, stderr.String())
		}
		return out
	}
	base := fmt.Sprintf("gopher://127.0.0.1:%d", port)
	for url, request := range map[string]string{base + "/": "\r\n", base + "/1/sub": "/sub\r\n"} {
		got, want := run(url), testenv.Exchange(t, port, request, gopherTestBound)
		if !bytes.Equal(got, want) || !bytes.HasSuffix(got, []byte("\r\n.\r\n")) {
			t.Errorf("curl %s:\n%q\nthe server sends:\n%q", url, got, want)
		}
	}
	for name, want := range files {
		typ := "0"
		if strings.HasSuffix(name, ".bin") {
			typ = "9"
		}
		if got := run(base + "/" + typ + "/" + name); bytesSHA(got) != bytesSHA(want) {
			t.Errorf("curl %s: %d bytes, not the file's %d", name, len(got), len(want))
		}
		// Our client with --out saves the same bytes.
		dst := filepath.Join(t.TempDir(), "out")
		g.MustExec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/%s/%s --out %s", port, typ, name, dst))
		if sum, _ := fileSHA(t, dst); sum != bytesSHA(want) {
			t.Errorf("gopher --out %s differs from the file", name)
		}
	}
	// curl's connections are counted by `servers`.
	if out := g.MustExec("set format json; servers"); !strings.Contains(out, `"connections":`) {
		t.Errorf("servers: %s", out)
	}
}

// TestServeGopherConfined: `serve gopher DIR` serves nothing outside DIR
// (dot-dot, hidden names, symbolic links out of it) and caps its
// connections: beyond the cap a client gets an error item, not a hang.
func TestServeGopherConfined(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.txt"), []byte("hidden\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("ok\n"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "secret.txt")); err != nil {
		t.Fatal(err)
	}
	g := newGopherSession(t)
	port := g.serve(dir)
	out := g.MustExec(fmt.Sprintf("gopher localhost / %d", port))
	if strings.Contains(out, "secret") || strings.Contains(out, "hidden") || strings.Contains(out, "| out") || !strings.Contains(out, "/ok.txt") {
		t.Errorf("root listing shows what it should not (or lacks ok.txt):\n%s", out)
	}
	for _, sel := range []string{"../" + filepath.Base(outside) + "/secret.txt", "/out/secret.txt", "/secret.txt", "/.hidden.txt", "/ok.txt/../../x", "/%2e%2e/etc/passwd"} {
		out, errs := g.Exec(fmt.Sprintf("gopher localhost '%s' %d", sel, port))
		if out != "" || !strings.Contains(errs, "Error: ") || strings.Contains(errs, "secret\n") {
			t.Errorf("%s: %q %q, want a refusal", sel, out, errs)
		}
	}

	// The connection cap (32), on a fresh server: a handler of the fetches
	// above may still be ending, and a slot it frees after the flood would
	// let the next client in.
	g.MustExec("stop all")
	port = g.serve(dir)
	// Hold 40 connections open without a request
	// (more than the cap, so that the slots are taken whichever handlers
	// run first); the next client is told the server is busy.
	conns := func() int {
		var doc struct{ Result []struct{ Connections int } }
		out := g.MustExec("set format json; servers")
		// The last document is the table of servers.
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &doc); err != nil || len(doc.Result) != 1 {
			t.Fatalf("servers: %v %s", err, out)
		}
		return doc.Result[0].Connections
	}
	before := conns()
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range 40 { // 16 from 127.0.0.1 (the most one address may hold), the rest from 127.0.0.2
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+min(i/servePerAddress, 1)))}}
		c, err := d.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// Wait (bounded) until the server has accepted them all.
	deadline := time.Now().Add(gopherTestBound)
	for conns() < before+40 {
		if time.Now().After(deadline) {
			t.Fatal("the server did not accept 40 connections")
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.MustExec("set format table")
	_, errs := g.Exec(fmt.Sprintf("gopher localhost / %d", port))
	if !strings.Contains(errs, "server busy") {
		t.Errorf("beyond the cap: %q", errs)
	}
	for _, c := range held {
		c.Close()
	}
	held = nil
	// Once they are gone the server answers again (bounded retry: the
	// handlers notice the closed connections asynchronously).
	for {
		_, errs = g.Exec(fmt.Sprintf("gopher localhost /ok.txt %d", port))
		if errs == "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if errs != "" {
		t.Errorf("after the flood: %q", errs)
	}
}

// TestServeGopherNotADirectory: a file given as DIR is Python's
// NotADirectoryError, with its errno and the file's name, as os.listdir
// words it.
func TestServeGopherNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain.txt")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := newGopherSession(t)
	_, errs := g.Exec("serve gopher " + file)
	want := "NotADirectoryError: [Errno 20] Not a directory: '" + file + "'"
	if !strings.HasPrefix(errs, want) {
		t.Errorf("serve gopher FILE: %q, want %q", errs, want)
	}
}
