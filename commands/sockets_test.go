package commands

// Command-level tests of the socket registry (issue 3): whole sessions as
// transcripts (testdata/sockets/*.txt) against the shell's own echo server,
// socat and nc; then bad peers, large transfers and leaks driven from Go.
// Every peer listens on loopback only and is killed when its test ends.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/demo"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// sockPeerTimeout bounds every peer process and every wait of these tests.
const sockPeerTimeout = 30 * time.Second

// sockSession is the session harness with the socket family's queries.
type sockSession struct {
	*faketerm.Term
	t *testing.T
}

func newSockSession(t *testing.T) *sockSession {
	t.Helper()
	return &sockSession{Term: newTerm(t), t: t}
}

// serve starts a demo server ("echo 127.0.0.1:0": on a port the kernel
// picks) and returns its name and the port it got.
func (ss *sockSession) serve(args string) (string, int) {
	ss.t.Helper()
	out := ss.MustExec("serve " + args)
	name, _, _ := strings.Cut(out, " ")
	return name, serverPort(ss.t, ss.Session, name)
}

// serverPort is the port a session's server listens on.
func serverPort(t testing.TB, s *shell.Session, name string) int {
	t.Helper()
	r, ok := s.Resource(name)
	if !ok {
		t.Fatalf("no resource %s", name)
	}
	srv, ok := r.(*server)
	if !ok {
		t.Fatalf("%s is not a server", name)
	}
	ap, err := netip.ParseAddrPort(srv.addr)
	if err != nil {
		t.Fatalf("%s: address %q: %v", name, srv.addr, err)
	}
	return int(ap.Port())
}

// sock returns the registered socket of that name.
func (ss *sockSession) sock(name string) *bsd.Socket {
	ss.t.Helper()
	r, ok := ss.Session.Resource(name)
	if !ok {
		ss.t.Fatalf("no resource %s", name)
	}
	s, ok := r.(*bsd.Socket)
	if !ok {
		ss.t.Fatalf("%s is not a socket", name)
	}
	return s
}

// sockRow returns the cells of a socket's row in the `sockets` table.
func (ss *sockSession) sockRow(name string) map[string]string {
	ss.t.Helper()
	table := ss.MustExec("sockets")
	var header []string
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		if header == nil {
			header = cells
			continue
		}
		if cells[0] == name {
			row := map[string]string{}
			for i, h := range header {
				if i < len(cells) {
					row[h] = cells[i]
				}
			}
			return row
		}
	}
	ss.t.Fatalf("no row for %s in:\n%s", name, table)
	return nil
}

// sockGoPeer is a Go TCP listener on loopback; handle runs for each connection.
func sockGoPeer(t *testing.T, handle func(c *net.TCPConn)) int {
	t.Helper()
	l := testenv.Listen(t, "tcp")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(sockPeerTimeout))
				handle(c.(*net.TCPConn))
			}()
		}
	}()
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return testenv.Port(l.Addr())
}

// runSockTranscript runs a transcript of testdata/sockets. Descriptor
// numbers depend on what the test process holds, so fd=7 reads fd=N and the
// fd column of `sockets` reads N. Ports the kernel picks are learned after
// each command from the registry and shown as $LOCAL_sN and $REMOTE_sN (a
// port already named keeps its first name).
func runSockTranscript(t *testing.T, path string, vars map[string]string) {
	t.Helper()
	faketerm.RunTranscript(t, Table(), path, vars, sockTranscriptHooks)
}

// sockTranscriptHooks learn ports and hide descriptor numbers.
var sockTranscriptHooks = faketerm.Hooks{After: sockLearnPorts, Stdout: sockNormalizeFDs}

// sockLearnPorts names the ports of the session's servers ($PORT_echo1,
// for a server started on port 0) and the local and remote ports of its
// sockets.
func sockLearnPorts(s *shell.Session, vars map[string]string) {
	learnServerPorts(s, vars)
	known := map[string]bool{}
	for _, v := range vars {
		known[v] = true
	}
	add := func(key string, a bsd.SockAddr, err error) {
		p := strconv.Itoa(int(a.Port()))
		if err == nil && a.Port() >= 1000 && !known[p] {
			vars[key] = p
			known[p] = true
		}
	}
	for _, r := range s.Resources() {
		if so, ok := r.Resource.(*bsd.Socket); ok {
			a, err := so.SockName()
			add("LOCAL_"+r.Name, a, err)
			a, err = so.PeerName()
			add("REMOTE_"+r.Name, a, err)
		}
	}
}

