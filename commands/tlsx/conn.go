// Package tlsx is TLS over a socket the shell already holds: a client
// connection run by Go's crypto/tls over the socket's own data calls, the
// records it exchanged (for explain), verification named as Python's ssl
// module (OpenSSL) names its failures, the facts of a certificate chain,
// and a certificate made for a session's servers.
package tlsx

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Transport is what a TLS connection runs over: a connected stream
// socket's data calls, which honour ctx and the socket's own timeout.
type Transport interface {
	Recv(ctx context.Context, n int) ([]byte, error)
	SendAll(ctx context.Context, p []byte) (int, error)
}

// wire is a net.Conn over a Transport for crypto/tls. Its reads run
// under the context of the command reading (Conn.Read, a handshake), its
// writes under the writing one's, so a read and a write may run at once
// (a pass-through). A timeout or cancel is told to crypto/tls as
// temporary, so that the connection stays usable after it, as Python's
// SSLSocket does; Close does nothing, since the socket belongs to its
// owner.
type wire struct {
	t           Transport
	local, peer net.Addr
	mu          sync.Mutex
	rctx, wctx  context.Context
	records     *recordLog
	first       firstFlight // the server's records until its ServerHello
}

// set sets the context of the reads (read) or of the writes.
func (w *wire) set(read bool, ctx context.Context) {
	w.mu.Lock()
	if read {
		w.rctx = ctx
	} else {
		w.wctx = ctx
	}
	w.mu.Unlock()
}

// clear forgets the reads' (read) or writes' context once its call is done.
func (w *wire) clear(read bool) { w.set(read, context.Background()) }

func (w *wire) context(read bool) context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	ctx := w.wctx
	if read {
		ctx = w.rctx
	}
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// bufReader is a Transport that reads into the caller's buffer (a
// bsd.Socket's RecvBuf): crypto/tls's reads then allocate nothing.
type bufReader interface {
	RecvBuf(ctx context.Context, p []byte) (int, error)
}

func (w *wire) Read(p []byte) (int, error) {
	var got int
	if br, ok := w.t.(bufReader); ok {
		n, err := br.RecvBuf(w.context(true), p)
		if err != nil {
			return 0, interrupted(err)
		}
		got = n
	} else {
		b, err := w.t.Recv(w.context(true), len(p))
		if err != nil {
			return 0, interrupted(err)
		}
		got = copy(p, b)
	}
	if got == 0 {
		return 0, io.EOF
	}
	w.records.add(false, p[:got])
	if err := w.first.feed(p[:got]); err != nil {
		return 0, err // what OpenSSL refuses, refused here too
	}
	return got, nil
}

func (w *wire) Write(p []byte) (int, error) {
	w.records.add(true, p)
	n, err := w.t.SendAll(w.context(false), p)
	if err != nil {
		return n, interrupted(err)
	}
	return n, nil
}

func (w *wire) Close() error                     { return nil }
func (w *wire) LocalAddr() net.Addr              { return w.local }
func (w *wire) RemoteAddr() net.Addr             { return w.peer }
func (w *wire) SetDeadline(time.Time) error      { return nil }
func (w *wire) SetReadDeadline(time.Time) error  { return nil }
func (w *wire) SetWriteDeadline(time.Time) error { return nil }

// pauseError is a timeout or a cancel of the socket's call: temporary to
// crypto/tls (which otherwise keeps any read error for good), the
// original error to everyone else (errors.Is, errors.As).
type pauseError struct{ err error }

func (e *pauseError) Error() string   { return e.err.Error() }
func (e *pauseError) Unwrap() error   { return e.err }
func (e *pauseError) Timeout() bool   { return isTimeout(e.err) }
func (e *pauseError) Temporary() bool { return true }

func interrupted(err error) error {
	if isTimeout(err) || errors.Is(err, context.Canceled) {
		return &pauseError{err}
	}
	return err
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// Conn is a TLS client connection over a socket.
type Conn struct {
	tc              *tls.Conn
	w               *wire
	cfg             ClientConfig
	verify          *verifier
	hsErr           error
	done            bool
	askedClientCert bool
}

// Handshake runs the TLS handshake under ctx.
func (c *Conn) Handshake(ctx context.Context) error {
	c.w.set(true, ctx)
	c.w.set(false, ctx)
	defer c.w.clear(true)
	defer c.w.clear(false)
	c.w.records.setHandshaking(true)
	err := c.tc.Handshake()
	c.w.records.setHandshaking(false)
	c.done = err == nil
	c.hsErr = err
	return err
}

// Read is one SSLSocket.recv(n): the data of at most one record, b"" at
// the end of the stream (the peer's close_notify, or its FIN at a record
// boundary, as Python's suppress_ragged_eofs allows).
func (c *Conn) Read(ctx context.Context, n int) ([]byte, error) {
	if n == 0 {
		return []byte{}, nil
	}
	buf := make([]byte, n)
	got, err := c.ReadInto(ctx, buf)
	if err != nil {
		return nil, err
	}
	return buf[:got], nil
}

// ReadInto is Read into the caller's buffer: at most one record's data,
// len(p) bytes at most; 0 at the stream's end.
func (c *Conn) ReadInto(ctx context.Context, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.w.set(true, ctx)
	defer c.w.clear(true)
	got, err := c.tc.Read(p)
	if errors.Is(err, io.EOF) {
		return got, nil
	}
	if err != nil && got == 0 {
		return 0, err
	}
	return got, nil
}

// Write sends all of p as TLS records (SSLSocket.send and sendall write
// the whole buffer).
func (c *Conn) Write(ctx context.Context, p []byte) (int, error) {
	c.w.set(false, ctx)
	defer c.w.clear(false)
	return c.tc.Write(p)
}

// State is the session's state once the handshake is done.
func (c *Conn) State() tls.ConnectionState { return c.tc.ConnectionState() }

// Config is what the connection was made with.
func (c *Conn) Config() ClientConfig { return c.cfg }

// Records are the records exchanged during the handshake, in order.
func (c *Conn) Records() []Record { return c.w.records.list() }

// AskedClientCert reports whether the server sent a CertificateRequest.
func (c *Conn) AskedClientCert() bool { return c.askedClientCert }
