package bsd

import (
	"context"
	"net/netip"
)

// RecvBuf is Recv into the caller's buffer: one recv call of up to
// len(p) bytes, counted, traced and reported as Recv's is, returning how
// many bytes it put in p (0 at the peer's end). A layer that reads the
// socket again and again (TLS) reuses one buffer instead of a new one a
// call.
func (s *Socket) RecvBuf(ctx context.Context, p []byte) (int, error) {
	if err := checkBufsize("recv", len(p)); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil // as Recv(0): no system call
	}
	got, _, _, err := s.recvOnce(ctx, p, nil)
	err = opError("recv", "", err)
	s.reportCall(EventReceived, "recv", int64(got), netip.AddrPort{}, err)
	if err != nil {
		return 0, err
	}
	return got, nil
}
