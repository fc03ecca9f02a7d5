// The client: one request and one reply over a connection the caller has
// already opened.

package gopher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Directions passed to a transcript hook.
const (
	Sent     = "send"
	Received = "recv"
)

// headSize is how much of a non-menu reply Fetch holds back before writing
// it out, to recognise a short error reply.
const headSize = 4096

// FetchOptions tunes Fetch. The zero value is ready to use.
type FetchOptions struct {
	// Transcript, when set, is called with every chunk of bytes written to
	// (dir == Sent) or read from (dir == Received) the connection, in
	// order. b is only valid during the call.
	Transcript func(dir string, b []byte)
	// Limits bounds menu parsing.
	Limits Limits
	// Verbatim copies text replies (type 0) as they arrive instead of
	// undoing dot-stuffing and stopping at the "." line.
	Verbatim bool
}

// Reply describes what Fetch received.
type Reply struct {
	Type  byte  // the target's type
	Menu  *Menu // the parsed menu, for types 1 and 7
	Bytes int64 // bytes written to w, for the other types
	// Received counts the bytes read from the connection, for every type:
	// 0 means the server closed the connection without a word.
	Received int64
}

// Fetch sends the request for t over conn and reads the reply. It does not
// dial: conn is a connection the caller has opened to t.Host and t.Port,
// and Fetch does not close it. A gopher server
// closes the connection after one reply, so conn is spent afterwards.
//
// For types 1 and 7 the reply is parsed into Reply.Menu and w is not used
// (it may be nil). For other types the reply body is streamed into w in
// constant memory: text (type 0) through TextReader unless opts.Verbatim,
// everything else byte for byte. A reply without a "." terminator is
// accepted at the end of the connection.
//
// A menu whose first item is an error item (type '3' with its tab-separated
// fields), or a whole reply under 4 KiB whose first line is one, becomes a
// *ServerError, or a *NotFoundError when its text says the selector does
// not exist; nothing is written to w then. A reply that merely starts with
// the word "Error" is content like any other. (A file under 4 KiB whose
// first line is itself a type-3 menu line would be taken for an error
// reply.)
//
// When conn has a SetDeadline method, the context's deadline is applied to
// it and cancelling the context interrupts a blocked read or write; the
// deadline is cleared again before Fetch returns. The error then wraps both
// the context's error and the I/O error.
func Fetch(ctx context.Context, conn io.ReadWriter, t Target, w io.Writer, opts *FetchOptions) (Reply, error) {
	if opts == nil {
		opts = &FetchOptions{}
	}
	reply := Reply{Type: t.Type}
	if strings.ContainsAny(t.Selector, "\t\r\n") || strings.ContainsAny(t.Query, "\t\r\n") {
		return reply, fmt.Errorf("gopher: selector or search string %q contains a tab, CR or LF", t.Selector+t.Query)
	}
	switch t.Type {
	case 'i', '3', '8', 'T', '2':
		return reply, &UnsupportedTypeError{Type: t.Type}
	}
	if err := ctx.Err(); err != nil {
		return reply, err
	}
	release := watchContext(ctx, conn)
	defer release()

	fail := func(what string, err error) (Reply, error) {
		cerr := ctx.Err()
		if dl, ok := ctx.Deadline(); ok && cerr == nil && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
			// The connection's deadline (the context's) fired just before
			// the context's own timer.
			cerr = context.DeadlineExceeded
		}
		if cerr != nil {
			return reply, fmt.Errorf("gopher %s: %s: %w (%w)", t.URL(), what, cerr, err)
		}
		return reply, fmt.Errorf("gopher %s: %s: %w", t.URL(), what, err)
	}

	rw := &recorder{conn: conn, ctx: ctx, hook: opts.Transcript, n: &reply.Received}
	if _, err := io.WriteString(rw, t.Request()); err != nil {
		return fail("send request", err)
	}

	if IsMenu(t.Type) {
		m, err := ParseMenu(rw, opts.Limits)
		if err != nil {
			return fail("read menu", err)
		}
		reply.Menu = &m
		return reply, classifyMenu(t.Selector, m)
	}

	var body io.Reader = rw
	if t.Type == '0' && !opts.Verbatim {
		body = TextReader(rw)
	}
	head := make([]byte, headSize)
	n, err := io.ReadFull(body, head)
	head = head[:n]
	whole := false
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		whole = true
	case err != nil:
		return fail("read reply", err)
	}
	if whole {
		if err := classifyHead(t.Selector, head); err != nil {
			return reply, err
		}
	}
	wn, err := w.Write(head)
	reply.Bytes += int64(wn)
	if err != nil {
		return reply, fmt.Errorf("gopher %s: write output: %w", t.URL(), err)
	}
	if whole {
		return reply, nil
	}
	for {
		n, rerr := body.Read(head[:cap(head)])
		if n > 0 {
			wn, werr := w.Write(head[:n])
			reply.Bytes += int64(wn)
			if werr != nil {
				return reply, fmt.Errorf("gopher %s: write output: %w", t.URL(), werr)
			}
		}
		if rerr == io.EOF {
			return reply, nil
		}
		if rerr != nil {
			return fail("read reply", rerr)
		}
	}
}

// deadliner is the part of net.Conn that Fetch uses to honour a context.
type deadliner interface {
	SetDeadline(time.Time) error
}

// watchContext applies ctx's deadline to conn and interrupts conn when ctx
// is cancelled. The returned function undoes both.
func watchContext(ctx context.Context, conn io.ReadWriter) (release func()) {
	d, ok := conn.(deadliner)
	if !ok {
		return func() {}
	}
	if dl, ok := ctx.Deadline(); ok {
		d.SetDeadline(dl)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		d.SetDeadline(time.Unix(1, 0)) // in the past: blocked calls return now
	})
	return func() {
		if !stop() {
			<-fired
		}
		d.SetDeadline(time.Time{})
	}
}

// recorder passes reads and writes to conn, reporting them to the
// transcript hook and checking the context between calls (for connections
// that cannot be interrupted).
type recorder struct {
	conn io.ReadWriter
	ctx  context.Context
	hook func(dir string, b []byte)
	n    *int64 // bytes read so far
}

func (r *recorder) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.conn.Read(p)
	*r.n += int64(n)
	if n > 0 && r.hook != nil {
		r.hook(Received, p[:n])
	}
	return n, err
}

func (r *recorder) Write(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.conn.Write(p)
	if n > 0 && r.hook != nil {
		r.hook(Sent, p[:n])
	}
	return n, err
}
