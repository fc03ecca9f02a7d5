// This file holds Glance: what the kernel says about a socket without
// reading from it, for the watcher that prints notices at the prompt.

package bsd

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// Glance is a socket's state as the kernel reports it at one moment. It is
// taken without consuming anything: recv returns afterwards exactly the
// bytes it would have returned before.
type Glance struct {
	TCP      bool
	Stream   bool   // a byte stream (TCP, or SOCK_STREAM over AF_UNIX): bytes waiting, not datagrams
	State    string // TCP_INFO's state name for TCP ("ESTABLISHED", "CLOSE_WAIT", "LISTEN", …); "" otherwise
	Readable bool   // poll says POLLIN
	// FIN: the peer's FIN has arrived. poll's POLLRDHUP alone does not
	// say so (this side's shutdown(SHUT_RD) sets it too), so the TCP
	// state must agree: CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT or CLOSE.
	FIN     bool
	Error   bool // poll says POLLERR: an error is pending (the next call raises it)
	Waiting int  // bytes waiting to be received (SIOCINQ); for UDP the size of the first datagram
	Pending int  // for a TCP listener: connections waiting in the accept queue
	From    netip.AddrPort
	HasFrom bool   // From is the source of the first datagram waiting (UDP)
	Path    string // the source of the first datagram waiting over AF_UNIX, when it is bound to one
}

// Glance takes the socket's Glance; ok is false once the socket is closed.
func (s *Socket) Glance() (g Glance, ok bool) {
	err := s.control(func(fd int) error {
		g = glanceFD(fd, s.sotype == unix.SOCK_STREAM && s.proto == unix.IPPROTO_TCP, s.sotype == unix.SOCK_STREAM, s.shutRd.Load())
		return nil
	})
	return g, err == nil
}

func glanceFD(fd int, tcp, stream, shutRd bool) Glance {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN | unix.POLLRDHUP}}
	// Timeout 0: poll only looks; it never waits and never reads.
	var r int16
	if n, err := unix.Poll(pfd, 0); err == nil && n == 1 {
		r = pfd[0].Revents
	}
	return glanceFrom(fd, tcp, stream, shutRd, r)
}

// glanceFrom is the Glance of a socket whose poll answered r (its revents
// for POLLIN and POLLRDHUP; POLLERR and POLLHUP always come).
func glanceFrom(fd int, tcp, stream, shutRd bool, r int16) Glance {
	g := Glance{TCP: tcp, Stream: stream}
	g.Readable = r&unix.POLLIN != 0
	g.FIN = r&unix.POLLRDHUP != 0 // confirmed by the TCP state below
	g.Error = r&unix.POLLERR != 0
	if !tcp {
		// A datagram socket has no end of stream. A Unix stream's
		// POLLRDHUP is the peer's close or shutdown(SHUT_WR), or this
		// side's shutdown(SHUT_RD): only the first is the peer's doing.
		g.FIN = g.FIN && stream && !shutRd
	} else {
		var info unix.TCPInfo
		if err := tcpInfo(fd, &info); err == nil {
			g.State = tcpStateName(info.State)
			g.FIN = g.FIN && peerFINArrived(fd)
			if info.State == 10 { // LISTEN: tcpi_unacked holds the accept queue's length
				g.Pending = int(info.Unacked)
				return g
			}
		} else {
			g.FIN = false
		}
	}
	if !g.Readable {
		return g
	}
	if n, err := unix.IoctlGetInt(fd, unix.SIOCINQ); err == nil {
		g.Waiting = n
	}
	if !stream {
		// MSG_PEEK reads without consuming: the datagram stays in the
		// kernel's queue, and the next recvfrom returns the same bytes
		// from the same address. A 1-byte buffer is enough to learn the
		// source; MSG_DONTWAIT keeps it from ever blocking.
		var b [1]byte
		if _, from, err := unix.Recvfrom(fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT); err == nil && from != nil {
			if ap, ok := sockaddrAddrPort(from); ok {
				g.From, g.HasFrom = ap, true
			} else if u, ok := from.(*unix.SockaddrUnix); ok && u.Name != "" {
				g.Path = u.Name
			}
		}
	}
	return g
}

func sockaddrAddrPort(sa unix.Sockaddr) (netip.AddrPort, bool) {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)), true
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port)), true
	}
	return netip.AddrPort{}, false
}

// TCPStateName spells a kernel TCP state number as TCP_INFO's names do.
func TCPStateName(st uint8) string { return tcpStateName(st) }

// LocalEnd is the socket's own address (getsockname), without tracing;
// ok is false when it has none yet (port 0).
func (s *Socket) LocalEnd() (local netip.AddrPort, ok bool) {
	s.control(func(fd int) error {
		if la, err := unix.Getsockname(fd); err == nil {
			local, ok = sockaddrAddrPort(la)
		}
		return nil
	})
	return local, ok && local.Port() != 0
}

// ConnectedPeer is the address the socket was connected to (connect or
// accept), still known once getpeername fails (a TCP connection whose
// TCP_INFO reads CLOSE, in TIME_WAIT in the kernel's table).
func (s *Socket) ConnectedPeer() (netip.AddrPort, bool) {
	if p := s.connPeer.Load(); p != nil {
		return *p, true
	}
	return netip.AddrPort{}, false
}
