package shell

import (
	"context"
	"io"
	"testing"
)

// BenchmarkPrintBytes is the real print path of a bytes result: a command
// returns 64 KiB (the bytes BenchmarkBytesRepr prints) and Session.Exec
// renders it in the python format to the terminal, as a recv's result
// prints; "tuple" is recvfrom's shape, (bytes, address). The command hands
// back the same slice each time, so the allocations counted are the
// dispatcher's and the printer's, not a receive's.
func BenchmarkPrintBytes(b *testing.B) {
	p := benchReprInput()
	for _, k := range []struct {
		name string
		v    any
	}{
		{"bytes", p},
		{"tuple", Tuple{p, Tuple{"127.0.0.1", 40000}}},
	} {
		b.Run(k.name, func(b *testing.B) {
			t := NewTable(&Command{Name: "data", Summary: "x", Group: "g",
				Run: func(c *Call) (any, error) { return k.v, nil }})
			s := NewSession(t, io.Discard, io.Discard)
			for range 64 { // a warm session, past the first collection
				s.Exec(context.Background(), "data", "")
			}
			b.SetBytes(int64(len(p)))
			b.ReportAllocs()
			for b.Loop() {
				if e := s.Exec(context.Background(), "data", ""); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}
