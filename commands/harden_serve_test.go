package commands

// Issue 14: a background demo server's lines under a flood, and its end
// when accept fails for good.

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// eventsUntil collects the session's printed event lines until one matches
// re, failing after a generous bound (a hang guard).
func eventsUntil(t *testing.T, ss *sockSession, re *regexp.Regexp) []string {
	t.Helper()
	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ss.MustExec("servport http tcp") // a command boundary: events are printed
		for _, l := range ss.Events() {
			got = append(got, l)
			if re.MatchString(l) {
				return got
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no event line matching %s; got %d lines, the last %q", re, len(got), got[max(0, len(got)-3):])
	return nil
}

// A full server refusing a flood prints a few "refused" lines, then one
// line that counts the rest exactly; the log keeps every event.
func TestServeFloodLinesCoalesced(t *testing.T) {
	ss := newSockSession(t)
	name, port := ss.serve("echo 127.0.0.1:0")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var hold []net.Conn
	defer func() {
		for _, c := range hold {
			c.Close()
		}
	}()
	for i := range 32 { // the server's cap, 16 from each of two addresses
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i/servePerAddress))}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("x")) // the echo proves it is served, not queued
		c.Read(make([]byte, 1))
		hold = append(hold, c)
	}
	const flood = 400
	for range flood {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Read(make([]byte, 1)) // the server closes it at once: EOF
		c.Close()
	}
	lines := eventsUntil(t, ss, regexp.MustCompile(`more connection_refused lines held back`))
	refused := 0
	for _, l := range lines {
		if strings.Contains(l, "refused 127.0.0.1:") {
			refused++
		}
	}
	if refused != lineBurst {
		t.Errorf("%d refused lines printed, want %d:\n%s", refused, lineBurst, strings.Join(lines, "\n"))
	}
	m := regexp.MustCompile(`\[echo 127.0.0.1:[0-9]+\] … ([0-9,]+) more connection_refused lines held back in [0-9.]+ s`).FindStringSubmatch(lines[len(lines)-1])
	if m == nil {
		t.Fatalf("the counting line: %q", lines[len(lines)-1])
	}
	if n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", "")); n != flood-lineBurst {
		t.Errorf("counted %d held back, want %d", n, flood-lineBurst)
	}
	logged := 0
	for _, e := range ss.Session.Events().Recent(4096) {
		if e.Kind == eventRefused && e.Resource == name {
			logged++
		}
	}
	if logged != flood {
		t.Errorf("the log has %d refused events, want %d", logged, flood)
	}
}

// After a shutdown of the listening socket through a descriptor fromfd
// made, accept fails with EINVAL for good: the server says so once, stops
// and leaves `servers` (it logged "accept: invalid argument" 20 times a
// second for ever while `servers` showed it healthy).
func TestServeStopsWhenAcceptFailsForGood(t *testing.T) {
	ss := newSockSession(t)
	name, port := ss.serve("echo 127.0.0.1:0")
	fd := listeningFD(t, port)
	ss.MustExec(fmt.Sprintf("fromfd %d", fd))
	ss.MustExec("shutdown s1 rdwr")
	lines := eventsUntil(t, ss, regexp.MustCompile(`has stopped: accept\(\) failed`))
	for _, l := range lines {
		if strings.Contains(l, "accept:") {
			t.Errorf("a line of accept errors: %q", l)
		}
	}
	if !strings.Contains(lines[len(lines)-1], "EINVAL") && !strings.Contains(lines[len(lines)-1], "Invalid argument") {
		t.Errorf("the line does not name the error: %q", lines[len(lines)-1])
	}
	if out := ss.MustExec("servers"); strings.Contains(out, name) {
		t.Errorf("servers still lists %s:\n%s", name, out)
	}
	time.Sleep(200 * time.Millisecond)
	if more := ss.Events(); len(more) > 0 {
		t.Errorf("lines after the server stopped: %q", more)
	}
}
