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
	try     func(fd uintptr) // attempt before the socket joins the poller, bound once
	tried   bool             // try's attempt was done
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

	// The call under way, for arm: a call that never waits (the kernel
	// had the data, the room, the connection) sets no deadline and
	// watches no context, and so wakes no other thread of the runtime
	// (a deadline is a timer: setting one woke an idle thread per call).
	sock        *Socket
	ctx         context.Context
	timeout     time.Duration
	bounded     bool
	armed       bool        // arm ran for this call
	hasDeadline bool        // arm set a deadline
	stopCall    func() bool // a single call's context watch
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
	w.n, w.deadline, w.untimed, w.attempt, w.tr, w.ctx = 0, time.Time{}, false, nil, nil, nil
	s.spare[dir].Store(w)
}

// arm readies a call for its first wait: the deadline (the command's, or
// the socket's timeout from now) and the watch of the context that wakes
// the wait when it is cancelled (a kept watch is made once).
func (s *Socket) arm(w *waits) {
	w.armed = true
	setDeadline := s.deadlineSetter(w.dir, w)
	switch {
	case !w.deadline.IsZero():
		setDeadline(w.deadline)
		w.hasDeadline = true
	case w.bounded:
		setDeadline(time.Now().Add(w.timeout))
		w.hasDeadline = true
	}
	switch {
	case w.ctx.Done() == nil:
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
		w.stopCall = context.AfterFunc(w.ctx, w.wake)
	case w.stop == nil:
		f := make(chan struct{})
		w.fired, w.clear = f, setDeadline
		w.stop = context.AfterFunc(w.ctx, func() {
			setDeadline(longAgo)
			close(f)
		})
	case w.ctx.Err() != nil:
		// Cancelled since the kept watch woke the last call: its wake-up
		// may have been overwritten by the deadline just set.
		setDeadline(longAgo)
	}
}

// disarm undoes arm once the call is over: the context watch of a single
// call stopped (waited for, if it fired) and the deadline cleared.
func (s *Socket) disarm(w *waits) {
	clear := w.hasDeadline
	if w.stopCall != nil && !w.stopCall() {
		<-w.fired
		w.fired = nil
		clear = true // the cancel's wake-up deadline is set
	}
	if clear {
		s.deadlineSetter(w.dir, w)(time.Time{})
	}
	w.armed, w.hasDeadline, w.stopCall = false, false, nil
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
		w.set, w.setDir = s.polled.Load().file.SetWriteDeadline, dir
	default:
		w.set, w.setDir = s.polled.Load().file.SetReadDeadline, dir
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
		if err := s.rawControl(func(fd uintptr) { done = attempt(int(fd)) }); err != nil {
			return s.closedAsEBADF(err)
		}
		if !done {
			return unix.EAGAIN
		}
		return nil
	}

	tr := s.tr()
	w.attempt, w.tr, w.dir = attempt, tr, dir
	w.sock, w.ctx, w.timeout, w.bounded = s, ctx, timeout, bounded
	p := s.polled.Load()
	if p == nil && tr == nil {
		// A call the kernel answers at once needs no poller (poller.go).
		// Traced, the poller comes first, so that the trace shows the
		// call once (a second attempt would count a second EAGAIN).
		if w.try == nil {
			w.try = func(fd uintptr) { w.tried = w.attempt(int(fd)) }
		}
		w.tried = false
		if err := s.rawControl(w.try); err != nil {
			w.attempt = nil
			return s.closedAsEBADF(err)
		}
		if w.tried {
			w.attempt = nil
			return nil
		}
	}
	if p == nil {
		var err error
		if p, err = s.poller(); err != nil {
			w.attempt = nil
			return s.closedAsEBADF(err)
		}
	}
	if w.step == nil {
		w.step = func(fd uintptr) bool {
			if w.attempt(int(fd)) {
				return true
			}
			if !w.armed {
				w.sock.arm(w)
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
		err = p.raw.Read(w.step)
	} else {
		err = p.raw.Write(w.step)
	}
	w.attempt = nil
	if w.armed {
		s.disarm(w)
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
