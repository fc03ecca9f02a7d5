package commands

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// BenchmarkChurn is issue 13's row 3 inside the shell: one `connect HOST
// PORT` and one `close` through the whole dispatch, against a loopback
// listener that accepts and closes. cmd/sockbench times the whole process
// against python3; this shows the per-command cost and its allocations.
func BenchmarkChurn(b *testing.B) {
	port := sockGoPeer(b, func(*net.TCPConn) {}) // accepts, and closes
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	defer s.CloseAll()
	connect := fmt.Sprintf("connect 127.0.0.1 %d", port)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if e := s.Exec(ctx, connect, ""); e != nil {
			b.Fatal(e)
		}
		if e := s.Exec(ctx, fmt.Sprintf("close s%d", i), ""); e != nil {
			b.Fatal(e)
		}
	}
}

// BenchmarkChurnScript is BenchmarkChurn as a script runs it (RunLines):
// the lines read, the idle hooks started and stopped between them, as
// `sockshell FILE` does for cmd/sockbench's row 3.
func BenchmarkChurnScript(b *testing.B) {
	port := sockGoPeer(b, func(*net.TCPConn) {}) // accepts, and closes
	var script strings.Builder
	for i := 1; i <= b.N; i++ {
		fmt.Fprintf(&script, "connect 127.0.0.1 %d\nclose s%d\n", port, i)
	}
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	defer s.CloseAll()
	b.ReportAllocs()
	b.ResetTimer()
	if status := s.RunLines(strings.NewReader(script.String()), "churn", false); status != shell.ExitOK {
		b.Fatalf("the script ended with status %d", status)
	}
}
