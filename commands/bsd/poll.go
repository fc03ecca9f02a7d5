// This file runs blocking calls on the non-blocking descriptor inside Go's
// runtime poller, bounded by the socket's timeout and by a context.

package bsd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// direction says which readiness a call waits for.
type direction int

const (
	readable direction = iota // POLLIN: recv, recvfrom, accept
	writable                  // POLLOUT: send, sendto, sendfile, connect
)

func (d direction) String() string {
	if d == readable {
		return "POLLIN"
	}
	return "POLLOUT"
}

// waits is what one command's successive waits share: their count, so
// that only the first is traced, and an optional deadline for the whole
// command (sendall), which then replaces the per-wait timeout.
type waits struct {
	n        int
	deadline time.Time
	untimed  bool // the socket's timeout does not apply: only ctx ends the wait
}

// longAgo is a deadline in the past: setting it wakes a waiting call.
var longAgo = time.Unix(1, 0)

// await calls attempt until it reports done, sleeping in the poller while it
// reports that the call would block (EAGAIN). The socket's timeout bounds
// the whole wait; cancelling ctx ends it within moments. It returns
// os.ErrDeadlineExceeded on timeout, ctx's error on cancel, EAGAIN when the
// socket is non-blocking (timeout 0) and the call would block, EBADF when
// the socket was closed. The deadline is cleared afterwards, so the socket
// stays usable.
func (s *Socket) await(ctx context.Context, dir direction, w *waits, attempt func(fd int) (done bool)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return unix.EBADF
	}
	if w == nil {
		w = &waits{}
	}
	timeout, bounded := s.Timeout()
	if w.untimed {
		bounded = false
	}
	if bounded && timeout == 0 {
		done := false
		if err := s.raw.Control(func(fd uintptr) { done = attempt(int(fd)) }); err != nil {
			return s.closedAsEBADF(err)
		}
		if !done {
			return unix.EAGAIN
		}
		return nil
	}

	setDeadline := s.file.SetReadDeadline
	if dir == writable {
		setDeadline = s.file.SetWriteDeadline
	}
	switch {
	case !w.deadline.IsZero():
		setDeadline(w.deadline)
	case bounded:
		setDeadline(time.Now().Add(timeout))
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		setDeadline(longAgo)
		close(fired)
	})

	tr := s.tr()
	step := func(fd uintptr) bool {
		if attempt(int(fd)) {
			return true
		}
		w.n++
		if w.n == 1 {
			tr.wait(int(fd), dir.String())
		}
		return false
	}
	var err error
	if dir == readable {
		err = s.raw.Read(step)
	} else {
		err = s.raw.Write(step)
	}
	if !stop() {
		<-fired
	}
	setDeadline(time.Time{})

	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil:
		tr.Note("poll(%d, %s) interrupted: cancelled", s.fd, dir)
		return ctx.Err()
	case errors.Is(err, os.ErrDeadlineExceeded):
		tr.Note("poll(%d, %s) = 0 (timed out after %s)", s.fd, dir, timeout)
		return fmt.Errorf("timed out: %w", os.ErrDeadlineExceeded)
	}
	return s.closedAsEBADF(err)
}
