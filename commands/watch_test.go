package commands

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// noticeTexts is what the watcher told, one "name: message" a line.
func noticeTexts(s *shell.Session) []string {
	var out []string
	for _, e := range s.Events().Recent(0) {
		if e.Kind == EventNotice || e.Kind == EventState {
			out = append(out, e.Resource+": "+e.Message)
		}
	}
	return out
}

// joinNotices is the lines' messages, "|" between them.
func joinNotices(l []notice) string {
	var m []string
	for _, n := range l {
		m = append(m, n.msg)
	}
	return strings.Join(m, "|")
}

// TestNoticesDiff: the state diff alone, without a terminal or a socket.
func TestNoticesDiff(t *testing.T) {
	t0 := time.Unix(1000, 0)
	est := bsd.Glance{TCP: true, State: "ESTABLISHED"}
	// Nothing waiting, first look: nothing to tell.
	if l, _ := notices("s1", seen{}, false, est, t0); len(l) != 0 {
		t.Errorf("first look at an idle socket told %q", l)
	}
	g := est
	g.Readable, g.Waiting = true, 12
	l, told := notices("s1", seen{g: est}, true, g, t0)
	if joinNotices(l) != "12 bytes waiting (recv s1)" || !told {
		t.Errorf("12 bytes: got %q, %v", l, told)
	}
	// The same again: nothing.
	if l, _ := notices("s1", seen{g: g, told: t0}, true, g, t0.Add(5*time.Second)); len(l) != 0 {
		t.Errorf("no change told %q", l)
	}
	// More within a second of the last notice: not yet (coalesced).
	g2 := g
	g2.Waiting = 500
	if l, _ := notices("s1", seen{g: g, told: t0}, true, g2, t0.Add(100*time.Millisecond)); len(l) != 0 {
		t.Errorf("a burst within a second told %q", l)
	}
	// A second on: the amount now waiting.
	if l, _ := notices("s1", seen{g: g, told: t0}, true, g2, t0.Add(time.Second)); joinNotices(l) != "500 bytes waiting (recv s1)" {
		t.Errorf("after a second: %q", l)
	}
	// FIN: the state change and what recv returns.
	fin := bsd.Glance{TCP: true, State: "CLOSE_WAIT", Readable: true, FIN: true}
	l, _ = notices("s1", seen{g: est}, true, fin, t0)
	if joinNotices(l) != "ESTABLISHED → CLOSE_WAIT|the peer closed its side (FIN); recv returns b''" {
		t.Errorf("FIN: %q", l)
	}
	if e := noticeEvent(t0, "s1", l[0]); e.Kind != EventState || attr(t, e, "to") != "CLOSE_WAIT" || attr(t, e, "from") != "ESTABLISHED" {
		t.Errorf("a state change is event %q %v, want kind state from ESTABLISHED to CLOSE_WAIT", e.Kind, e.Attrs)
	}
	if e := noticeEvent(t0, "s1", l[1]); e.Kind != EventNotice {
		t.Errorf("the FIN is event %q, want notice", e.Kind)
	}
	// Listener queue; UDP datagram source.
	ln := bsd.Glance{TCP: true, State: "LISTEN", Pending: 2}
	if l, _ := notices("s1", seen{g: bsd.Glance{TCP: true, State: "LISTEN"}}, true, ln, t0); joinNotices(l) != "2 connections waiting (accept s1)" {
		t.Errorf("listener: %q", l)
	}
	dg := bsd.Glance{Readable: true, Waiting: 3, HasFrom: true, From: netip.MustParseAddrPort("127.0.0.1:9999")}
	if l, _ := notices("s3", seen{}, false, dg, t0); joinNotices(l) != "datagram from ('127.0.0.1', 9999) waiting" {
		t.Errorf("datagram: %q", l)
	}
}

