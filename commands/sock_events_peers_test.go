package commands

// The socket events of accept and `close all`, their cost (BenchmarkSockEvents),
// and the gopher client's socket in the log.

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

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