var sockFDRepr = regexp.MustCompile(`\bfd=\d+`)

// sockFDCall is a traced system call's descriptor: "  # sendto(7, ".
var sockFDCall = regexp.MustCompile(`^(\s+# [a-z0-9_]+\()\d+\b`)

// sockNormalizeFDs writes descriptor numbers as N: fd=7 in a socket's repr,
// the first argument of a traced call ("# sendto(N, 5 bytes) = 5") and the
// fd column of a table, keeping the column's width.
func sockNormalizeFDs(lines []string) []string {
	col := -1
	out := make([]string, len(lines))
	for i, l := range lines {
		l = sockFDRepr.ReplaceAllString(l, "fd=N")
		l = sockFDCall.ReplaceAllString(l, "${1}N")
		if strings.HasPrefix(l, "|") {
			cells := strings.Split(l, "|")
			if col < 0 {
				for j, c := range cells {
					if strings.TrimSpace(c) == "fd" {
						col = j
					}
				}
			} else if col < len(cells) {
				c := cells[col]
				if d := strings.TrimSpace(c); d != "" && strings.Trim(d, "0123456789") == "" && len(c) >= 3 {
					cells[col] = " N" + strings.Repeat(" ", len(c)-2)
				}
				l = strings.Join(cells, "|")
			}
		}
		out[i] = l
	}
	return out
}

// The notes' session against the shell's own echo server.
func TestSocketTranscriptEcho(t *testing.T) {
	runSockTranscript(t, "testdata/sockets/echo.txt", nil)
}

// The same session against socat, a TCP echo (PIPE) on loopback.
func TestSocketTranscriptSocatTCP(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	_, port := testenv.ListeningPeer(t, "tcp", socat, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr", port), "PIPE"}
	})
	runSockTranscript(t, "testdata/sockets/socat_tcp.txt", map[string]string{"PORT": strconv.Itoa(port)})
}

// UDP datagrams to socat's UDP echo: sendto, recvfrom.
func TestSocketTranscriptUDP(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	_, port := testenv.ListeningPeer(t, "udp", socat, func(port int) []string {
		return []string{fmt.Sprintf("UDP-RECVFROM:%d,bind=127.0.0.1,fork", port), "PIPE"}
	})
	runSockTranscript(t, "testdata/sockets/udp.txt", map[string]string{"PORT": strconv.Itoa(port)})
}

// bind, listen, accept with nc as the client: the session receives what nc
// sent, and nc prints what the session sent back.
func TestSocketTranscriptNCClient(t *testing.T) {
	nc := testenv.NeedPeer(t, "netcat-openbsd", "nc")
	// The transcript binds port 0; nc starts once the port is known (after
	// bind), before listen, so it retries while refused.
	type result struct {
		stdout string
		err    error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), sockPeerTimeout)
	defer cancel()
	client := func(port string) {
		for {
			var out, errs bytes.Buffer
			// -v: without it nc says nothing when refused, and the retry
			// below could not tell a refused connect from a failure.
			cmd := exec.CommandContext(ctx, nc, "-v", "-N", "-w", "20", "127.0.0.1", port)
			cmd.Stdin = strings.NewReader("hello from nc\n")
			cmd.Stdout, cmd.Stderr = &out, &errs
			cmd.WaitDelay = time.Second
			err := cmd.Run()
			if err != nil && strings.Contains(errs.String(), "refused") && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			if err != nil {
				err = fmt.Errorf("%v: %s", err, errs.String())
			}
			done <- result{out.String(), err}
			return
		}
	}
	started := false
	hooks := sockTranscriptHooks
	hooks.After = func(s *shell.Session, vars map[string]string) {
		sockLearnPorts(s, vars)
		if port, ok := vars["LOCAL_s1"]; ok && !started {
			started = true
			go client(port)
		}
	}
	faketerm.RunTranscript(t, Table(), "testdata/sockets/nc_client.txt", nil, hooks)
	select {
	case r := <-done:
		if r.err != nil {
			t.Errorf("nc: %v", r.err)
		}
		if r.stdout != "hi nc\n" {
			t.Errorf("nc printed %q, want %q", r.stdout, "hi nc\n")
		}
	case <-time.After(sockPeerTimeout + 2*time.Second):
		t.Fatal("nc did not end after the session closed its socket")
	}
}

