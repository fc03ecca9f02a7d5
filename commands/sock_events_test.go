package commands

// The socket layer's events in a real session: every registered socket
// reports through the session's log under its name, quietly (nothing
// printed), one event a call.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/bsd"
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

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestSocketEventsAcceptAndCloseAll: accept reports the new socket under
// its name and the client's address on the listener; `close all` closes
// every socket, each with its closed event; json format prints none of
// them either.
func TestSocketEventsAcceptAndCloseAll(t *testing.T) {
	tm := faketerm.New(t, Table())
	tm.MustExec("set format json")
	tm.MustExec("socket tcp")
	tm.MustExec("bind s1 127.0.0.1 0")
	tm.MustExec("listen s1 3")
	evs := eventsOf(tm.Session, "s1")
	if kindList(evs) != "created bound listening" {
		t.Fatalf("s1's events: %s", kindList(evs))
	}
	addr := attr(t, evs[1], "address").(netip.AddrPort)
	if addr.Port() == 0 || attr(t, evs[2], "address") != addr || attr(t, evs[2], "backlog") != 3 {
		t.Errorf("bound %v, listening %+v", addr, evs[2].Attrs)
	}
	tm.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", addr.Port())) // s2
	tm.MustExec("accept s1")                                      // s3
	client := attr(t, eventsOf(tm.Session, "s2")[1], "address")
	evs = eventsOf(tm.Session, "s1")
	acc := evs[len(evs)-1]
	if acc.Kind != eventSockAccepted || attr(t, acc, "socket") != "s3" || attr(t, acc, "peer") != client || attr(t, acc, "address") != addr {
		t.Errorf("accepted %+v, want socket s3 and peer %v", acc.Attrs, client)
	}
	tm.MustExec("sendall s2 ping")
	tm.MustExec("recv s3")
	tm.MustExec("close all")
	for _, name := range []string{"s1", "s2", "s3"} {
		evs := eventsOf(tm.Session, name)
		last := evs[len(evs)-1]
		if last.Kind != eventSockClosed {
			t.Errorf("%s's events end %s", name, kindList(evs))
		}
	}
	s3 := eventsOf(tm.Session, "s3")
	if kindList(s3) != "received closed" || attr(t, s3[1], "bytes_in") != int64(4) {
		t.Errorf("s3: %s %+v", kindList(s3), s3)
	}
	if printed := tm.Events(); len(printed) != 0 {
		t.Errorf("printed %q", printed)
	}
	// What fromfd makes says where it came from.
	tm.MustExec("socket udp") // s4
	r, _ := tm.Session.Resource("s4")
	fd := r.(interface{ FD() int }).FD()
	tm.MustExec(fmt.Sprintf("fromfd %d", fd)) // s5
	s5 := eventsOf(tm.Session, "s5")
	if kindList(s5) != "created" || attr(t, s5[0], "call") != "fromfd" || attr(t, s5[0], "from_fd") != fd || attr(t, s5[0], "type") != "SOCK_DGRAM" {
		t.Errorf("s5: %s %+v", kindList(s5), s5)
	}
}

// BenchmarkSockEvents measures what the session's socket events cost a
// data call: one send and one recv of 64 bytes over loopback TCP per
// iteration, on sockets without a callback ("none") and on sockets wired
// to a session's log as the commands wire them, each call converted and
// emitted ("session"): `go test -bench SockEvents -run XXX ./commands`.
func BenchmarkSockEvents(b *testing.B) {
	for _, wired := range []bool{false, true} {
		name := "none"
		if wired {
			name = "session"
		}
		b.Run(name, func(b *testing.B) {
			sess := shell.NewSession(Table(), io.Discard, io.Discard)
			defer sess.CloseAll()
			var cfg bsd.Config
			if wired {
				cfg.Report = sockEventsOf(sess).report
			}
			open := func() *bsd.Socket {
				s, err := cfg.New(unix.AF_INET, unix.SOCK_STREAM)
				if err != nil {
					b.Fatal(err)
				}
				sess.Register("s", s)
				if wired {
					sockEventsOf(sess).named(s, fmt.Sprintf("s%d", len(sess.Resources())))
				}
				return s
			}
			ctx := context.Background()
			lo := netip.MustParseAddr("127.0.0.1")
			l := open()
			if err := l.Bind(lo, 0); err != nil {
				b.Fatal(err)
			}
			if err := l.Listen(1); err != nil {
				b.Fatal(err)
			}
			ln, _ := l.SockName()
			c := open()
			if err := c.Connect(ctx, lo, int(ln.Port())); err != nil {
				b.Fatal(err)
			}
			srv, _, err := l.Accept(ctx)
			if err != nil {
				b.Fatal(err)
			}
			sess.Register("s", srv)
			if wired {
				sockEventsOf(sess).named(srv, "s3")
			}
			msg := make([]byte, 64)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Send(ctx, msg); err != nil {
					b.Fatal(err)
				}
				if p, err := srv.Recv(ctx, len(msg)); err != nil || len(p) != len(msg) {
					b.Fatalf("recv %d bytes, %v", len(p), err)
				}
			}
			b.StopTimer()
			if wired && len(sess.Events().Recent(0)) == 0 {
				b.Fatal("no events in the log")
			}
		})
	}
}

// TestSocketEventsGopherClient: the gopher client's own socket reports
// under its name, g1, from create_connection to the close after the
// reply, the fetch's data one event each way.
func TestSocketEventsGopherClient(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello, gopher\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm := faketerm.New(t, Table())
	out := tm.MustExec("serve gopher " + dir + " 127.0.0.1:0")
	first, _, _ := strings.Cut(out, "\n")
	_, addr, _ := strings.Cut(first, " server on ")
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		t.Fatalf("serve gopher said %q", out)
	}
	tm.MustExec(fmt.Sprintf("gopher %s /hello.txt %d", ap.Addr(), ap.Port()))
	evs := eventsOf(tm.Session, "g1")
	// The request and the reply are one event each, however many recvs
	// the reply took.
	if ks := kindList(evs); ks != "created connected sent received peer_closed closed" {
		t.Fatalf("g1's events: %s", ks)
	}
	if b, calls := attr(t, evs[3], "bytes"), attr(t, evs[3], "calls").(int); b != int64(len("hello, gopher\n")) || calls < 2 {
		t.Errorf("received %v bytes in %d calls, want %d in two or more (the last one b'')", b, calls, len("hello, gopher\n"))
	}
	if p := attr(t, evs[1], "peer"); p != ap {
		t.Errorf("connected to %v, want %v", p, ap)
	}
	closed := evs[len(evs)-1]
	if in := attr(t, closed, "bytes_in").(int64); in < int64(len("hello, gopher\n")) {
		t.Errorf("closed: %d bytes in", in)
	}
}
