package commands

import (
	"io"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// BenchmarkStartTable is what a start spends building the command table
// (row 1 of issue 13: everything before the first command runs).
func BenchmarkStartTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Table()
	}
}

// BenchmarkStartFirstCommand is a start's own work after the runtime's:
// the table, a session, and `servport http tcp` run as -c runs it.
func BenchmarkStartFirstCommand(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s := shell.NewSession(Table(), io.Discard, io.Discard)
		if rc := s.RunString("servport http tcp", false); rc != 0 {
			b.Fatalf("status %d", rc)
		}
	}
}
