package commands

// Resources (issue 14): many sockets made and closed through the command
// path leave nothing behind: no descriptor, no goroutine, no registry
// entry, nothing in what the commands remember per socket, no watcher's
// epoll registration.

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// perSocketState counts what the commands keep per socket in a session:
// each count must come back to where it started once the sockets are
// closed. (The names of closed sockets are kept on purpose, for "s5 was
// closed": they are not counted.)
func perSocketState(sess *shell.Session) map[string]int {
	n := map[string]int{"registry": len(sess.Resources())}
	l := sockEventsOf(sess)
	l.mu.Lock()
	n["events.names"], n["events.waiting"] = len(l.names), len(l.waiting)
	l.mu.Unlock()
	watchKey.With(sess, func(w *watchState) {
		n["watch.last"], n["watch.names"] = len(w.last), len(w.names)
		n["watch.stream"], n["watch.ends"] = len(w.stream), len(w.ends)
		// The closed connections the watcher follows in the kernel's
		// table until they leave it (60 s of TIME_WAIT): at most
		// maxFollowed, counted as whether that bound holds.
		n["watch.followed within bound"] = b2i(len(w.gone)+len(w.byName) <= maxFollowed)
	})
	sockMemory.With(sess, func(m *sockNotes) { n["notes.peer"], n["notes.shutRd"] = len(m.peer), len(m.shutRd) })
	w := wireOf(sess)
	w.mu.Lock()
	n["wire.socks"] = len(w.socks)
	w.mu.Unlock()
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// acceptAll accepts on ln until it is closed, keeping each connection open
// until the peer closes (read to EOF, then close); it returns what stops
// it and waits for it.
func acceptAll(t *testing.T, ln net.Listener) (stop func()) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				io.Copy(io.Discard, c)
				c.Close()
			}()
		}
	}()
	return func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

// leftBehind waits (a hang guard of 30 s, not a timing check) until the
// process holds no descriptor it did not hold in fds, runs no more
// goroutines than goroutines, and state is back to start; it reports what
// is still there.
func leftBehind(sess *shell.Session, fds map[int]string, goroutines int, start map[string]int) string {
	var why string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		why = ""
		if extra := testenv.NewFDs(fds); len(extra) > 0 {
			why += fmt.Sprintf("%d descriptors (%s …); ", len(extra), extra[0])
		}
		if g := runtime.NumGoroutine(); g > goroutines {
			why += fmt.Sprintf("%d goroutines, %d at start; ", g, goroutines)
		}
		for k, v := range perSocketState(sess) {
			if v != start[k] {
				why += fmt.Sprintf("%s %d, %d at start; ", k, v, start[k])
			}
		}
		if why == "" {
			return ""
		}
	}
	return why
}

// probeTable is Table() with a command "probe-state" that runs f: a look at the
// session from inside the command path, before the run's end closes what
// is left.
func probeTable(f func(sess *shell.Session)) *shell.Table {
	tab := Table()
	tab.Add(&shell.Command{Name: "probe-state", Group: shell.GroupShell, Help: "test", Python: "pass",
		Run: func(c *shell.Call) (any, error) { f(c.Session); return shell.None, nil }})
	return tab
}

// TestConnectCloseCyclesLeaveNothing: 10,000 connect/close cycles in one
// session, through the command path with the watcher on between lines,
// leave the process's descriptors and goroutines, the registry and what
// the commands keep per socket as they were.
func TestConnectCloseCyclesLeaveNothing(t *testing.T) {
	cycles := 10000
	if testing.Short() {
		cycles = 1000
	}
	ln := testenv.Listen(t, "tcp")
	stop := acceptAll(t, ln)
	defer stop()
	port := testenv.Port(ln.Addr())
	var fds map[int]string
	var goroutines int
	var start map[string]int
	probes := 0
	tab := probeTable(func(sess *shell.Session) {
		if probes++; probes == 1 {
			fds, goroutines, start = testenv.OpenFDs(), runtime.NumGoroutine(), perSocketState(sess)
			return
		}
		if why := leftBehind(sess, fds, goroutines, start); why != "" {
			t.Errorf("after %d connect/close cycles: %s", cycles, why)
		}
	})
	var errs testenv.Buffer
	sess := shell.NewSession(tab, io.Discard, &errs)
	defer sess.CloseAll()
	var script strings.Builder
	script.WriteString("set notices on\nprobe-state\n")
	for i := 1; i <= cycles; i++ {
		fmt.Fprintf(&script, "connect 127.0.0.1 %d\nclose s%d\n", port, i)
	}
	script.WriteString("probe-state\n")
	if code := sess.RunLines(strings.NewReader(script.String()), "cycles", false); code != 0 || probes != 2 {
		t.Fatalf("status %d, %d probes: %s", code, probes, errs.String())
	}
}

