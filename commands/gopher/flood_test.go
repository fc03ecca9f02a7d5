package gopher

// The server under pressure: a burst of idle connections from another
// process, accept failing with EMFILE under a low RLIMIT_NOFILE, and a
// Close that must not wait for ever. FIFOs in the tree: serverfs_test.go.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Environment of the re-executed test binary.
const (
	floodAddrEnv = "SOCKSHELL_GOPHER_FLOOD_ADDR" // the flood client: connect here
	floodNEnv    = "SOCKSHELL_GOPHER_FLOOD_N"
	emfileEnv    = "SOCKSHELL_GOPHER_EMFILE" // the EMFILE child
)

// countOpenFDs counts this process's open descriptors.
func countOpenFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

// vmRSS is this process's resident set size in KiB.
func vmRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// countingListener counts the connections Accept returned.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// TestFloodClient is the flood, run in a child process: it opens N idle
// connections to the address, says "ready", and holds them until its
// standard input closes.
func TestFloodClient(t *testing.T) {
	addr := os.Getenv(floodAddrEnv)
	if addr == "" {
		t.Skip("run by TestServerFloodBounded")
	}
	n, _ := strconv.Atoi(os.Getenv(floodNEnv))
	var conns []net.Conn
	for range n {
		c, err := net.DialTimeout("tcp", addr, testTimeout)
		if err != nil {
			t.Fatalf("connect %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

// TestServerFloodBounded: 2,000 idle connections from another process,
// against a server capped at 32. Over the cap a connection is answered
// and closed by the accepting goroutine itself, so however fast they come
// the server never holds more than the cap (and its listener) in
// descriptors and goroutines. Sampled all along the flood, not after it.
func TestServerFloodBounded(t *testing.T) {
	const flood = 2000
	// Idle slot holders keep their slots however slow the machine is.
	srv, err := NewServer(hole, &ServerOptions{MaxConns: DefaultMaxConns, IdleTimeout: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &countingListener{Listener: ln}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	defer func() {
		srv.Close()
		<-served
	}()

	runtime.GC()
	fdsBefore, gBefore, rssBefore := countOpenFDs(t), runtime.NumGoroutine(), vmRSS(t)
	var maxFDs, maxG int
	var mu sync.Mutex
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			fds, g := countOpenFDs(t), runtime.NumGoroutine()
			mu.Lock()
			maxFDs, maxG = max(maxFDs, fds), max(maxG, g)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 2*testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFloodClient$")
	cmd.Env = append(os.Environ(), floodAddrEnv+"="+ln.Addr().String(), floodNEnv+"="+strconv.Itoa(flood))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	ready := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if sc.Text() == "ready" {
			ready = true
			break
		}
	}
	if !ready {
		t.Fatalf("the flood client did not connect: %s", stderr.String())
	}
	// Wait (bounded) until the server has accepted every connection.
	deadline := time.Now().Add(2 * testTimeout)
	for l.n.Load() < flood {
		if time.Now().After(deadline) {
			t.Fatalf("the server accepted %d of %d connections", l.n.Load(), flood)
		}
		time.Sleep(time.Millisecond)
	}
	rssDuring := vmRSS(t)
	close(stop)
	<-sampled
	fdsDuring := countOpenFDs(t)
	t.Logf("%d idle connections: fds %d before, at most %d during (%d at the end); goroutines %d before, at most %d; VmRSS %d KiB before, %d KiB during; %d refused",
		flood, fdsBefore, maxFDs, fdsDuring, gBefore, maxG, rssBefore, rssDuring, srv.Refused())
	// Slack: the sampler's own descriptor for /proc/self/fd, the child's
	// pipes, the runtime's.
	const slack = 16
	if maxFDs > fdsBefore+DefaultMaxConns+slack {
		t.Errorf("at most %d descriptors during the flood, from %d before: more than the cap of %d", maxFDs, fdsBefore, DefaultMaxConns)
	}
	if maxG > gBefore+DefaultMaxConns+slack {
		t.Errorf("at most %d goroutines during the flood, from %d before: more than the cap of %d", maxG, gBefore, DefaultMaxConns)
	}
	if got := srv.Refused(); got < flood-DefaultMaxConns {
		t.Errorf("%d connections refused, want at least %d", got, flood-DefaultMaxConns)
	}
}

// TestServerAcceptEMFILE: with the descriptors used up, accept fails with
// EMFILE; the server pauses and retries instead of ending (and closing
// its listener under the queued connection), and serves the connection
// once descriptors are free again. Run in a child process, whose
// RLIMIT_NOFILE is lowered.
func TestServerAcceptEMFILE(t *testing.T) {
	if os.Getenv(emfileEnv) != "1" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*testTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestServerAcceptEMFILE$", "-test.v")
		cmd.Env = append(os.Environ(), emfileEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestServerAcceptEMFILE") {
			t.Fatalf("the child failed: %v\n%s", err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "emfile_child:") {
				t.Log(strings.TrimSpace(line))
			}
		}
		return
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("still here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := make(chan string, 16)
	srv, err := NewServer(dir, &ServerOptions{Report: func(e ServerEvent) {
		if e.Kind != AcceptPaused && e.Kind != AcceptResumed {
			return
		}
		select {
		case logs <- e.String():
		default:
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	// The client's socket is made first: connecting needs no new descriptor.
	cfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(cfd)
	tv := unix.NsecToTimeval(int64(testTimeout))
	unix.SetsockoptTimeval(cfd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)

	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	low := lim
	low.Cur = 64
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var fill []int
	for {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			if !errors.Is(err, unix.EMFILE) {
				t.Fatal(err)
			}
			break
		}
		fill = append(fill, fd)
	}
	if err := unix.Connect(cfd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	// The server says it pauses (bounded wait: it must come).
	select {
	case line := <-logs:
		fmt.Printf("emfile_child: the server logged %q\n", line)
		if line != "accept failed (OSError: [Errno 24] Too many open files); pausing and retrying" {
			t.Errorf("log %q", line)
		}
	case err := <-served:
		t.Fatalf("Serve ended on EMFILE: %v", err)
	case <-time.After(testTimeout):
		t.Fatal("the server never hit EMFILE")
	}
	for _, fd := range fill {
		unix.Close(fd)
	}
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)

	if _, err := unix.Write(cfd, []byte("/ok.txt\r\n")); err != nil {
		t.Fatal(err)
	}
	var reply []byte
	buf := make([]byte, 256)
	for {
		n, err := unix.Read(cfd, buf)
		if n > 0 {
			reply = append(reply, buf[:n]...)
		}
		if n <= 0 || err != nil {
			if err != nil {
				t.Fatalf("reading the reply: %v (got %q)", err, reply)
			}
			break
		}
	}
	if string(reply) != "still here\n" {
		t.Errorf("reply %q", reply)
	}
	// A second connection, with descriptors free again: the server may have
	// accepted the first with a descriptor freed elsewhere in the process
	// meanwhile, and met EMFILE only on its next accept, with no connection
	// waiting; then only a connection after the EMFILE is served after it
	// (the test failed so about once in 20 runs).
	c2, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.SetDeadline(time.Now().Add(testTimeout))
	io.WriteString(c2, "/ok.txt\r\n")
	if b, err := io.ReadAll(c2); err != nil || string(b) != "still here\n" {
		t.Errorf("the connection after the EMFILE: reply %q, %v", b, err)
	}
	select {
	case line := <-logs:
		if line != "accepting again" {
			t.Errorf("log %q", line)
		}
	case <-time.After(testTimeout):
		t.Error("no log line on accepting again")
	}
	srv.Close()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
}

// TestServerCloseBounded: a handler that does not return (stuck in the file
// system) holds Close for CloseWait at most; Close then says so, and the
// root is closed once the handler is done.
func TestServerCloseBounded(t *testing.T) {
	srv, err := NewServer(hole, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.wait = 50 * time.Millisecond
	srv.wg.Add(1) // a handler that is stuck
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err == nil || !strings.Contains(err.Error(), "left to end on their own") {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close waits for the stuck handler")
	}
	srv.wg.Done()
}

// TestServerQuietOnSilentClients: a client that connects and closes
// without a request (a port scan) is not logged as a failure; one that
// sends a request too long is.
func TestServerQuietOnSilentClients(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	_, port := startServer(t, hole, &ServerOptions{Report: func(e ServerEvent) {
		if e.Kind != RequestFailed {
			return
		}
		mu.Lock()
		logs = append(logs, e.String())
		mu.Unlock()
	}})
	for _, send := range []string{"", strings.Repeat("x", 3*MaxSelectorBytes)} {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, send)
		c.(*net.TCPConn).CloseWrite()
		// The handler logs (or not) before it closes the connection: the
		// end of the reply (EOF or a reset) comes after.
		c.SetReadDeadline(time.Now().Add(testTimeout))
		if _, err := io.Copy(io.Discard, c); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("the server kept the connection open")
		}
		c.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) != 1 || !strings.Contains(logs[0], "selector longer than") {
		t.Errorf("logs: %q; want one line, for the long request", logs)
	}
}
