// This file holds Error, the layer's error type, and its hints for
// learners; its Python class comes from the one errno table, shell/pyerr.

package bsd

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/sockshell/sockshell/shell/pyerr"
	"golang.org/x/sys/unix"
)

// Error is a failed socket operation: what was done, to which address, and
// the cause (a syscall.Errno, os.ErrDeadlineExceeded for a timeout, or the
// context's error for a cancel). errors.As(err, *syscall.Errno) reaches the
// errno; errors.Is(err, context.Canceled) and errors.Is(err,
// os.ErrDeadlineExceeded) see a cancel and a timeout.
type Error struct {
	Op    string // "connect", "recv", …
	Addr  string // the address involved, "127.0.0.1:8080", or ""
	Err   error  // the cause
	Class string // a Python class overriding the errno's, e.g. "ValueError"
	Msg   string // a message overriding the cause's
	Why   string // a hint from what the socket knows, overriding the errno's
}

// whyError carries a hint the socket knows (its own shutdown, say) with a
// cause, until opError wraps both in an Error.
type whyError struct {
	err error
	why string
}

func (w *whyError) Error() string { return w.err.Error() }
func (w *whyError) Unwrap() error { return w.err }

// withWhy attaches to an EPIPE the reason this socket knows for it.
func (s *Socket) withWhy(err error) error {
	if e, ok := errnoOf(err); ok && e == unix.EPIPE {
		return &whyError{err, s.pipeWhy()}
	}
	return err
}

func (e *Error) Error() string {
	what := e.Op
	if e.Addr != "" {
		what += " " + e.Addr
	}
	x := e.exception()
	if x.HasErrno {
		return fmt.Sprintf("%s: [Errno %d] %s", what, x.Errno, x.Msg)
	}
	if x.Msg == "" {
		x.Msg = "interrupted"
	}
	return what + ": " + x.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Python returns what Python's socket module raises (pyerr.Error), as the
// shell renders "ConnectionRefusedError: [Errno 111] Connection refused",
// with the hint for the learner.
func (e *Error) Python() pyerr.Exception {
	x := e.exception()
	x.Hint = e.Hint()
	return x
}

// exception is the class, errno and message, without the hint: the
// errno's OSError subclass (pyerr.Of), unless Class or Msg override them.
func (e *Error) exception() pyerr.Exception {
	if e.Class != "" {
		return pyerr.Exception{Class: e.Class, Msg: e.Msg}
	}
	x := pyerr.Of(e.Err)
	if e.Msg != "" {
		x.Msg = e.Msg
	}
	return x
}

// Hint returns one line explaining the error to a learner, or "".
func (e *Error) Hint() string {
	if e.Why != "" {
		return e.Why
	}
	if errors.Is(e.Err, os.ErrDeadlineExceeded) {
		return "the operation did not finish within the socket's timeout (settimeout)"
	}
	errno, ok := errnoOf(e.Err)
	if !ok {
		return ""
	}
	switch errno {
	case unix.ECONNREFUSED:
		if e.Addr != "" {
			return "nothing is listening on " + e.Addr
		}
		switch e.Op {
		case "send", "sendall", "recv", "recvfrom":
			// Only a connected datagram socket hears of it here: the
			// kernel keeps the ICMP error and hands it to the next call.
			return "an earlier datagram to the peer came back as ICMP port unreachable (no socket is bound to its port, or a firewall rejects it); the kernel reports that on the connected socket's next call"
		}
		return "nothing is listening on that address"
	case unix.EADDRINUSE:
		// SO_REUSEADDR is no cure for a socket that listens there: Linux
		// refuses the bind all the same.
		return "another socket holds that address: pick another port (0: any free one); SO_REUSEADDR lets bind take an address a closed connection left in TIME_WAIT (on Linux only when that connection's socket had SO_REUSEADDR set too: a server's accepted sockets have it when its listener had it), never one a listening socket holds"
	case unix.EADDRNOTAVAIL:
		return "that address does not belong to this host"
	case unix.ENOTCONN:
		return "the socket is not connected: connect it first"
	case unix.EISCONN:
		return "the socket is already connected"
	case unix.ECONNRESET:
		return "the peer reset the connection"
	case unix.EPIPE:
		return "nothing more can be written: the connection is shut down or closed by the peer, or was never made"
	case unix.ETIMEDOUT:
		return "the peer did not answer in time (the kernel gave up)"
	case unix.EHOSTUNREACH, unix.ENETUNREACH:
		return "there is no route to that address"
	case unix.EINVAL:
		switch e.Op {
		case "accept":
			return "the socket is not listening: call listen first"
		case "bind":
			return "the socket is already bound"
		case "recv", "recvfrom", "recv_fds":
			return "a Unix stream socket that is not connected gives this: connect it (or accept a connection) first"
		}
	case unix.EBADF:
		if e.Op == "fromfd" {
			return "no such file descriptor is open in this process"
		}
		return "the socket is closed"
	case unix.EACCES:
		if e.Op == "bind" {
			if ap, err := netip.ParseAddrPort(e.Addr); err == nil {
				return PortPolicy(int(ap.Port())).Refused()
			}
			return "the kernel refused the bind: a privileged port, or a security policy"
		}
		if e.Op == "sendto" || e.Op == "connect" {
			return "sending to a broadcast address needs SO_BROADCAST"
		}
	case unix.ENOPROTOOPT:
		if e.Op == "setsockopt" {
			// SO_SNDLOWAT exists (getsockopt reads 1) and still gives this.
			return "the kernel does not let this option be set on this kind of socket: it does not apply here, or it can only be read (as SO_SNDLOWAT, fixed at 1 on Linux)"
		}
		return "this option does not exist for this kind of socket"
	case unix.EOPNOTSUPP:
		return "this kind of socket does not support that operation"
	case unix.EDESTADDRREQ:
		return "a datagram socket needs a destination: use sendto or connect first"
	case unix.EAFNOSUPPORT:
		return "the address does not match the socket's family (inet or inet6)"
	case unix.EAGAIN:
		return "the socket is non-blocking (timeout 0) and the call would block"
	case unix.EMFILE, unix.ENFILE:
		return pyerr.LimitHint(errno)
	}
	return ""
}

// opError wraps a cause with the operation's context; nil stays nil.
func opError(op, addr string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e.Op == op {
		return err
	}
	var w *whyError
	if errors.As(err, &w) {
		return &Error{Op: op, Addr: addr, Err: w.err, Why: w.why}
	}
	return &Error{Op: op, Addr: addr, Err: err}
}
