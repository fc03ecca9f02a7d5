package commands

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// BenchmarkClosedNamesMemory: what a session keeps after 10,000
// connections made and closed in turn (connect HOST PORT, close sN), in
// bytes on the heap after a collection, beside the same session before
// them: the names closed were a map entry each (closednames.go). Run with
// -benchtime=1x; the figure is retained-B, not a time.
func BenchmarkClosedNamesMemory(b *testing.B) {
	port := sockGoPeer(b, func(*net.TCPConn) {}) // accepts, and closes
	const n = 10000
	for b.Loop() {
		s := shell.NewSession(Table(), io.Discard, io.Discard)
		churn(b, s, port, 5000) // the event log (4,096) and the command log fill: what is bounded is at its bound
		before := heapAfterGC()
		churn(b, s, port, n)
		after := heapAfterGC()
		b.ReportMetric(float64(int64(after)-int64(before)), "retained-B")
		runtime.KeepAlive(s)
		s.CloseAll()
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// churn connects to port and closes, n times, through the dispatch.
func churn(tb testing.TB, s *shell.Session, port, n int) {
	tb.Helper()
	ctx := context.Background()
	connect := fmt.Sprintf("connect 127.0.0.1 %d", port)
	for range n {
		if e := s.Exec(ctx, connect, ""); e != nil {
			tb.Fatal(e)
		}
		if e := s.Exec(ctx, "close "+lastName(s), ""); e != nil {
			tb.Fatal(e)
		}
	}
}

// lastName is the name of the session's newest resource.
func lastName(s *shell.Session) string {
	rs := s.Resources()
	if len(rs) == 0 {
		return "s" + strconv.Itoa(0)
	}
	return rs[len(rs)-1].Name
}

// BenchmarkClosedNamesKept: the closed names of 10,000 sockets alone, as
// a set of strings (what sockNotes kept before) and as closedNames.
func BenchmarkClosedNamesKept(b *testing.B) {
	const n = 10000
	b.Run("set", func(b *testing.B) {
		for b.Loop() {
			before := heapAfterGC()
			set := map[string]bool{}
			for i := 1; i <= n; i++ {
				set["s"+strconv.Itoa(i)] = true
			}
			b.ReportMetric(float64(int64(heapAfterGC())-int64(before)), "retained-B")
			runtime.KeepAlive(set)
		}
	})
	b.Run("runs", func(b *testing.B) {
		for b.Loop() {
			before := heapAfterGC()
			var c closedNames
			for i := 1; i <= n; i++ {
				c.add("s" + strconv.Itoa(i))
			}
			b.ReportMetric(float64(int64(heapAfterGC())-int64(before)), "retained-B")
			runtime.KeepAlive(&c)
		}
	})
}
