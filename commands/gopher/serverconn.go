// One connection's request and reply: reading the request line, and the
// writers the reply goes through (a deadline per write, byte counts).

package gopher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

var errRequestTooLong = fmt.Errorf("selector longer than %d bytes", MaxSelectorBytes)

// readRequest reads "SELECTOR[\tSEARCH[\t…]]" up to CRLF, LF or the end of
// the input.
func readRequest(r io.Reader) (selector, search string, err error) {
	// Room for the selector, a tab, a search string as long, and CRLF.
	br := bufio.NewReaderSize(r, 2*MaxSelectorBytes+3)
	line, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", "", errRequestTooLong
	case err == io.EOF && len(line) > 0:
	case err != nil:
		return "", "", fmt.Errorf("read request: %w", err)
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	selector, search, _ = strings.Cut(text, "\t")
	search, _, _ = strings.Cut(search, "\t") // drop a gopher+ field
	if len(selector) > MaxSelectorBytes {
		return "", "", errRequestTooLong
	}
	return selector, search, nil
}

// deadlineWriter gives every write its own deadline, so a client that stops
// reading is dropped after the idle timeout while a slow but steady one is
// not.
type deadlineWriter struct {
	conn net.Conn
	idle time.Duration
	n    int64 // bytes written
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.conn.SetWriteDeadline(time.Now().Add(d.idle))
	n, err := d.conn.Write(p)
	d.n += int64(n)
	return n, err
}

// sendStep is how much of a served file goes out under one deadline: the
// reply's writes are 32 KiB (the server's bufio.Writer), so a file sent
// with sendfile(2) gets a fresh deadline as often.
const sendStep = 32 << 10

// ReadFrom sends r through the connection's own ReadFrom, which for a file
// is sendfile(2) (no copy through the server's memory), in steps of
// sendStep bytes, each with its own deadline as each Write has. The
// server's bufio.Writer hands a served file here when it holds nothing.
func (d *deadlineWriter) ReadFrom(r io.Reader) (int64, error) {
	rf, ok := d.conn.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{d}, r)
	}
	var total int64
	for {
		d.conn.SetWriteDeadline(time.Now().Add(d.idle))
		n, err := rf.ReadFrom(io.LimitReader(r, sendStep))
		total += n
		d.n += n
		if err != nil || n < sendStep {
			return total, err
		}
	}
}

// writeError writes an error item and the menu terminator.
func writeError(w io.Writer, msg string) {
	io.WriteString(w, Item{Type: '3', Display: msg, Host: "error.host", Port: 1}.Line()+".\r\n")
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
