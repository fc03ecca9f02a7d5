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

	// keep: the context is watched once for all the command's calls (a
	// loop of recvs, one per 64 KiB), not once a call; done ends the
	// watch. With the step below, a call then allocates nothing.
	keep    bool
	stop    func() bool
	fired   chan struct{}
	clear   func(time.Time) error // the watched direction's deadline setter
	attempt func(fd int) bool
	step    func(fd uintptr) bool
	tr      *Trace
	dir     direction
	recv    *recvCall // recvOnce's state, reused by each call of a loop
	send    *sendCall // sendOnce's
	untimed bool      // the socket's timeout does not apply: only ctx ends the wait

	// A single call's watch, bound once (a method value and a closure
	// are allocations): set is dir's deadline setter, wake the watch's
	// callback; fired is made again only after it fired.
	set    func(time.Time) error
	setDir direction
	wake   func()

	idle func() // Reader.Idle: called each time before the call waits
}

// takeWaits is a waits for one call in direction dir: the one the last
// call on the socket left (spare), or a new one when another call holds
// it. putWaits gives it back.
func (s *Socket) takeWaits(dir direction) *waits {
	if w := s.spare[dir].Swap(nil); w != nil {
		return w
	}
	return &waits{}
}

func (s *Socket) putWaits(dir direction, w *waits) {
	w.n, w.deadline, w.untimed, w.attempt, w.tr = 0, time.Time{}, false, nil, nil
	s.spare[dir].Store(w)
}

// done ends a kept watch of the context (see keep); the socket's deadline
// is left cleared.
func (w *waits) done() {
	if w.stop == nil {
		return
	}
	if !w.stop() {
		<-w.fired
	}
	w.clear(time.Time{})
	w.stop = nil
}

// deadlineSetter is the file's read or write deadline setter; a kept
// watch's own, once it has one (a method value is an allocation).
func (s *Socket) deadlineSetter(dir direction, w *waits) func(time.Time) error {
	switch {
	case w.keep && w.stop != nil && w.dir == dir:
		return w.clear
	case w.set != nil && w.setDir == dir:
	case dir == writable:
		w.set, w.setDir = s.file.SetWriteDeadline, dir
	default:
		w.set, w.setDir = s.file.SetReadDeadline, dir
	}
	return w.set
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
	if s.shared {
		return s.awaitShared(ctx, dir, w, attempt)
	}
	if w == nil {
		w = s.takeWaits(dir)
		defer s.putWaits(dir, w)
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

	setDeadline := s.deadlineSetter(dir, w)
	// armed: this call set a deadline and clears it after. A call without
	// one leaves the poller's deadline alone (each set takes the poller's
	// lock: a loop of recvs paid two a call for nothing).
	armed := true
	switch {
	case !w.deadline.IsZero():
		setDeadline(w.deadline)
	case bounded:
		setDeadline(time.Now().Add(timeout))
	default:
		armed = false
	}
	tr := s.tr()
	var stop func() bool
	switch {
	case ctx.Done() == nil:
		// Never cancelled: nothing to watch.
	case !w.keep:
		if w.fired == nil {
			w.fired = make(chan struct{})
		}
		if w.wake == nil {
			w.wake = func() {
				w.set(longAgo)
				close(w.fired)
			}
		}
		stop = context.AfterFunc(ctx, w.wake)
	case w.stop == nil:
		f := make(chan struct{})
		w.fired, w.clear = f, setDeadline
		w.stop = context.AfterFunc(ctx, func() {
			setDeadline(longAgo)
			close(f)
		})
	case ctx.Err() != nil:
		// Cancelled since the last call; its wake-up may have been
		// overwritten by the deadline just set.
		setDeadline(time.Time{})
		return ctx.Err()
	}
	w.attempt, w.tr, w.dir = attempt, tr, dir
	if w.step == nil {
		w.step = func(fd uintptr) bool {
			if w.attempt(int(fd)) {
				return true
			}
			w.n++
			if w.n == 1 {
				w.tr.wait(int(fd), w.dir.String())
			}
			if w.idle != nil {
				w.idle()
			}
			return false
		}
	}
	var err error
	if dir == readable {
		err = s.raw.Read(w.step)
	} else {
		err = s.raw.Write(w.step)
	}
	w.attempt = nil
	if stop != nil && !stop() {
		<-w.fired
		w.fired = nil
		armed = true // the cancel's wake-up deadline is set
	}
	if armed {
		setDeadline(time.Time{})
	}
	// A kept watch that fires from here on leaves its wake-up set: the
	// next call sees ctx.Err() first, and done clears it.

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
