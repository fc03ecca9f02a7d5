// TextReader: the RFC 1436 text-file framing (dot-stuffing and the lone
// "." terminator), undone while streaming.

package gopher

import (
	"bufio"
	"bytes"
	"io"
)

// TextReader returns a reader that yields the body of a gopher text reply
// read from r: it stops at a line holding only "." (with CRLF, LF or at the
// end of the input) and turns a leading ".." into "." on every other line.
// Line endings are passed through unchanged. A reply without a terminator
// ends at the end of r. It works in constant memory.
//
// Many servers (gophernicus among them) send text files verbatim, without
// dot-stuffing or terminator; such a file that holds a line "." or a line
// starting ".." is shortened or changed by this reader. Fetch with
// FetchOptions.Verbatim copies the reply as it is.
func TextReader(r io.Reader) io.Reader {
	return &textReader{br: bufio.NewReaderSize(r, 4096), lineStart: true}
}

type textReader struct {
	br        *bufio.Reader
	lineStart bool
	done      bool
}

func (t *textReader) Read(p []byte) (int, error) {
	if t.done {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if t.lineStart {
		head, err := t.br.Peek(3)
		if len(head) == 0 {
			return 0, err
		}
		if head[0] == '.' {
			if isTerminator(head) {
				t.done = true
				return 0, io.EOF
			}
			if len(head) > 1 && head[1] == '.' {
				t.br.Discard(1)
			}
		}
		t.lineStart = false
	}
	if t.br.Buffered() == 0 {
		if _, err := t.br.Peek(1); err != nil {
			return 0, err
		}
	}
	chunk, _ := t.br.Peek(min(len(p), t.br.Buffered()))
	if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
		chunk = chunk[:i+1]
		t.lineStart = true
	}
	n := copy(p, chunk)
	t.br.Discard(n)
	return n, nil
}

// isTerminator reports whether head, the first (up to) three bytes of a
// line, is the lone "." line: ".", ".\n", ".\r" or ".\r\n". head is
// shorter than three bytes only at the end of the input.
func isTerminator(head []byte) bool {
	switch {
	case len(head) == 1:
		return true
	case head[1] == '\n':
		return true
	case head[1] == '\r':
		return len(head) == 2 || head[2] == '\n'
	}
	return false
}
