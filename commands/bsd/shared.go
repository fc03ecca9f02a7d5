// This file waits for a socket whose open file description is shared with a
// blocking user, without making it non-blocking: fromfd of a descriptor that
// is blocking (the shell's own standard input or output when they are a
// socket, inetd or socat style, or a socket a parent handed down) gets a
// duplicate that refers to the same description, and O_NONBLOCK set on it
// would be set for every descriptor of that description: the shell's next
// read of its standard input would fail with EAGAIN. Python's fromfd leaves
// the flag alone too (unless a default timeout is set).
//
// Such a socket stays out of the runtime poller: each wait is poll(2) in
// slices of at most pollSlice, checking the context and the timeout between
// them, and the call is made only once poll reports the descriptor ready.

package bsd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// pollSlice is the longest poll(2) of a shared socket's wait: how soon a
// cancel (Ctrl-C) or a close is noticed.
const pollSlice = 50 * time.Millisecond

// isBlocking reports whether fd's open file description is blocking.
func isBlocking(fd int) bool {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	return err == nil && flags&unix.O_NONBLOCK == 0
}

// Shared reports whether the socket's description is shared with a
// blocking user (fromfd of a blocking descriptor): it was left blocking.
func (s *Socket) Shared() bool { return s.shared }

// awaitShared is await for a shared socket: poll(2) until the descriptor
// is ready, then the call, which does not block (unless another holder of
// the description took what poll saw first).
func (s *Socket) awaitShared(ctx context.Context, dir direction, w *waits, attempt func(fd int) (done bool)) error {
	if w == nil {
		w = &waits{}
	}
	timeout, bounded := s.Timeout()
	deadline := w.deadline
	if deadline.IsZero() && bounded {
		deadline = time.Now().Add(timeout)
	}
	events := int16(unix.POLLIN)
	if dir == writable {
		events = unix.POLLOUT
	}
	tr := s.tr()
	for {
		if err := ctx.Err(); err != nil {
			tr.Note("poll(%d, %s) interrupted: cancelled", s.fd, dir)
			return err
		}
		if s.closed.Load() {
			return unix.EBADF
		}
		slice := pollSlice
		if !deadline.IsZero() {
			slice = min(slice, time.Until(deadline))
		}
		ready, done := false, false
		err := s.rawControl(func(fd uintptr) {
			fds := []unix.PollFd{{Fd: int32(fd), Events: events}}
			n, perr := unix.Poll(fds, int(max(slice, 0).Milliseconds()))
			if perr != nil && !errors.Is(perr, unix.EINTR) {
				return
			}
			if n > 0 {
				ready = true
				done = attempt(int(fd))
			}
		})
		if err != nil {
			return s.closedAsEBADF(err)
		}
		if done {
			return nil
		}
		if bounded && timeout == 0 {
			return unix.EAGAIN // non-blocking: one look, as Python's
		}
		if !ready {
			w.n++
			if w.n == 1 {
				tr.wait(s.fd, dir.String())
			}
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			tr.Note("poll(%d, %s) = 0 (timed out after %s)", s.fd, dir, timeout)
			return fmt.Errorf("timed out: %w", os.ErrDeadlineExceeded)
		}
	}
}