// TestWatchPassRealSockets: real peers on loopback; the watcher tells
// each change once and reads nothing.
func TestWatchPassRealSockets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sess := shell.NewSession(Table(), io.Discard, io.Discard)
	defer sess.CloseAll()
	s, err := bsd.New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Connect(ctx, ap.Addr(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	name := sess.Register("s", s)
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	u, err := bsd.New(unix.AF_INET, unix.SOCK_DGRAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Bind(netip.MustParseAddr("127.0.0.1"), 0); err != nil {
		t.Fatal(err)
	}
	uname := sess.Register("s", u)
	uaddr, _ := u.SockName()
	socks := []watched{{name, s}, {uname, u}}
	now := time.Now()
	watchPass(sess, socks, now)
	if got := noticeTexts(sess); len(got) != 0 {
		t.Fatalf("idle sockets told %q", got)
	}
	if _, err := peer.Write([]byte("hello world\n")); err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if _, err := pc.WriteTo([]byte("dgram"), net.UDPAddrFromAddrPort(netip.MustParseAddrPort(uaddr.String()))); err != nil {
		t.Fatal(err)
	}
	// Wait (bounded) for both to be in the kernel, then look.
	want := []string{name + ": 12 bytes waiting (recv " + name + ")",
		fmt.Sprintf("%s: datagram from ('127.0.0.1', %d) waiting", uname, pc.LocalAddr().(*net.UDPAddr).Port)}
	deadline := time.Now().Add(10 * time.Second)
	for len(noticeTexts(sess)) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		now = now.Add(2 * time.Second)
		watchPass(sess, socks, now)
	}
	if got := strings.Join(noticeTexts(sess), "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("notices:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	// ss, the reference, shows the same 12 bytes in Recv-Q for this 4-tuple.
	if ssPath := testenv.NeedPeer(t, "iproute2", "ss"); ssPath != "" {
		local, _ := s.SockName()
		out, err := exec.Command(ssPath, "-tanH", "src", local.String(), "dst", peer.LocalAddr().String()).Output()
		if err != nil {
			t.Fatalf("ss: %v", err)
		}
		if f := strings.Fields(string(out)); len(f) < 2 || f[0] != "ESTAB" || f[1] != "12" {
			t.Errorf("ss -tan for %s: %q, want ESTAB with Recv-Q 12", local, out)
		}
	}
	// Nothing changes: nothing more.
	watchPass(sess, socks, now.Add(5*time.Second))
	if n := len(noticeTexts(sess)); n != 2 {
		t.Errorf("%d notices after a pass with no change", n)
	}
	// This side's shutdown(SHUT_RD) makes poll say POLLRDHUP, but the
	// peer sent no FIN: none is told.
	if err := s.Shutdown("rd"); err != nil {
		t.Fatal(err)
	}
	watchPass(sess, socks, now.Add(10*time.Second))
	if got := noticeTexts(sess); len(got) != 2 {
		t.Errorf("after shutdown rd: %q", got)
	}
	// A socket no longer registered is forgotten.
	watchPass(sess, socks[:1], now.Add(11*time.Second))
	if n := len(watchKey.Get(sess).last); n != 1 {
		t.Errorf("the watcher remembers %d sockets, want 1", n)
	}
	// The data is still all there, the same bytes.
	b, err := s.Recv(ctx, 100)
	if err != nil || string(b) != "hello world\n" {
		t.Errorf("recv after the watcher: %q, %v", b, err)
	}
	d, from, err := u.RecvFrom(ctx, 100)
	if err != nil || string(d) != "dgram" || from.Port() != uint16(pc.LocalAddr().(*net.UDPAddr).Port) {
		t.Errorf("recvfrom after the watcher: %q from %v, %v", d, from, err)
	}
}

// TestNoticesSetting: off outside the prompt unless asked; the hook makes
// no goroutine when off or with no socket.
func TestNoticesSetting(t *testing.T) {
	sess := shell.NewSession(Table(), io.Discard, io.Discard)
	if noticesOn(sess) {
		t.Error("notices on outside the prompt by default")
	}
	if st := watchSockets(sess); st != nil {
		t.Error("a watcher started with notices off")
	}
	if err := sess.Table.Setting("notices").Set(sess, "on"); err != nil {
		t.Fatal(err)
	}
	if st := watchSockets(sess); st != nil {
		t.Error("a watcher started with no socket")
	}
	if err := sess.Table.Setting("notices").Set(sess, "maybe"); err == nil {
		t.Error("notices maybe accepted")
	}
}

// benchSockets registers n sockets with nothing waiting: half connected
// TCP (to a loopback listener: poll, TCP_INFO), half bound UDP (poll).
func benchSockets(b testing.TB, n int) (*shell.Session, []watched) {
	sess := shell.NewSession(Table(), io.Discard, io.Discard)
	b.Cleanup(sess.CloseAll)
	ln := testenv.Listen(b, "tcp")
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var socks []watched
	for i := 0; i < n; i++ {
		s, err := bsd.New(unix.AF_INET, []int{unix.SOCK_STREAM, unix.SOCK_DGRAM}[i%2], nil)
		if err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			if err := s.Connect(ctx, ap.Addr(), int(ap.Port())); err != nil {
				b.Fatal(err)
			}
			c, err := ln.Accept()
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { c.Close() })
		} else if err := s.Bind(netip.MustParseAddr("127.0.0.1"), 0); err != nil {
			b.Fatal(err)
		}
		socks = append(socks, watched{sess.Register("s", s), s})
	}
	return sess, socks
}