// IPv6 on ::1, entirely inside one session.
func TestSocketTranscriptIPv6(t *testing.T) {
	testenv.Listen(t, "tcp6") // skips without IPv6 loopback
	runSockTranscript(t, "testdata/sockets/ipv6.txt", nil)
}

// shutdown wr: the peer (socat running wc -c) sees end of file, which is the
// only thing that makes wc print its count.
func TestSocketTranscriptShutdown(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	_, port := testenv.ListeningPeer(t, "tcp", socat, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr", port), "SYSTEM:wc -c"}
	})
	runSockTranscript(t, "testdata/sockets/shutdown.txt", map[string]string{"PORT": strconv.Itoa(port)})
}

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

func sockWait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(sockPeerTimeout):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// A peer that sends terminal escape sequences: every way of showing the
// bytes escapes them; none reaches the terminal raw.
func TestSocketRecvEscapes(t *testing.T) {
	const hostile = "\x1b[2J\x1b]0;pwned\x07\x9b31m\x07\x00\r\nend\x7f"
	port := sockGoPeer(t, func(c *net.TCPConn) {
		buf := make([]byte, 1)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			c.Write([]byte(hostile))
		}
	})
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("sendall s1 x")
	if out := ss.MustExec("recv s1"); out != `b'\x1b[2J\x1b]0;pwned\x07\x9b31m\x07\x00\r\nend\x7f'`+"\n" {
		t.Errorf("recv printed %q", out)
	}
	for _, setup := range []string{"set format auto", "set format table", "set format python", "set format json", "explain on", "set color on"} {
		ss.MustExec(setup)
		var all string
		for _, line := range []string{"sendall s1 x; recv s1 --hex", "sendall s1 x; recv s1", "sendall s1 x; recvfrom s1", "sockets"} {
			out, errs := ss.Exec(line)
			if errs != "" {
				t.Fatalf("%s; %s: %s", setup, line, errs)
			}
			all += out
		}
		ss.MustExec("set color off; explain off; set format auto")
		if strings.Count(all, "end")+strings.Count(all, "ZW5k") < 3 {
			t.Errorf("%s: the data is missing from %q", setup, all)
		}
		if setup == "set color on" {
			// Colour codes are the shell's own; strip them before looking.
			all = regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(all, "")
		}
		for i := 0; i < len(all); i++ {
			if b := all[i]; b < 0x20 && b != '\n' || b >= 0x7f {
				t.Errorf("%s: raw byte %#x at %d of %q", setup, b, i, all)
				break
			}
		}
	}
}

// sockVmHWM is the process's peak resident set size, in bytes.
func sockVmHWM(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmHWM")
	return 0
}

// A peer that sends 1 GiB: recv --out writes exactly that, in bounded memory.
func TestSocketRecvOutOneGiB(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB through loopback")
	}
	const size = 1 << 30
	port := sockGoPeer(t, func(c *net.TCPConn) {
		c.SetDeadline(time.Now().Add(2 * sockPeerTimeout))
		buf := make([]byte, 1<<20)
		for n := 0; n < size; n += len(buf) {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
		c.CloseWrite()
		io.Copy(io.Discard, c)
	})
	out := filepath.Join(t.TempDir(), "zeros")
	ss := newSockSession(t)
	ss.MustExec("set timeout 60")
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	runtime.GC()
	before := sockVmHWM(t)
	start := time.Now()
	got := ss.MustExec("recv s1 --out " + out)
	elapsed := time.Since(start)
	after := sockVmHWM(t)
	if want := fmt.Sprintf("%d\n# %d bytes written to %s; the peer sent FIN: it will send nothing more (it closed its socket or shut down its writing half); recv returned b''\n", size, size, out); got != want {
		t.Errorf("recv --out printed %q, want %q", got, want)
	}
	st, err := os.Stat(out)
	if err != nil || st.Size() != size {
		t.Fatalf("file: %v, %v; want %d bytes", st, err, size)
	}
	if row := ss.sockRow("s1"); row["received"] != strconv.Itoa(size) {
		t.Errorf("received counter %s", row["received"])
	}
	t.Logf("1 GiB recv --out: %v; peak RSS %d MiB before, %d MiB after", elapsed.Round(time.Millisecond), before>>20, after>>20)
	if after-before > 256<<20 {
		t.Errorf("peak RSS grew by %d MiB for a streamed 1 GiB", (after-before)>>20)
	}
}

