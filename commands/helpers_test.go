package commands

// Test helpers shared by this package's test files: the session harnesses
// of the socket and gopher tests (sockSession, gopherSession), Go peers on
// loopback (sockGoPeer, gopherFake), python3 as the reference (pyRun),
// bounded waits, and the files tests' checks of a directory (files*).

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
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

// pyRun runs a python3 program and returns what it printed.
func pyRun(t *testing.T, program string) string {
	t.Helper()
	py := testenv.NeedPeer(t, "python3", "python3")
	out, err := exec.Command(py, "-c", program).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	return string(out)
}

// gopherTestBound bounds every wait in these tests; it is a safety net
// against hangs, never a timing assertion.
const gopherTestBound = 30 * time.Second

// gopherHole is the README's demo gopherhole, relative to this package.
const gopherHole = "../docs/gopherhole"

// gopherSession is the session harness with the gopher tests' queries.
type gopherSession struct {
	*faketerm.Term
	t       *testing.T
	running *faketerm.Running // the line async started last
}

func newGopherSession(t *testing.T) *gopherSession {
	return &gopherSession{Term: newTerm(t), t: t}
}

// serve starts `serve gopher DIR 127.0.0.1:0` (a port the kernel picks) and
// returns the port the server got.
func (g *gopherSession) serve(dir string) int {
	g.t.Helper()
	out := g.MustExec("serve gopher " + dir + " 127.0.0.1:0")
	name, _, _ := strings.Cut(out, " ")
	return serverPort(g.t, g.Session, name)
}

// sockets lists the session's registered sockets (sN names).
func (g *gopherSession) sockets() []string {
	var names []string
	for _, r := range g.Session.Resources() {
		if _, ok := r.Resource.(*bsd.Socket); ok {
			names = append(names, r.Name)
		}
	}
	return names
}

func fileSHA(t *testing.T, path string) (string, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

func bytesSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// gopherBlob is binary test data: every byte value, CR, LF, lone dots.
func gopherBlob(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	copy(b, "\x00\r\n.\r\n..\n\xff\x1b[31m")
	return b
}

// gopherFake serves each connection with handle(conn, selector) after
// reading the request line, on a loopback port it returns. Cleanup closes
// the listener and every connection and waits for the handlers.
func gopherFake(t *testing.T, handle func(c net.Conn, selector string)) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				line, err := bufio.NewReader(c).ReadString('\n')
				if err != nil {
					return
				}
				handle(c, strings.TrimRight(line, "\r\n"))
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().(*net.TCPAddr).Port
}

// async runs a line in the background; the channel delivers its
// standard error once it has finished (its results: g.running.Output()).
func (g *gopherSession) async(line string) <-chan string {
	g.running = g.Start(line)
	return g.running.Done()
}

func waitDone(t *testing.T, done <-chan string) string {
	t.Helper()
	select {
	case errs := <-done:
		return errs
	case <-time.After(gopherTestBound + 5*time.Second):
		t.Fatal("the fetch hangs")
		return ""
	}
}

// filesBound bounds every wait of these tests ("fail if it hangs").
const filesBound = 20 * time.Second

func filesDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func filesWant(t *testing.T, path, content string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if string(b) != content {
		t.Fatalf("%s holds %q, want %q", path, b, content)
	}
}

// filesUntil waits, bounded, until cond holds.
func filesUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(filesBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// filesTempHolds reports whether dir holds a file other than target
// (the temporary file) of size bytes.
func filesTempHolds(t *testing.T, dir, target string, size int64) bool {
	for _, n := range filesDir(t, dir) {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && n != target && st.Size() == size {
			return true
		}
	}
	return false
}