// BenchmarkWatchPass: one pass of the watcher over 0, 10 and 1,000
// sockets with nothing waiting (benchSockets), as the watcher makes it:
// poll's answer for all of them from its kept level-triggered epoll set
// (one epoll_wait), then TCP_INFO for each TCP socket; "each" is the pass
// without the set (one poll a socket, as before session 12, and as a
// socket not yet in the set is looked at). ns/op divided by the count is
// the cost per socket. The watcher passes when the kernel has news, and
// at least every watchEvery.
func BenchmarkWatchPass(b *testing.B) {
	for _, n := range []int{0, 10, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchPass(b, n, true) })
	}
	b.Run("each/1000", func(b *testing.B) { benchPass(b, 1000, false) })
}

func benchPass(b *testing.B, n int, sets bool) {
	sess, socks := benchSockets(b, n)
	var k *watchKept
	if sets {
		k = keptSets(sess)
		if !k.open() {
			b.Fatal("no epoll sets")
		}
		k.addNew(socks, new(atomic.Bool))
	}
	watchPassWith(sess, socks, time.Now(), k, nil)
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		watchPassWith(sess, socks, time.Now(), k, nil)
	}
	// The CPU a pass takes (the process's, user and system):
	// on a loaded machine the wall time is mostly waiting for a core.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	if n > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/socket")
	}
}

// BenchmarkWatchPrompt: what the idle hook costs the prompt each time it
// waits: start (the list of sockets, a goroutine) and stop (wait for the
// goroutine). With no socket it starts nothing.
func BenchmarkWatchPrompt(b *testing.B) {
	for _, n := range []int{0, 10, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			sess, _ := benchSockets(b, n)
			if err := sess.Table.Setting("notices").Set(sess, "on"); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if stop := watchSockets(sess); stop != nil {
					stop()
				}
			}
		})
	}
}

