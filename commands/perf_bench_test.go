package commands

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell"
)

// The benchmarks of issue 13's row 10, interactive feel: each must stay
// under its budget (5 ms; 50 ms for Ctrl-C), which cmd/sockbench reports as
// a ratio. `go test -run '^$' -bench Interactive ./commands`.

// BenchmarkInteractiveCompleteServices completes the port argument of
// servport over the whole services database.
func BenchmarkInteractiveCompleteServices(b *testing.B) {
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	defer s.CloseAll()
	if c, _ := s.Complete("servport "); len(c) < 100 {
		b.Fatalf("%d candidates from the services database", len(c))
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Complete("servport ")
	}
}

// perfSockets is a session with n open UDP sockets.
func perfSockets(b *testing.B, n int) *shell.Session {
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	b.Cleanup(func() { s.CloseAll() })
	for range n {
		if e := s.Exec(context.Background(), "socket udp", ""); e != nil {
			b.Fatal(e)
		}
	}
	return s
}

// BenchmarkInteractiveCompleteSockets completes a SOCK among 1,000 sockets.
func BenchmarkInteractiveCompleteSockets(b *testing.B) {
	s := perfSockets(b, 1000)
	if c, _ := s.Complete("close s"); len(c) < 1000 {
		b.Fatalf("%d candidates, want 1000 sockets", len(c))
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Complete("close s")
	}
}

// BenchmarkInteractiveSocketsTable draws the sockets table of 1,000 sockets.
func BenchmarkInteractiveSocketsTable(b *testing.B) {
	s := perfSockets(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if e := s.Exec(context.Background(), "sockets", ""); e != nil {
			b.Fatal(e)
		}
	}
}

// BenchmarkInteractiveHelp prints help.
func BenchmarkInteractiveHelp(b *testing.B) {
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	defer s.CloseAll()
	b.ReportAllocs()
	for b.Loop() {
		if e := s.Exec(context.Background(), "help", ""); e != nil {
			b.Fatal(e)
		}
	}
}

// BenchmarkInteractiveCtrlC measures Ctrl-C (the statement's context
// cancelled, as the prompt does on SIGINT) to the end of a recv blocked on
// a peer that never writes; the metric is ms-to-prompt.
func BenchmarkInteractiveCtrlC(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	defer s.CloseAll()
	if e := s.Exec(context.Background(), fmt.Sprintf("connect %s", "127.0.0.1 "+fmt.Sprint(l.Addr().(*net.TCPAddr).Port)), ""); e != nil {
		b.Fatal(e)
	}
	var total time.Duration
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan time.Time)
		go func() {
			s.Exec(ctx, "recv s1", "")
			done <- time.Now()
		}()
		time.Sleep(2 * time.Millisecond) // let the recv block
		start := time.Now()
		cancel()
		total += (<-done).Sub(start)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-prompt")
}

// BenchmarkScriptedNameLines runs row 2's four lines (servport, servname,
// resolve localhost, addrinfo localhost 80) as a script does, through lex,
// dispatch and render; an op is the four lines.
func BenchmarkScriptedNameLines(b *testing.B) {
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	defer s.CloseAll()
	script := strings.Repeat("servport http tcp\nservname 80 tcp\nresolve localhost\naddrinfo localhost 80\n", 100)
	b.ReportAllocs()
	for b.Loop() {
		if st := s.RunLines(strings.NewReader(script), "bench.sock", false); st != 0 {
			b.Fatalf("exit status %d", st)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/4-lines")
}
