package commands

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell/testenv"
)

// BenchmarkTimeline: `timeline --last 20` in a session whose log has taken
// 20 and 100,000 events (a connected UDP socket's sent events, made by
// the socket layer's own constructor, sockEvent), and the heap the log
// keeps after them (MB-retained: the log is a ring of shell.EventLogSize).
func BenchmarkTimeline(b *testing.B) {
	for _, n := range []int{20, 100000} {
		b.Run(fmt.Sprint("events=", n), func(b *testing.B) {
			peer := testenv.ListenPacket(b, "udp")
			tm := faketerm.New(b, Table())
			tm.MustExec("socket udp")
			tm.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", testenv.Port(peer.LocalAddr())))
			s, _ := tm.Session.Resource("s1")
			sock := s.(*bsd.Socket)
			ap, err := sock.PeerName()
			if err != nil {
				b.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := 0; i < n; i++ {
				ev := sockEvent(bsd.Event{Kind: bsd.EventSent, Time: time.Now(), Socket: sock, FD: sock.FD(),
					Op: "send", Bytes: 64, Calls: 1, Peer: netip.AddrPortFrom(ap.Addr(), ap.Port())})
				ev.Resource = "s1"
				tm.Session.Emit(ev)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			for b.Loop() {
				tm.MustExec("timeline --last 20")
			}
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1e6, "MB-retained")
		})
	}
}
