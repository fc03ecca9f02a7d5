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
	addr := testenv.Dnsmasq(b, "192.0.2.7 seven.bench.test\n", "--local=/test/")
	tm := faketerm.New(b, Table())
	line := fmt.Sprintf("dns seven.bench.test --server %s", addr)
	tm.MustExec(line)
	for b.Loop() {
		tm.MustExec(line)
	}
}