// TestPeerClosedCyclesLeaveNothing: cycles whose peer closes first (the
// shell tells it once, and remembers it told) leave nothing either.
func TestPeerClosedCyclesLeaveNothing(t *testing.T) {
	const cycles = 200
	ln := testenv.Listen(t, "tcp")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	defer wg.Wait()
	defer ln.Close()
	var fds map[int]string
	var goroutines int
	var start map[string]int
	probes := 0
	tab := probeTable(func(sess *shell.Session) {
		if probes++; probes == 1 {
			fds, goroutines, start = testenv.OpenFDs(), runtime.NumGoroutine(), perSocketState(sess)
			return
		}
		if why := leftBehind(sess, fds, goroutines, start); why != "" {
			t.Errorf("after %d cycles the peer closed first: %s", cycles, why)
		}
	})
	var errs, out testenv.Buffer
	sess := shell.NewSession(tab, &out, &errs)
	defer sess.CloseAll()
	var script strings.Builder
	script.WriteString("probe-state\n")
	for i := 1; i <= cycles; i++ {
		fmt.Fprintf(&script, "connect 127.0.0.1 %d\nrecv s%d\nclose s%d\n", testenv.Port(ln.Addr()), i, i)
	}
	script.WriteString("probe-state\n")
	if code := sess.RunLines(strings.NewReader(script.String()), "cycles", false); code != 0 || probes != 2 {
		t.Fatalf("status %d, %d probes: %s", code, probes, errs.String())
	}
	if told := strings.Count(out.String()+errs.String(), "the peer sent FIN"); told != cycles {
		t.Errorf("the peer's FIN told %d times in %d cycles, want once each", told, cycles)
	}
}

// TestThousandSocketsLeaveNothing: 1,000 connections open at once, each
// registered with the watcher's epoll set, then closed: the set held each
// socket once, and nothing is left after.
func TestThousandSocketsLeaveNothing(t *testing.T) {
	const n = 1000
	ln := testenv.Listen(t, "tcp")
	stop := acceptAll(t, ln)
	defer stop()
	port := testenv.Port(ln.Addr())
	var fds map[int]string
	var goroutines int
	var start map[string]int
	probes := 0
	tab := probeTable(func(sess *shell.Session) {
		switch probes++; probes {
		case 1:
			fds, goroutines, start = testenv.OpenFDs(), runtime.NumGoroutine(), perSocketState(sess)
		case 2:
			if got := len(sess.Resources()); got != n {
				t.Errorf("%d sockets registered, want %d", got, n)
			}
			// The watcher's epoll set, as the prompt starts it: each
			// socket once, and its stop eventfd.
			stopWatch := watchSockets(sess)
			if stopWatch == nil {
				t.Error("the watcher did not start with notices on and 1,000 sockets")
				return
			}
			regs := epollRegistrations(t, fds, n+1)
			stopWatch()
			if regs != n+1 {
				t.Errorf("the watcher's epoll set holds %d descriptors, want %d (the sockets and its eventfd)", regs, n+1)
			}
		case 3:
			if why := leftBehind(sess, fds, goroutines, start); why != "" {
				t.Errorf("after %d sockets open at once and closed: %s", n, why)
			}
		}
	})
	var errs testenv.Buffer
	sess := shell.NewSession(tab, io.Discard, &errs)
	defer sess.CloseAll()
	var script strings.Builder
	script.WriteString("set notices on\nprobe-state\n")
	// The connects on one line and the closes on another: the watcher
	// looks at every socket between two lines, so 1,000 lines over 1,000
	// sockets would be a million looks (the cycles test has a line each).
	connects, closes := make([]string, n), make([]string, n)
	for i := range n {
		connects[i] = fmt.Sprintf("connect 127.0.0.1 %d", port)
		closes[i] = fmt.Sprintf("close s%d", i+1)
	}
	script.WriteString(strings.Join(connects, "; ") + "\nprobe-state\n")
	script.WriteString(strings.Join(closes, "; ") + "\nprobe-state\n")
	if code := sess.RunLines(strings.NewReader(script.String()), "sockets", false); code != 0 || probes != 3 {
		t.Fatalf("status %d, %d probes: %s", code, probes, errs.String())
	}
}

// epollRegistrations waits (a hang guard) for an epoll instance that was
// not open in fds to hold want descriptors, and returns how many the
// largest new one holds (its tfd lines in /proc/self/fdinfo).
func epollRegistrations(t *testing.T, fds map[int]string, want int) int {
	t.Helper()
	most := 0
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for fd, link := range testenv.OpenFDs() {
			if link != "anon_inode:[eventpoll]" || fds[fd] == link {
				continue
			}
			info, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
			if err != nil {
				continue
			}
			most = max(most, strings.Count(string(info), "\ntfd:"))
		}
		if most >= want {
			return most
		}
	}
	return most
}
