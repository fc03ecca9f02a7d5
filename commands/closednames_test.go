package commands

// The closed socket names (closednames.go): kept as runs of numbers, they
// answer as the set of every name closed did, and stay one run after
// thousands of connections.

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// TestClosedNamesAgreeWithASet: names closed in any order, under two
// prefixes, with some never closed (still open, or removed without a
// close), against a plain set of the names closed.
func TestClosedNamesAgreeWithASet(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		r := rand.New(rand.NewPCG(seed, 14))
		var c closedNames
		set := map[string]bool{}
		issued := map[string]int{"s": 0, "g": 0}
		for range 300 {
			p := "s"
			if r.IntN(4) == 0 {
				p = "g"
			}
			issued[p]++
			if r.IntN(3) > 0 { // most are closed at some point, some twice
				n := 1 + r.IntN(issued[p])
				name := p + strconv.Itoa(n)
				c.add(name)
				set[name] = true
			}
		}
		var want []string
		for n := range set {
			want = append(want, n)
		}
		sort.Slice(want, func(i, j int) bool {
			if len(want[i]) != len(want[j]) {
				return len(want[i]) < len(want[j])
			}
			return want[i] < want[j]
		})
		if c.count() != len(set) {
			t.Fatalf("seed %d: count %d, the set has %d", seed, c.count(), len(set))
		}
		if got, w := c.first(6), want[:min(6, len(want))]; strings.Join(got, " ") != strings.Join(w, " ") {
			t.Fatalf("seed %d: first %v, want %v", seed, got, w)
		}
		for p, last := range issued {
			for n := 1; n <= last+2; n++ {
				name := p + strconv.Itoa(n)
				if c.has(name) != set[name] {
					t.Fatalf("seed %d: has(%s) = %v, the set says %v", seed, name, c.has(name), set[name])
				}
			}
			// Runs stay apart and in order: never two that touch.
			rs := c.runs[p]
			for i := 1; i < len(rs); i++ {
				if rs[i].lo <= rs[i-1].hi+1 || rs[i].lo > rs[i].hi {
					t.Fatalf("seed %d: runs of %s not merged: %v", seed, p, rs)
				}
			}
		}
		// Names Register never gives are no closed name's alias.
		for _, odd := range []string{"s0", "s01", "s", "1", "", "s1x", "g" + strings.Repeat("9", 12)} {
			if c.has(odd) {
				t.Fatalf("seed %d: has(%q) is true", seed, odd)
			}
		}
	}
	var c closedNames
	c.add("odd name") // not PREFIX+NUMBER: kept as it is
	if !c.has("odd name") || c.count() != 1 || c.first(6)[0] != "odd name" {
		t.Errorf("a name that is not PREFIX+NUMBER: has %v, count %d, first %v", c.has("odd name"), c.count(), c.first(6))
	}
}

// TestClosedNamesFromEveryMaker: names made by socket, connect HOST PORT
// (create_connection), accept, pair and fromfd, closed one by one and by
// close all, each say "closed" afterwards, in every message that tells
// closed from never made; a name never made still says so.
func TestClosedNamesFromEveryMaker(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket tcp")          // s1
	ss.MustExec("bind s1 127.0.0.1 0") //
	ss.MustExec("listen s1 5")         //
	port := strings.TrimSuffix(strings.Split(ss.MustExec("sockname s1"), ", ")[1], ")\n")
	ss.MustExec("connect 127.0.0.1 " + port) // s2
	ss.MustExec("accept s1")                 // s3
	ss.MustExec("pair")                      // s4, s5
	r, _ := ss.Session.Resource("s3")
	ss.MustExec("fromfd " + strconv.Itoa(r.(*bsd.Socket).FD())) // s6
	ss.MustExec("socket udp")                                   // s7, left open
	ss.MustExec("close s3 s5")
	ss.MustExec("close s6")
	for _, name := range []string{"s3", "s5", "s6"} {
		if _, errs := ss.Exec("recv " + name); !strings.HasPrefix(errs, "OSError: [Errno 9] Bad file descriptor") || !strings.Contains(errs, name+" was closed; make a new socket with: socket tcp") {
			t.Errorf("recv %s after its close: %q", name, errs)
		}
	}
	ss.MustExec("close all") // s1, s2, s4, s7
	for n := 1; n <= 7; n++ {
		name := "s" + strconv.Itoa(n)
		if out, errs := ss.Exec("close " + name); errs != "" || out != "# "+name+" was already closed; closing it again does nothing, as in Python\n" {
			t.Errorf("close %s again: stdout %q stderr %q", name, out, errs)
		}
	}
	if _, errs := ss.Exec("recv s8"); !strings.HasPrefix(errs, "NameError: name 's8' is not defined") {
		t.Errorf("recv s8, never made: %q", errs)
	}
	if out := ss.MustExec("sockets"); !strings.Contains(out, "# no open sockets (s1, s2, s3, s4, s5 and 2 more closed: a closed socket leaves the table); make one with: socket tcp\n") {
		t.Errorf("sockets after all were closed: %q", out)
	}
}

// TestClosedNamesStayOneRun: after 10,000 connections made and closed in
// turn, the session keeps one run of closed names (it kept a map entry a
// name before), and the first name and the last still say closed.
func TestClosedNamesStayOneRun(t *testing.T) {
	port := sockGoPeer(t, func(*net.TCPConn) {}) // accepts, and closes
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	defer s.CloseAll()
	const n = 10000
	churn(t, s, port, n)
	m := sockMemory.Get(s)
	if rs := m.closed.runs["s"]; len(rs) != 1 || rs[0] != (numRun{1, n}) || m.closed.count() != n {
		t.Fatalf("after %d connections closed: runs %v (count %d), want one run 1 to %d", n, rs, m.closed.count(), n)
	}
	for _, name := range []string{"s1", "s" + strconv.Itoa(n)} {
		if e := s.Exec(context.Background(), "recv "+name, ""); e == nil || !strings.Contains(e.Msg+e.Hint, name+" was closed") {
			t.Errorf("recv %s: %v", name, e)
		}
	}
}
