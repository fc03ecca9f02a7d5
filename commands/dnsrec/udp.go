// A UDP exchange over a blocking socket. A query is one datagram out and
// one back, so the socket lives for one send and one recv: through the
// net package it would be made non-blocking, registered with the runtime's
// netpoller (epoll_ctl), read once for EAGAIN, parked until epoll says the
// reply came, and taken out of epoll again. Here the recv waits in the
// kernel, which wakes it when the reply comes. The deadline and a cancel
// still end the wait at once: a timer set for the deadline, or the
// context's end (Ctrl-C), shuts the socket down (shutdown(2) wakes the
// recv, which returns 0). The timer is the runtime's own (time.AfterFunc),
// not a context made for the query: a context with a deadline costs a
// context, its timer and its place among its parent's children, and the
// timer alone is all the wait needs.

package dnsrec

import (
	"context"
	"net/netip"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// udpExchange sends packed to ap from a new connected UDP socket and
// reads one datagram into buf, by the deadline; step, unless nil, is told
// when the socket is connected (sent false) and when the query is sent.
// An error is a socket's (*os.SyscallError, with the errno) or, at the
// deadline or when ctx ended the wait, os.ErrDeadlineExceeded (a
// net.Error whose Timeout is true), as a net.Conn's read says it.
func udpExchange(ctx context.Context, deadline time.Time, ap netip.AddrPort, packed, buf []byte, step func(sent bool)) (int, error) {
	var sa unix.Sockaddr
	family := unix.AF_INET
	if a := ap.Addr().Unmap(); a.Is4() {
		sa = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}
	} else {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, os.NewSyscallError("socket", err)
	}
	// The deadline's timer and the context's end shut the socket down;
	// the descriptor is closed only once neither can any more (so another
	// file that reuses its number is never shut down).
	u := &udpSocket{fd: fd}
	timer := time.AfterFunc(time.Until(deadline), u.shutdown)
	stop := context.AfterFunc(ctx, u.shutdown)
	defer func() {
		stop()
		timer.Stop()
		u.close()
	}()
	// A guard only: the timer ends the wait at the deadline; this bounds
	// it, DefaultTimeout later, should the wake-up ever not come.
	tv := unix.NsecToTimeval(int64(time.Until(deadline) + DefaultTimeout))
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	if err := unix.Connect(fd, sa); err != nil {
		return 0, os.NewSyscallError("connect", err)
	}
	if step != nil {
		step(false)
	}
	if u.wasShut() {
		return 0, os.ErrDeadlineExceeded
	}
	if _, err := ignoringEINTR(func() (int, error) { return unix.Write(fd, packed) }); err != nil {
		if u.wasShut() {
			return 0, os.ErrDeadlineExceeded
		}
		return 0, os.NewSyscallError("write", err)
	}
	if step != nil {
		step(true)
	}
	n, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, buf) })
	switch {
	case n <= 0 && u.wasShut():
		return 0, os.ErrDeadlineExceeded // shut down by the deadline or the context's end
	case err == unix.EAGAIN:
		return 0, os.ErrDeadlineExceeded // the guard's SO_RCVTIMEO
	case err != nil:
		return 0, os.NewSyscallError("read", err)
	}
	return n, nil
}

// udpSocket is an exchange's socket, as the deadline's timer, the
// context's end and the exchange share it: one object for the descriptor
// and the lock that keeps a shutdown from reaching a closed number.
type udpSocket struct {
	mu     sync.Mutex
	fd     int
	shut   bool // shut down by the deadline or the context's end
	closed bool
}

// shutdown wakes the exchange's recv (it returns 0), unless the socket is
// closed already.
func (u *udpSocket) shutdown() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.closed {
		u.shut = true
		unix.Shutdown(u.fd, unix.SHUT_RDWR)
	}
}

// wasShut reports whether the deadline or the context's end shut the
// socket down.
func (u *udpSocket) wasShut() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.shut
}

// close closes the descriptor, once no shutdown can be under way.
func (u *udpSocket) close() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closed = true
	unix.Close(u.fd)
}

func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}
