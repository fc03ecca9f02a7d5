package commands

import (
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// BenchmarkPythonNameLines runs each of row 2's four lines alone, in
// `-format python` as sockbench runs them, 100 a script: the per-line
// cost of the lex, the dispatch, the call and the repr, command by
// command, and the calls into C a line makes (each a switch of stacks
// and of the scheduler's state). `go test ./commands -run '^$' -bench PythonNameLines -benchmem`.
func BenchmarkPythonNameLines(b *testing.B) {
	for _, line := range []string{"servport http tcp", "servname 80 tcp", "resolve localhost", "addrinfo localhost 80"} {
		b.Run(strings.Fields(line)[0], func(b *testing.B) {
			s := shell.NewSession(Table(), io.Discard, io.Discard)
			defer s.CloseAll()
			if err := s.Set("format", "python"); err != nil {
				b.Fatal(err)
			}
			script := strings.Repeat(line+"\n", 100)
			b.ReportAllocs()
			calls := runtime.NumCgoCall()
			for b.Loop() {
				if st := s.RunLines(strings.NewReader(script), "bench.sock", false); st != 0 {
					b.Fatalf("exit status %d", st)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/line")
			b.ReportMetric(float64(runtime.NumCgoCall()-calls)/float64(b.N)/100, "cgo-calls/line")
			b.ReportMetric(0, "ns/op")
		})
	}
}
