// A line reader with a cap on line length, so a hostile peer sending one
// endless line cannot make us buffer it.

package gopher

import (
	"bufio"
	"errors"
	"io"
)

// lineReader reads LF-terminated lines, keeping at most max bytes of each.
type lineReader struct {
	br  *bufio.Reader
	max int
	buf []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 4096)
	}
	return &lineReader{br: br, max: max}
}

// next returns the next line without its line ending (LF or CRLF). long is
// true when the line was longer than max and its tail was dropped. At the
// end of the input, a last line without LF is returned with a nil error;
// the call after it returns io.EOF. The returned slice is valid until the
// next call.
func (l *lineReader) next() (line []byte, long bool, err error) {
	l.buf = l.buf[:0]
	sawAny := false
	for {
		chunk, err := l.br.ReadSlice('\n')
		if len(chunk) > 0 {
			sawAny = true
		}
		room := l.max - len(l.buf)
		if len(chunk) > room {
			// Keep room bytes; the rest is dropped (but a final LF is not
			// part of the content anyway).
			content := chunk
			if err == nil {
				content = chunk[:len(chunk)-1]
			}
			if len(content) > room {
				long = true
				content = content[:room]
			}
			l.buf = append(l.buf, content...)
			if err == nil {
				return trimCR(l.buf), long, nil
			}
		} else {
			l.buf = append(l.buf, chunk...)
			if err == nil {
				return trimCR(l.buf[:len(l.buf)-1]), long, nil
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && sawAny:
			return trimCR(l.buf), long, nil
		default:
			return nil, false, err
		}
	}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
