package commands

// The socket layer's events in a real session: every registered socket
// reports through the session's log under its name, quietly (nothing
// printed), one event a call.

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// eventsOf is the events in the session's log whose resource is name.
func eventsOf(s *shell.Session, name string) []shell.Event {
	var out []shell.Event
	for _, e := range s.Events().Recent(0) {
		// The commands' own events (shell.EventCommand) are tested with the timeline.
		if e.Resource == name && e.Kind != shell.EventCommand {
			out = append(out, e)
		}
	}
	return out
}

// kindList spells the events' kinds: "created connected sent".
func kindList(evs []shell.Event) string {
	var ks []string
	for _, e := range evs {
		ks = append(ks, string(e.Kind))
	}
	return strings.Join(ks, " ")
}

// attr is the event's field key, failing the test when it has none.
func attr(t *testing.T, e shell.Event, key string) any {
	t.Helper()
	v, ok := e.Attr(key)
	if !ok {
		t.Fatalf("%s event has no %q field: %+v", e.Kind, key, e.Attrs)
	}
	return v
}

// serveEcho starts `serve echo` on a port the kernel picks and returns its
// address.
func serveEcho(t *testing.T, tm *faketerm.Term) netip.AddrPort {
	t.Helper()
	out := tm.MustExec("serve echo 127.0.0.1:0")
	_, addr, ok := strings.Cut(strings.TrimSpace(out), " server on ")
	ap, err := netip.ParseAddrPort(addr)
	if !ok || err != nil {
		t.Fatalf("serve echo said %q", out)
	}
	return ap
}

// TestSocketEventsLifeCycle: a whole connection to the echo server, from
// socket to close, is in the session's log as typed events under s1, in
// order, with the addresses and byte counts; the terminal printed none.
func TestSocketEventsLifeCycle(t *testing.T) {
	tm := faketerm.New(t, Table())
	echo := serveEcho(t, tm)
	tm.MustExec("socket tcp")
	tm.MustExec(fmt.Sprintf("connect s1 %s %d", echo.Addr(), echo.Port()))
	local, err := netip.ParseAddrPort(strings.Trim(strings.NewReplacer("'", "", ", ", ":").Replace(tm.MustExec("sockname s1")), "()\n"))
	if err != nil {
		t.Fatal(err)
	}
	tm.AssertExec("send s1 hello", "5\n")
	// The echo comes back in one or more recvs; each is one event.
	var got string
	recvs := 0
	for len(got) < 5 {
		out := tm.MustExec("recv s1 5")
		recvs++
		got += strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(out), "b'"), "'")
		if recvs > 5 {
			t.Fatalf("echo not back after %d recvs: %q", recvs, got)
		}
	}
	if got != "hello" {
		t.Fatalf("echo %q", got)
	}
	tm.MustExec("shutdown s1 wr")
	// The echo server closes after our FIN.
	if out := tm.MustExec("recv s1"); !strings.HasPrefix(out, "b''\n") {
		t.Fatalf("recv after the shutdown: %q", out)
	}
	tm.MustExec("close s1")

	evs := eventsOf(tm.Session, "s1")
	want := "created connected sent" + strings.Repeat(" received", recvs) + " shutdown received peer_closed closed"
	if kindList(evs) != want {
		t.Fatalf("s1's events\n got %s\nwant %s", kindList(evs), want)
	}
	if v := attr(t, evs[0], "family"); v != "AF_INET" {
		t.Errorf("created: family %v", v)
	}
	if p, a := attr(t, evs[1], "peer"), attr(t, evs[1], "address"); p != echo || a != local {
		t.Errorf("connected: peer %v address %v, want %v and %v", p, a, echo, local)
	}
	if b, call := attr(t, evs[2], "bytes"), attr(t, evs[2], "call"); b != int64(5) || call != "send" {
		t.Errorf("sent: %v bytes with %v", b, call)
	}
	var in int64
	for _, e := range evs[3 : 3+recvs] {
		in += attr(t, e, "bytes").(int64)
	}
	if in != 5 {
		t.Errorf("received %d bytes in all, want 5", in)
	}
	rest := evs[3+recvs:]
	if h := attr(t, rest[0], "how"); h != "SHUT_WR" {
		t.Errorf("shutdown how %v", h)
	}
	if b := attr(t, rest[1], "bytes"); b != int64(0) {
		t.Errorf("the last recv: %v bytes, want 0", b)
	}
	if in, out := attr(t, rest[3], "bytes_in"), attr(t, rest[3], "bytes_out"); in != int64(5) || out != int64(5) {
		t.Errorf("closed: bytes_in %v bytes_out %v, want 5 and 5", in, out)
	}
	for _, e := range evs {
		if !e.Quiet || e.Time.IsZero() || e.Message == "" {
			t.Errorf("%s: quiet %v, time %v, message %q", e.Kind, e.Quiet, e.Time, e.Message)
		}
	}
	// The terminal printed the echo server's lines, none of s1's.
	for _, line := range tm.Events() {
		if !strings.HasPrefix(line, "# [echo ") {
			t.Errorf("the terminal printed %q", line)
		}
	}
}

