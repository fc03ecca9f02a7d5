package shell

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// BenchmarkBytesRepr measures the repr of 64 KiB of mixed bytes, the cost
// of printing one recv.
func BenchmarkBytesRepr(b *testing.B) {
	p := make([]byte, 64<<10)
	for i := range p {
		p[i] = byte(i * 7)
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		BytesRepr(p)
	}
}

// BenchmarkLex measures lexing a typical send line.
func BenchmarkLex(b *testing.B) {
	line := `send s1 "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"; recv s1 4096 --hex`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Lex(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExec measures one dispatch through the whole path: lex, lookup,
// usage check, run, render.
func BenchmarkExec(b *testing.B) {
	t := NewTable(&Command{Name: "val", Summary: "x", Group: "g", Args: []Arg{Opt("X", nil)},
		Run: func(c *Call) (any, error) { return Tuple{"127.0.0.1", 80}, nil }})
	var out bytes.Buffer
	s := NewSession(t, &out, io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		s.Exec(context.Background(), "val x", "")
	}
}