// (TCP_INFO's tcpi_unacked for a listener), told without accepting.
func TestWatchPassListener(t *testing.T) {
	sess := shell.NewSession(Table(), io.Discard, io.Discard)
	defer sess.CloseAll()
	l, err := bsd.New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Bind(netip.MustParseAddr("127.0.0.1"), 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(5); err != nil {
		t.Fatal(err)
	}
	name := sess.Register("s", l)
	addr, _ := l.SockName()
	for i := 0; i < 2; i++ {
		c, err := net.DialTimeout("tcp", addr.String(), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	want := name + ": 2 connections waiting (accept " + name + ")"
	now := time.Now()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(strings.Join(noticeTexts(sess), "\n"), want) && time.Now().Before(deadline) {
		now = now.Add(2 * time.Second)
		watchPass(sess, []watched{{name, l}}, now)
		time.Sleep(10 * time.Millisecond)
	}
	if got := strings.Join(noticeTexts(sess), "\n"); !strings.Contains(got, want) {
		t.Fatalf("notices:\n%s\nwant %q", got, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; i < 2; i++ { // both are still there to accept
		c, _, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
}

// TestNoticesInPipeRun: off by default in a pipe run; `set notices on`
// makes the watcher run while the run waits for the next line, and the
// notice prints at the command boundary, before recv returns the bytes.
func TestNoticesInPipeRun(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	port := testenv.Port(ln.Addr())
	for _, on := range []bool{false, true} {
		var out strings.Builder
		sess := shell.NewSession(Table(), &out, io.Discard)
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		go func() { done <- sess.RunLines(pr, "stdin", false) }()
		if on {
			fmt.Fprintln(pw, "set notices on")
		}
		fmt.Fprintf(pw, "connect 127.0.0.1 %d\n", port)
		peer, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		peer.Write([]byte("hello world\n"))
		if on {
			deadline := time.Now().Add(10 * time.Second)
			for len(noticeTexts(sess)) == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
		} else {
			time.Sleep(300 * time.Millisecond) // three watcher periods, were one running
		}
		fmt.Fprintln(pw, "recv s1 100")
		pw.Close()
		<-done
		peer.Close()
		got := out.String()
		notice := "# s1: 12 bytes waiting (recv s1)\n"
		if on && !strings.Contains(got, notice+"b'hello world\\n'") {
			t.Errorf("notices on: output\n%s\nwant the notice, then the bytes", got)
		}
		if !on && (strings.Contains(got, "waiting") || !strings.Contains(got, "b'hello world\\n'")) {
			t.Errorf("notices off by default: output\n%s", got)
		}
	}
}

// TestWatchFollowsClosed: TIME_WAIT is told from the kernel's table, on
// an open descriptor whose TCP_INFO reads CLOSE (shutdown wr, then the
// peer's FIN) and after close; a connection that leaves the table is told
// gone.
func TestWatchFollowsClosed(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	sess := shell.NewSession(Table(), io.Discard, io.Discard)
	defer sess.CloseAll()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dial := func() (*bsd.Socket, string, net.Conn) {
		s, err := bsd.New(unix.AF_INET, unix.SOCK_STREAM, nil)
		if err != nil {
			t.Fatal(err)
		}
		ap := ln.Addr().(*net.TCPAddr).AddrPort()
		if err := s.Connect(ctx, ap.Addr(), int(ap.Port())); err != nil {
			t.Fatal(err)
		}
		peer, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return s, sess.Register("s", s), peer
	}
	now := time.Now()
	until := func(socks []watched, want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(strings.Join(noticeTexts(sess), "\n"), want) && time.Now().Before(deadline) {
			now = now.Add(time.Second)
			watchPass(sess, socks, now)
			time.Sleep(5 * time.Millisecond)
		}
		if got := strings.Join(noticeTexts(sess), "\n"); !strings.Contains(got, want) {
			t.Fatalf("notices:\n%s\nwant %q", got, want)
		}
	}
	// s1: this side shuts its writing half, the peer closes: the descriptor
	// is open, TCP_INFO reads CLOSE, the table says TIME_WAIT.
	s1, n1, p1 := dial()
	watchPass(sess, []watched{{n1, s1}}, now)
	s1.Shutdown("wr")
	p1.Read(make([]byte, 1))
	p1.Close()
	until([]watched{{n1, s1}}, " → TIME_WAIT")
	// s2: the peer closes first, then s2 closes: LAST_ACK, then gone once
	// the peer's ACK is in.
	s2, n2, p2 := dial()
	watchPass(sess, []watched{{n1, s1}, {n2, s2}}, now)
	p2.Close()
	until([]watched{{n1, s1}, {n2, s2}}, n2+": the peer closed its side (FIN)")
	s2.Close()
	sess.Remove(n2)
	until([]watched{{n1, s1}}, "gone from the kernel's socket table")
	// s1 closed: its connection stays in TIME_WAIT in the table.
	s1.Close()
	sess.Remove(n1)
	until(nil, n1+": TIME_WAIT in the kernel's socket table, gone after")
	t.Logf("notices:\n%s", strings.Join(noticeTexts(sess), "\n"))
	if got := strings.Join(noticeTexts(sess), "\n"); strings.Contains(got, n2+": TIME_WAIT") {
		t.Errorf("s2, closed after the peer's FIN, is told in TIME_WAIT:\n%s", got)
	}
}

// TestSocketsShowsTimeWait: after shutdown s1 wr and the peer's FIN,
// TCP_INFO on the open descriptor reads CLOSE while the kernel's table
// holds the connection in TIME_WAIT; `sockets` shows TIME_WAIT, as ss does
// for the same local address.
func TestSocketsShowsTimeWait(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	tm := faketerm.New(t, Table())
	tm.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", testenv.Port(ln.Addr())))
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	tm.MustExec("shutdown s1 wr")
	peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := peer.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("the peer read %d, %v; want the FIN", n, err)
	}
	peer.Close()
	r, _ := tm.Session.Resource("s1")
	s := r.(*bsd.Socket)
	for deadline := time.Now().Add(10 * time.Second); s.State() != "CLOSE" && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // until the peer's FIN is in (bounded)
	}
	if st := s.State(); st != "CLOSE" {
		t.Fatalf("TCP_INFO reads %s, want CLOSE", st)
	}
	out := tm.MustExec("sockets")
	if !strings.Contains(out, "| TIME_WAIT (shutdown wr here; as the kernel's table says; the fd's TCP_INFO reads CLOSE)") {
		t.Errorf("sockets:\n%s\nwant TIME_WAIT", out)
	}
	if ss := testenv.NeedPeer(t, "iproute2", "ss"); ss != "" {
		local, _ := s.LocalEnd()
		got, err := exec.Command(ss, "-tanH", "src", local.String()).Output()
		if err != nil || !strings.HasPrefix(string(got), "TIME-WAIT") {
			t.Errorf("ss -tan src %s: %q, %v; want TIME-WAIT", local, got, err)
		}
	}
	// A new socket reads CLOSE too, and has no connection: CLOSE.
	tm.MustExec("socket tcp")
	if out := tm.MustExec("sockets"); !strings.Contains(out, "| s2   |") || !strings.Contains(out, "| CLOSE ") {
		t.Errorf("a new socket:\n%s", out)
	}
}

// TestNoticesInTimeline: the watcher's notices and state changes are
// events (kinds notice and state), so timeline shows them, and a closed
// socket's final states in the kernel's table too. The watcher runs only
// between commands (an idle hook): while a command runs it reads nothing.
func TestNoticesInTimeline(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", testenv.Port(ln.Addr())))
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := ss.Session.Resource("s1")
	s := r.(*bsd.Socket)
	socks := []watched{{"s1", s}}
	now := time.Now()
	watchPass(ss.Session, socks, now)
	peer.Write([]byte("hi"))
	peer.Close()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(strings.Join(noticeTexts(ss.Session), "\n"), "FIN") && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		now = now.Add(2 * time.Second)
		watchPass(ss.Session, socks, now)
	}
	ss.MustExec("recv s1")
	ss.MustExec("recv s1")
	ss.MustExec("close s1")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(strings.Join(noticeTexts(ss.Session), "\n"), "gone from") && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		now = now.Add(time.Second)
		watchPass(ss.Session, nil, now)
	}
	kinds := map[string][]string{}
	for _, e := range timelineRows(t, ss, "s1") {
		k, _ := e["kind"].(string)
		w, _ := e["message"].(string)
		kinds[k] = append(kinds[k], w)
	}
	t.Logf("timeline s1: %v", kinds)
	if !strings.Contains(strings.Join(kinds["state"], "\n"), "ESTABLISHED → CLOSE_WAIT") {
		t.Errorf("no state change in the timeline: %v", kinds)
	}
	notices := strings.Join(kinds["notice"], "\n")
	if !strings.Contains(notices, "2 bytes waiting") || !strings.Contains(notices, "the peer closed its side (FIN)") || !strings.Contains(notices, "gone from the kernel's socket table") {
		t.Errorf("notices missing from the timeline: %v", kinds)
	}
	if !strings.Contains(strings.Join(kinds["state"], "\n"), "LAST_ACK in the kernel's socket table") && !strings.Contains(notices, "gone") {
		t.Errorf("the closed socket's final state is not in the timeline: %v", kinds)
	}
}

// TestWatcherIdleOnly: the prompt's loop stops the idle hooks (and waits
// for them) before a line runs, so the watcher never looks at a socket
// while a command uses it: a hook that counts the lines running while it
// is live sees none.
func TestWatcherIdleOnly(t *testing.T) {
	tab := Table()
	var live, overlaps atomic.Int32
	tab.AddIdleHook(func(*shell.Session) func() {
		live.Add(1)
		return func() { live.Add(-1) }
	})
	tab.Add(&shell.Command{Name: "probe-live", Group: shell.GroupShell, Help: "test", Python: "pass",
		Run: func(c *shell.Call) (any, error) {
			if live.Load() != 0 {
				overlaps.Add(1)
			}
			return shell.None, nil
		}})
	sess := shell.NewSession(tab, io.Discard, io.Discard)
	sess.RunLines(strings.NewReader(strings.Repeat("probe-live\n", 50)), "stdin", false)
	if n := overlaps.Load(); n != 0 {
		t.Errorf("%d of 50 lines ran while an idle hook was live", n)
	}
}

// TestWatchAfterRecv: data told, then a command receives it and the peer
// sends the same amount again before the watcher looks: that is news, told
// again (the amount alone did not change). Data no command touched is not
// told twice.
func TestWatchAfterRecv(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	sess := shell.NewSession(Table(), io.Discard, io.Discard)
	defer sess.CloseAll()
	s, err := bsd.New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Connect(ctx, ap.Addr(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	name := sess.Register("s", s)
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	socks := []watched{{name, s}}
	now := time.Now()
	watchPass(sess, socks, now)
	waiting := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			if q, _ := s.InQueue(); q == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the kernel never had %d bytes waiting", n)
			}
		}
	}
	peer.Write([]byte("hi"))
	waiting(2)
	watchPass(sess, socks, now)
	if b, err := s.Recv(ctx, 10); err != nil || string(b) != "hi" {
		t.Fatalf("recv: %q, %v", b, err)
	}
	peer.Write([]byte("yo"))
	waiting(2)
	watchPass(sess, socks, now) // the same instant: no coalescing delay either
	watchPass(sess, socks, now.Add(5*time.Second))
	want := name + ": 2 bytes waiting (recv " + name + ")"
	if got := noticeTexts(sess); len(got) != 2 || got[0] != want || got[1] != want {
		t.Errorf("notices: %q, want %q twice (before and after the recv)", got, want)
	}
}

// TestWatchFollowsClosedInOneLine: connect and close in one line, so the
// watcher never looked at the socket: its connection is followed all the
// same, by the 4-tuple the socket's events named, and its TIME_WAIT told
// (ss agrees), through the idle hook as the prompt runs it.
func TestWatchFollowsClosedInOneLine(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	ss := newSockSession(t)
	ss.MustExec("set notices on")
	if stop := watchSockets(ss.Session); stop != nil {
		t.Fatal("a watcher started with no socket")
	}
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d; close s1", testenv.Port(ln.Addr())))
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	peer.Read(make([]byte, 1)) // the FIN
	peer.Close()
	stop := watchSockets(ss.Session)
	if stop == nil {
		t.Fatal("no watcher for the closed connection")
	}
	want := "s1: TIME_WAIT in the kernel's socket table, gone after"
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(strings.Join(noticeTexts(ss.Session), "\n"), want) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if got := strings.Join(noticeTexts(ss.Session), "\n"); !strings.Contains(got, want) {
		t.Fatalf("notices:\n%s\nwant %q", got, want)
	}
	var local netip.AddrPort
	for _, e := range ss.Session.Events().Recent(0) {
		if e.Kind == sockConnected && e.Resource == "s1" {
			local, _ = attr(t, e, "address").(netip.AddrPort)
		}
	}
	if ssPath := testenv.NeedPeer(t, "iproute2", "ss"); ssPath != "" {
		got, err := exec.Command(ssPath, "-tanH", "src", local.String()).Output()
		if err != nil || !strings.HasPrefix(string(got), "TIME-WAIT") {
			t.Errorf("ss -tan src %s: %q, %v; want TIME-WAIT", local, got, err)
		}
	}
}

// TestNoticesUnixPair: a Unix stream pair has bytes waiting (not
// datagrams) and no FIN: the peer's close is told as a close; this side's
// shutdown rd is not the peer's doing; a datagram pair's message waits as
// a datagram.
func TestNoticesUnixPair(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("pair")
	ss.MustExec("pair")
	ss.MustExec("pair dgram")
	var socks []watched
	for _, r := range ss.Session.Resources() {
		socks = append(socks, watched{r.Name, r.Resource.(*bsd.Socket)})
	}
	now := time.Now()
	watchPass(ss.Session, socks, now)
	ss.MustExec("send s1 hello")
	ss.MustExec("shutdown s4 rd")
	ss.MustExec("send s5 hi")
	ss.MustExec("close s1")
	live := []watched{}
	for _, w := range socks {
		if w.name != "s1" {
			live = append(live, w)
		}
	}
	watchPass(ss.Session, live, now.Add(time.Second))
	got := strings.Join(noticeTexts(ss.Session), "\n")
	want := "s2: 5 bytes waiting (recv s2)\n" +
		"s2: the peer closed its side (or shut down its writing half); recv returns b'' after the bytes waiting\n" +
		"s6: datagram waiting (recvfrom s6)"
	if got != want {
		t.Errorf("notices:\n%s\nwant:\n%s", got, want)
	}
	if out := ss.MustExec("recv s2"); out != "b'hello'\n" {
		t.Errorf("recv s2 after the watcher: %q", out)
	}
}
