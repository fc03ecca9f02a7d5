package commands

import (
	"fmt"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell/testenv"
)

// BenchmarkDNSQuery: one dns command, an A query answered by a local
// dnsmasq from its hosts file, through the whole path (parse, exchange,
// table, notes): what each line of row 7's script costs.
func BenchmarkDNSQuery(b *testing.B) {
	benchDNSQuery(b, "table")
}

// BenchmarkDNSQueryPython: the same line with `set format python`: the
// whole path but the table's drawing (the answer is printed as the list
// of its records' texts, ['192.0.2.7']).
func BenchmarkDNSQueryPython(b *testing.B) {
	benchDNSQuery(b, "python")
}

func benchDNSQuery(b *testing.B, format string) {
	addr := testenv.Dnsmasq(b, "192.0.2.7 seven.bench.test\n", "--local=/test/")
	tm := faketerm.New(b, Table())
	tm.MustExec("set format " + format)
	line := fmt.Sprintf("dns seven.bench.test --server %s", addr)
	tm.MustExec(line)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		tm.MustExec(line)
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}
