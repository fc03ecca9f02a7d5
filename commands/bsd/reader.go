package bsd

import (
	"context"
	"io"
	"net/netip"
)

// Reader reads the socket with one recv call a Read, into the caller's
// buffer (Python's s.recv(len(p)), without the copy): a client that reads
// a whole reply in small recvs (the gopher client's recv(4096)) makes them
// without allocating, the context watched once for all of them. Each call
// is counted, traced and reported as Recv's is. Close ends the watch.
type Reader struct {
	s   *Socket
	ctx context.Context
	w   *waits
}

// SetIdle sets a function called each time a Read finds nothing queued
// and is about to wait for the peer: a caller that buffers what it read
// writes it out then, so nothing waits in its buffer on a slow peer.
func (r *Reader) SetIdle(fn func()) { r.w.idle = fn }

// NewReader returns a Reader of s under ctx; Close it when done.
func (s *Socket) NewReader(ctx context.Context) *Reader {
	return &Reader{s: s, ctx: ctx, w: &waits{keep: true}}
}

// Read makes one recv of up to len(p) bytes into p; the peer's end of the
// stream (an empty recv) is io.EOF. A Read of nothing makes no call, as
// recv(0) makes none.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := checkBufsize("recv", len(p)); err != nil {
		return 0, err
	}
	r.w.n = 0 // each recv's first wait is traced, as Recv's is
	n, _, _, err := r.s.recvOnce(r.ctx, p, r.w)
	err = opError("recv", "", err)
	r.s.reportCall(EventReceived, "recv", int64(n), netip.AddrPort{}, err)
	switch {
	case err != nil:
		return 0, err
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Close ends the Reader's watch of its context; the socket stays open.
func (r *Reader) Close() error {
	r.w.done()
	return nil
}
