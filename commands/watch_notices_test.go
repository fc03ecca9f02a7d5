package commands

// The watcher's notices: the state diff they come from, the notices
// setting (at the prompt, in a pipe run), the timeline, a Unix pair.

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
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
