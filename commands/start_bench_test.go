package commands

import (
	"io"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// BenchmarkStartTable is what building the whole command table costs
// (help, Tab or the reference ask for it; row 1 of issue 13).
func BenchmarkStartTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Table().Commands()
	}
}

// BenchmarkStartTableFirstGroup is what a start whose first command is a
// name-service lookup builds of the table: that family only.
func BenchmarkStartTableFirstGroup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if Table().Lookup("servport") == nil {
			b.Fatal("no servport")
		}
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
