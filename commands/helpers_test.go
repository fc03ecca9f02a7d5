package commands

// Test helpers shared by this package's test files: a session of the
// commands (newTerm) and the socket tests' harness on it (sockSession),
// transcripts (runTranscript), a Go peer on loopback (sockGoPeer), dnsmasq
// with a small .test zone (startDNSMasq), python3 as the reference (pyRun),
// bounded waits, and the files tests' checks of a directory (files*). The
// gopher tests' harness is in helpers_gopher_test.go.

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
func sockGoPeer(t testing.TB, handle func(c *net.TCPConn)) int {
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

// filesBound bounds every wait of these tests ("fail if it hangs").
const filesBound = 20 * time.Second

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
	for _, n := range testenv.DirNames(t, dir) {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && n != target && st.Size() == size {
			return true
		}
	}
	return false
}

// runTranscript runs a transcript through a session of this package's
// commands; vars replace $NAME in input lines (for ports chosen at run
// time).
func runTranscript(t *testing.T, path string, vars map[string]string) {
	t.Helper()
	faketerm.RunTranscript(t, Table(), path, vars, faketerm.Hooks{After: learnServerPorts})
}

// learnServerPorts names the port of each of the session's servers
// $PORT_<name> ($PORT_echo1), so a transcript can start one on port 0 (the
// kernel picks a free port) and use the port it got.
func learnServerPorts(s *shell.Session, vars map[string]string) {
	for _, r := range s.Resources() {
		if srv, ok := r.Resource.(*server); ok {
			if ap, err := netip.ParseAddrPort(srv.addr); err == nil {
				vars["PORT_"+r.Name] = strconv.Itoa(int(ap.Port()))
			}
		}
	}
}

// newTerm is a session of this package's commands driven by the test.
func newTerm(t *testing.T) *faketerm.Term { return faketerm.New(t, Table()) }

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// dnsZoneHosts is dnsmasq's addn-hosts file: names with both A/AAAA and PTR
// records. The addresses are documentation ranges, used only as data;
// v6only has ::1 alone, and dual.test loopback addresses of both families,
// for tests that connect to both.
const dnsZoneHosts = "192.0.2.10 withptr.sockshell.test\n2001:db8::10 withptr.sockshell.test\n192.0.2.11 second.sockshell.test\n" +
	"::1 v6only.sockshell.test\n127.0.0.1 dual.test\n::1 dual.test\n"

// startDNSMasq runs dnsmasq on 127.0.0.1 (testenv.Dnsmasq), answering for
// sockshell.test: withptr (A, AAAA, PTR), second (A, PTR), v6only (AAAA ::1
// only), alias (a CNAME to
// withptr), noptr and names under it (A 192.0.2.88, no PTR); every other name
// under .test is NXDOMAIN. It returns the port; dnsmasq is killed on cleanup.
func startDNSMasq(t *testing.T) string {
	t.Helper()
	addr := testenv.Dnsmasq(t, dnsZoneHosts,
		"--address=/noptr.sockshell.test/192.0.2.88",
		"--cname=alias.sockshell.test,withptr.sockshell.test",
		"--local=/test/", "--local=/2.0.192.in-addr.arpa/", "--local=/8.b.d.0.1.0.0.2.ip6.arpa/")
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// learnSessionVars records what later commands need: each server's port
// (PORT_echo1) and each socket's port and descriptor (PORT_s5, FD_s8).
func learnSessionVars(ss *sockSession, vars map[string]string) {
	for _, r := range ss.Session.Resources() {
		switch x := r.Resource.(type) {
		case *server:
			if i := strings.LastIndex(x.addr, ":"); i >= 0 {
				vars["PORT_"+r.Name] = x.addr[i+1:]
			}
		case *bsd.Socket:
			vars["FD_"+r.Name] = strconv.Itoa(x.FD())
			if a, err := x.SockName(); err == nil {
				vars["PORT_"+r.Name] = strconv.Itoa(int(a.Port()))
			}
		}
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range splitLines(s) {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}
