// Package admit is what the shell's servers (the demo servers, serve
// gopher, the classroom page) share at their door: which accept errors
// pass, and a refusal that ends in a FIN, not a reset.
package admit

import (
	"errors"
	"net"
	"syscall"
)

// PassingAcceptError reports whether accept may work again later: the
// process or system is out of descriptors or memory, or the connection
// went before it was accepted (accept(2) lists the network errors to treat
// like EAGAIN). Any other error (EINVAL: the socket no longer listens) is
// for good.
func PassingAcceptError(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	switch errno {
	case syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.EAGAIN, syscall.EINTR,
		syscall.ECONNABORTED, syscall.EPROTO, syscall.EPERM, syscall.ETIMEDOUT, syscall.ENETDOWN, syscall.ENOPROTOOPT,
		syscall.EHOSTDOWN, syscall.ENONET, syscall.EHOSTUNREACH, syscall.EOPNOTSUPP, syscall.ENETUNREACH:
		return true
	}
	return false
}

// Refuse answers a connection over a cap without waiting, from the
// accepting goroutine: it reads and drops what the client has sent already
// (at most 64 KiB; the kernel resets a connection closed with unread data,
// and the client would lose the reply), writes reply if the socket takes it
// at once (nil: nothing), and closes. A TLS connection is refused on the
// socket under it, before any handshake.
func Refuse(c net.Conn, reply []byte) {
	defer c.Close()
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	var buf [4096]byte
	rc.Control(func(fd uintptr) {
		for range 16 {
			if n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_DONTWAIT); n <= 0 || err != nil {
				break
			}
		}
		if len(reply) > 0 {
			syscall.Sendto(int(fd), reply, syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, nil)
		}
	})
}
