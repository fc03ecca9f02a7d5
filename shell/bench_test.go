package shell

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"
)

// BenchmarkBytesRepr measures the repr of 64 KiB of mixed bytes (every
// value in turn: 64% need an escape, the result is 2.9 times the input),
// the cost of printing one recv: AppendBytesRepr into a buffer reused from
// call to call, as the shell prints a bytes result (into the render buffer
// the session keeps: BenchmarkPrintBytes times that whole path). sockbench
// reads this one for row 9; BenchmarkBytesReprString times BytesRepr, which
// also allocates its 188 KB string.
func BenchmarkBytesRepr(b *testing.B) {
	benchRepr(b, benchReprInput())
}

// BenchmarkBytesReprString is BytesRepr on BenchmarkBytesRepr's input: the
// same fill, and a string allocated for each result.
func BenchmarkBytesReprString(b *testing.B) {
	p := benchReprInput()
	for range 64 { // about 12 MB: past the first collection, so memory is reused
		BytesRepr(p)
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		BytesRepr(p)
	}
}

func benchReprInput() []byte {
	p := make([]byte, 64<<10)
	for i := range p {
		p[i] = byte(i * 7)
	}
	return p
}

// benchRepr times AppendBytesRepr(buf[:0], p) into one buffer, after a
// first call that grows it (the first reprs of a fresh process land on
// pages the kernel has not yet given it).
func benchRepr(b *testing.B, p []byte) {
	buf := AppendBytesRepr(nil, p)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendBytesRepr(buf[:0], p)
	}
}

// BenchmarkBytesReprKinds measures the repr of each kind of input a peer
// sends, 64 KiB each unless named: random bytes, HTTP-like text with its
// CRLFs and quotes, printable text, text with 10% random bytes, text full
// of quotes and backslashes, and 256 KiB of the mixed text (longer than
// the 64 KiB that BytesRepr fills in its scratch), each appended into a
// reused buffer as BenchmarkBytesRepr.
func BenchmarkBytesReprKinds(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	fill := func(n int, f func(i int) byte) []byte {
		p := make([]byte, n)
		for i := range p {
			p[i] = f(i)
		}
		return p
	}
	const http = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p class=\"a\">it's a page</p>\n\t<a href='x'>link</a>\n"
	const text = "The quick brown fox jumps over the lazy dog, 0123456789. "
	mixed := func(int) byte {
		if r.IntN(10) == 0 {
			return byte(r.IntN(256))
		}
		return text[r.IntN(len(text))]
	}
	for _, k := range []struct {
		name string
		p    []byte
	}{
		{"random", fill(64<<10, func(int) byte { return byte(r.IntN(256)) })},
		{"http", fill(64<<10, func(i int) byte { return http[i%len(http)] })},
		{"printable", fill(64<<10, func(i int) byte { return text[i%len(text)] })},
		{"mixed10", fill(64<<10, mixed)},
		{"quotes", fill(64<<10, func(int) byte { return "ab'\\\"c"[r.IntN(6)] })},
		{"mixed10-256K", fill(256<<10, mixed)},
	} {
		b.Run(k.name, func(b *testing.B) { benchRepr(b, k.p) })
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
