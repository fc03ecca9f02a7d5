// Which connections the server takes: the caps (in all, and per client
// address), the answer to one over them, and which accept errors pass.

package gopher

import (
	"errors"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// busyReply is the whole answer to a connection over the cap;
// peerBusyReply to one over the cap of its address.
var (
	busyReply     = []byte(Item{Type: '3', Display: "server busy, try again later", Host: "error.host", Port: 1}.Line() + ".\r\n")
	peerBusyReply = []byte(Item{Type: '3', Display: "too many connections from your address, try again later", Host: "error.host", Port: 1}.Line() + ".\r\n")
)

// track registers a new connection from peer; it reports false when the
// server is closed (closed true) or peer holds MaxPerPeer already.
func (s *Server) track(c net.Conn, peer netip.Addr) (ok, closed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, true
	}
	if s.opts.MaxPerPeer > 0 && peer.IsValid() && s.peers[peer] >= s.opts.MaxPerPeer {
		return false, false
	}
	if peer.IsValid() {
		s.peers[peer]++
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true, false
}

// refuse answers a connection over the cap from the accepting goroutine,
// without waiting: it reads and drops whatever request has arrived (so
// that closing does not reset the connection under the reply), writes the
// busy error item if the socket takes it at once, and closes it.
func (s *Server) refuse(c net.Conn, drain, reply []byte) {
	s.refused.Add(1)
	defer c.Close()
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		for range 2 {
			if n, _, err := unix.Recvfrom(int(fd), drain, unix.MSG_DONTWAIT); n <= 0 || err != nil {
				break
			}
		}
		unix.Sendto(int(fd), reply, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, nil)
	})
}

// passingAcceptError reports whether accept may work again later: the
// process or system is out of descriptors or memory, or the connection
// went before it was accepted (accept(2) lists the network errors to treat
// like EAGAIN).
func passingAcceptError(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	switch errno {
	case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM, unix.EAGAIN, unix.EINTR,
		unix.ECONNABORTED, unix.EPROTO, unix.EPERM, unix.ETIMEDOUT, unix.ENETDOWN, unix.ENOPROTOOPT,
		unix.EHOSTDOWN, unix.ENONET, unix.EHOSTUNREACH, unix.EOPNOTSUPP, unix.ENETUNREACH:
		return true
	}
	return false
}