// TestSocketEventsConnectRefused: a refused connect is in the log with its
// errno, under the socket's name; create_connection's attempt, a socket
// that never got a name, is there as the session's own.
func TestSocketEventsConnectRefused(t *testing.T) {
	tm := faketerm.New(t, Table())
	port := testenv.ClosedPort(t, "tcp")
	tm.MustExec("socket tcp")
	tm.AssertExecError(fmt.Sprintf("connect s1 127.0.0.1 %d", port), "ConnectionRefusedError")
	evs := eventsOf(tm.Session, "s1")
	if kindList(evs) != "created connect_failed" {
		t.Fatalf("s1's events: %s", kindList(evs))
	}
	want := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	if errno, peer := attr(t, evs[1], "errno"), attr(t, evs[1], "peer"); errno != int(unix.ECONNREFUSED) || peer != want {
		t.Errorf("connect_failed: errno %v peer %v, want %d and %v", errno, peer, unix.ECONNREFUSED, want)
	}
	if !strings.Contains(evs[1].Message, "[Errno 111] Connection refused") {
		t.Errorf("message %q", evs[1].Message)
	}

	tm.AssertExecError(fmt.Sprintf("connect 127.0.0.1 %d", port), "ConnectionRefusedError")
	if kindList(eventsOf(tm.Session, "s2")) != "" {
		t.Errorf("a failed create_connection made events under s2")
	}
	anon := eventsOf(tm.Session, "")
	if kindList(anon) != "created connect_failed closed" {
		t.Fatalf("the unnamed attempt's events: %s", kindList(anon))
	}
	if errno := attr(t, anon[1], "errno"); errno != int(unix.ECONNREFUSED) {
		t.Errorf("errno %v", errno)
	}
	if printed := tm.Events(); len(printed) != 0 {
		t.Errorf("the terminal printed %q", printed)
	}
}

// TestSocketEventsBurstInRun: in a -c run, 1,000 sends are 1,000 sent
// events (one a call) and the run prints nothing but their results; a
// sendall of a file, many system calls, is one event. The sockets exit
// closes are in the log too.
func TestSocketEventsBurstInRun(t *testing.T) {
	l := testenv.Listen(t, "tcp")
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	const sends = 1000
	var script strings.Builder
	fmt.Fprintf(&script, "socket tcp\nsetsockopt s1 SO_SNDBUF 4096\nconnect s1 127.0.0.1 %d\n", testenv.Port(l.Addr()))
	for range sends {
		script.WriteString("send s1 x\n")
	}
	fmt.Fprintf(&script, "set explain on\nsendall s1 --file %s\nset explain off\nsocket udp\nexit\n", big)
	var out, errs bytes.Buffer
	s := shell.NewSession(Table(), &out, &errs)
	if code := s.RunString(script.String(), false); code != 0 || errs.Len() != 0 {
		t.Fatalf("run: status %d, errors %q", code, errs.String())
	}
	var sent []shell.Event
	for _, e := range eventsOf(s, "s1") {
		if e.Kind == eventSockSent {
			sent = append(sent, e)
		}
	}
	if len(sent) != sends+1 {
		t.Fatalf("%d sent events for %d send calls and one sendall", len(sent), sends)
	}
	if b := attr(t, sent[sends], "bytes"); b != int64(4<<20) || attr(t, sent[sends], "call") != "sendfile" {
		t.Errorf("sendall --file: %v bytes with %v", b, attr(t, sent[sends], "call"))
	}
	// The trace shows the sendall took many system calls.
	if !regexp.MustCompile(`# sendfile\(.*\((\d+) calls, \d+ bytes in all\)`).MatchString(out.String()) {
		t.Errorf("the sendall's trace does not show several calls:\n%s", tail(out.String(), 20))
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, line := range lines {
		if faketerm.IsAsync(line) || strings.Contains(line, "[s1]") {
			t.Errorf("the run printed %q", line)
			break
		}
	}
	ones := 0
	for _, line := range lines {
		if line == "1" {
			ones++
		}
	}
	if ones != sends {
		t.Errorf("%d results of 1 for %d sends", ones, sends)
	}
	// exit closed both sockets, and the log says so.
	for _, name := range []string{"s1", "s2"} {
		evs := eventsOf(s, name)
		if len(evs) == 0 || evs[len(evs)-1].Kind != eventSockClosed {
			t.Errorf("%s's last event is not closed: %s", name, kindList(evs))
		}
	}
}