// A peer that never answers: recv times out, and the socket works after.
func TestSocketRecvTimeoutThenWorks(t *testing.T) {
	gate := make(chan struct{})
	port := sockGoPeer(t, func(c *net.TCPConn) {
		select {
		case <-gate:
		case <-time.After(sockPeerTimeout):
			return
		}
		c.Write([]byte("late\n"))
		io.Copy(io.Discard, c)
	})
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("settimeout s1 0.3")
	out, errs := ss.Exec("recv s1")
	if want := "TimeoutError: timed out\n  hint: the operation did not finish within the socket's timeout (settimeout)\n"; out != "" || errs != want {
		t.Fatalf("recv from a silent peer: stdout %q stderr %q, want %q", out, errs, want)
	}
	if row := ss.sockRow("s1"); row["state"] != "ESTABLISHED" || row["timeout"] != "0.3" {
		t.Errorf("after the timeout: %v", row)
	}
	close(gate)
	if out := ss.MustExec("recv s1"); out != "b'late\\n'\n" {
		t.Errorf("recv after the timeout: %q", out)
	}
	if out := ss.MustExec("send s1 ok"); out != "2\n" {
		t.Errorf("send after the timeout: %q", out)
	}
}

// sockFullListener is a loopback listener with backlog 0 whose accept queue is
// full: Linux drops further SYNs, so a connect to it stays in SYN_SENT.
func sockFullListener(t *testing.T) (fd, port int) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port = sa.(*unix.SockaddrInet4).Port
	filled := 0
	for i := 0; i < 3; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 300*time.Millisecond)
		if err == nil {
			filled++
			t.Cleanup(func() { c.Close() })
		}
	}
	if filled == 0 {
		t.Fatal("could not fill the accept queue")
	}
	return fd, port
}

// A connect that never completes times out; the socket stays in SYN_SENT,
// and connecting again once the listener has room completes it.
func TestSocketConnectTimeoutFullBacklog(t *testing.T) {
	lfd, port := sockFullListener(t)
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec("settimeout s1 0.3")
	out, errs := ss.Exec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	if want := "TimeoutError: timed out\n  hint: the operation did not finish within the socket's timeout (settimeout)\n"; out != "" || errs != want {
		t.Fatalf("connect to a full listener: stdout %q stderr %q, want %q", out, errs, want)
	}
	if st := ss.sockRow("s1")["state"]; st != "SYN_SENT" {
		t.Errorf("state after the timeout: %q", st)
	}
	// Make room; the kernel's next SYN retransmission gets through.
	nfd, _, err := unix.Accept(lfd)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(nfd)
	ss.MustExec("settimeout s1 20")
	if out := ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port)); out != "" {
		t.Errorf("second connect printed %q", out)
	}
	if row := ss.sockRow("s1"); row["state"] != "ESTABLISHED" || row["remote"] != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("after the second connect: %v", row)
	}
}

