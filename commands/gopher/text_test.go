package gopher

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestTextReader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello\r\nworld\r\n.\r\n", "hello\r\nworld\r\n"},
		{"hello\nworld\n.\n", "hello\nworld\n"},
		{"no terminator\n", "no terminator\n"},
		{"no newline", "no newline"},
		{"..stuffed\r\n.. two\r\n...\r\n.\r\n", ".stuffed\r\n. two\r\n..\r\n"},
		{"a\n.\nafter the end\n", "a\n"},
		{".\r\n", ""},
		{".", ""},
		{"a\n.", "a\n"},
		{"a\n.\r", "a\n"},
		{". not the end\n.x\n.\rx\n", ". not the end\n.x\n.\rx\n"},
		{"mid.line.dots\n", "mid.line.dots\n"},
		{"", ""},
	}
	for _, tt := range tests {
		for _, wrap := range []func(io.Reader) io.Reader{
			func(r io.Reader) io.Reader { return r },
			iotest.OneByteReader,
			iotest.DataErrReader,
		} {
			got, err := io.ReadAll(TextReader(wrap(strings.NewReader(tt.in))))
			if err != nil || string(got) != tt.want {
				t.Errorf("TextReader(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		}
		// Small reads on the consumer side.
		got, err := io.ReadAll(iotest.OneByteReader(TextReader(strings.NewReader(tt.in))))
		if err != nil || string(got) != tt.want {
			t.Errorf("TextReader(%q) read byte by byte = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestTextReaderLongLine(t *testing.T) {
	in := strings.Repeat("x", 1<<20) + "\n..y\n.\n"
	got, err := io.ReadAll(TextReader(strings.NewReader(in)))
	if err != nil || len(got) != 1<<20+4 || !strings.HasSuffix(string(got), "\n.y\n") {
		t.Fatalf("long line: %d bytes, %v", len(got), err)
	}
}
