package commands

// A closed socket followed to its end: TIME_WAIT from the kernel's table,
// after close and after connect and close in one line.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

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
