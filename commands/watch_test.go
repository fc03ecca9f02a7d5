package commands

// The watcher's passes over the session's sockets at the prompt (watch.go,
// watch_pass.go): real peers on loopback, a listener's queue, idle only.

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
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

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

// TestWatchPassListener: connections in a real listener's accept queue
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
