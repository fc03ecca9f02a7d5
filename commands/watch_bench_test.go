package commands

// What one pass of the watcher and its idle hook cost, over 0 to 1,000
// sockets.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

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