// sendfile and recv --out of 64 MiB of random bytes through a Go peer that
// hashes what it reads and sends the same file back.
func TestSocketSendfileRecvOutLarge(t *testing.T) {
	const size = 64 << 20
	dir := t.TempDir()
	in := filepath.Join(dir, "random")
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	data = nil
	want := hex.EncodeToString(sum[:])

	peerSum := make(chan string, 1)
	port := sockGoPeer(t, func(c *net.TCPConn) {
		h := sha256.New()
		n, err := io.CopyN(h, c, size)
		if err != nil {
			peerSum <- fmt.Sprintf("read %d: %v", n, err)
			return
		}
		peerSum <- hex.EncodeToString(h.Sum(nil))
		f, err := os.Open(in)
		if err != nil {
			return
		}
		defer f.Close()
		io.Copy(c, f)
		c.CloseWrite()
		io.Copy(io.Discard, c)
	})
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	if out := ss.MustExec("sendfile s1 " + in); out != fmt.Sprintf("%d\n", size) {
		t.Errorf("sendfile printed %q", out)
	}
	if got := sockWait(t, peerSum, "the peer's hash"); got != want {
		t.Fatalf("the peer read sha256 %s, the file is %s", got, want)
	}
	out := filepath.Join(dir, "back")
	if got := ss.MustExec("recv s1 --out " + out); !strings.HasPrefix(got, fmt.Sprintf("%d\n", size)) {
		t.Errorf("recv --out printed %q", got)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("recv --out wrote sha256 %s, want %s", got, want)
	}
	if row := ss.sockRow("s1"); row["sent"] != strconv.Itoa(size) || row["received"] != strconv.Itoa(size) {
		t.Errorf("counters: sent %s received %s, want %d each", row["sent"], row["received"], size)
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

// UDP sendto/recvfrom against the shell's own UDP echo server.
func TestSocketTranscriptUDPDemo(t *testing.T) {
	runSockTranscript(t, "testdata/sockets/udp_demo.txt", nil)
}

// recv --out --max stops at exactly BYTES against an endless peer (chargen),
// and the next recv goes on where it stopped: no byte is read and lost.
func TestRecvOutMax(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("chargen 127.0.0.1:0")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	out := filepath.Join(t.TempDir(), "cg")
	const max = 100003 // not a multiple of a line or of the 64 KiB buffer
	if got := ss.MustExec("recv s1 --out " + out + " --max " + strconv.Itoa(max)); !strings.HasPrefix(got, strconv.Itoa(max)+"\n") {
		t.Fatalf("recv --out --max printed %q", got)
	}
	var stream []byte
	for i := 0; len(stream) < max+200; i++ {
		stream = append(stream, demo.ChargenLine(i)...)
	}
	data, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(data, stream[:max]) {
		t.Fatalf("file has %d bytes (%v), not the first %d of the stream", len(data), err, max)
	}
	next := ss.MustExec("recv s1 10")
	if want := shell.BytesRepr(stream[max:max+10]) + "\n"; next != want {
		t.Errorf("the next recv gave %q, want %q", next, want)
	}
	if _, errs := ss.Exec("recv s1 --max 5"); !strings.Contains(errs, "--max goes with --out") {
		t.Errorf("--max without --out: %q", errs)
	}
}

// sendto --file sends the file as one datagram; DATA and --file together,
// or a missing PORT, are usage errors.
func TestSendtoFile(t *testing.T) {
	ss := newSockSession(t)
	file := filepath.Join(t.TempDir(), "dgram")
	if err := os.WriteFile(file, []byte("from a file\x00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, port := ss.serve("echo 127.0.0.1:0 --udp")
	ss.MustExec("socket udp")
	if got := ss.MustExec(fmt.Sprintf("sendto s1 --file %s 127.0.0.1 %d", file, port)); got != "13\n" {
		t.Errorf("sendto --file printed %q", got)
	}
	if got, want := ss.MustExec("recvfrom s1"), fmt.Sprintf("(b'from a file\\x00\\n', ('127.0.0.1', %d))\n", port); got != want {
		t.Errorf("recvfrom: %q, want %q", got, want)
	}
	for line, want := range map[string]string{
		fmt.Sprintf("sendto s1 x --file %s 127.0.0.1 %d", file, port): "UsageError: give DATA or --file, not both",
		fmt.Sprintf("sendto s1 --file %s 127.0.0.1", file):            "UsageError: missing argument",
	} {
		if _, errs := ss.Exec(line); !strings.HasPrefix(errs, want) {
			t.Errorf("%s: %q, want %q", line, errs, want)
		}
	}
}
