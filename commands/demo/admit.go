// Which connections a server takes: the caps (in all, and per client
// address), the refusal of one over them, and which accept errors pass.

package demo

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// track registers a new connection, or closes it when the server is
// stopping or full.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		c.Close()
		return false
	}
	peer := addrPort(c.RemoteAddr()).Addr()
	full := len(s.conns) >= s.opts.MaxConns
	if full || (s.opts.MaxPerPeer > 0 && peer.IsValid() && s.peers[peer] >= s.opts.MaxPerPeer) {
		s.refused.Add(1)
		refuse(c)
		ev := Event{Kind: Refused, Peer: addrPort(c.RemoteAddr()), PeerPath: peerPath(c), MaxConns: s.opts.MaxConns}
		if !full {
			ev.PerPeer = s.opts.MaxPerPeer
		}
		s.report(ev)
		return false
	}
	if peer.IsValid() {
		s.peers[peer]++
	}
	s.conns[c] = struct{}{}
	s.connections.Add(1)
	s.active.Add(1)
	return true
}

// sleep waits d, or until Stop; it reports whether Stop came.
func (s *Server) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.quit:
		return true
	case <-t.C:
		return false
	}
}

// passingAcceptError reports whether accept may work again later: the
// process or system is out of descriptors or memory, or the connection
// went before it was accepted (accept(2) lists the network errors to treat
// like EAGAIN). Any other error (EINVAL: the socket no longer listens)
// is for good.
func passingAcceptError(err error) bool {
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

// refuse closes a connection over the cap without a byte sent: the client
// reads end of file. What the client sent already is read and dropped
// first (without waiting), so that the close is a FIN, not the reset
// with which the kernel throws away data nobody read.
func refuse(c net.Conn) {
	defer c.Close()
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok { // TLS: the socket under it
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
	})
}
