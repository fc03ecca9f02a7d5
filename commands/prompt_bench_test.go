package commands

import (
	"fmt"
	"io"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// BenchmarkPromptTokens measures drawing "[{sockets} open, {waiting}
// waiting] >>> " with 0, 10 and 100 open UDP sockets.
func BenchmarkPromptTokens(b *testing.B) {
	for _, n := range []int{0, 10, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s := shell.NewSession(Table(), io.Discard, io.Discard)
			defer s.CloseAll()
			for range n {
				if e := s.Exec(b.Context(), "socket udp", ""); e != nil {
					b.Fatal(e)
				}
			}
			s.Settings.Prompt = "[{sockets} open, {waiting} waiting] >>> "
			want := fmt.Sprintf("[%d open, 0 waiting] >>> ", n)
			b.ReportAllocs()
			for b.Loop() {
				if got := s.PromptText(); got != want {
					b.Fatalf("prompt %q, want %q", got, want)
				}
			}
		})
	}
}
