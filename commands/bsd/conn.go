// This file holds the calls that set up and take down connections: connect,
// bind, listen, accept, shutdown, and the local and peer names.

package bsd

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Connect connects the socket to ip:port, like Python's s.connect((ip, port)).
// A TCP connect is started non-blocking (EINPROGRESS), then waits for
// writability and reads SO_ERROR. On timeout or cancel the connection
// attempt goes on in the kernel; calling Connect again resumes the wait.
func (s *Socket) Connect(ctx context.Context, ip netip.Addr, port int) error {
	sa, err := toSockaddr(s.family, ip, port)
	if err != nil {
		err = opError("connect", addrString(ip, port), err)
		s.reportConnect(ip, port, err)
		return err
	}
	tr := s.tr()
	s.beforeOutbound(ip, port)
	s.connRTT.Store(0)
	err = s.control(func(fd int) error { return sysConnect(tr, fd, sa) })
	if err == unix.EINPROGRESS || err == unix.EALREADY || err == unix.EINTR {
		if t, bounded := s.Timeout(); bounded && t == 0 {
			return opError("connect", addrString(ip, port), err)
		}
		if s.establishedNow(ctx, tr) {
			err = nil
		} else {
			err = s.awaitConnect(ctx)
		}
	}
	if err == nil || err == unix.EISCONN && s.sotype == unix.SOCK_STREAM && s.connectedTo(sa) {
		s.peer.Store(int32(PeerOpen))
		s.peerTold.Store(int32(PeerOpen))
		s.conned.Store(true)
		s.fixLocal()
		peer := netip.AddrPortFrom(ip.Unmap(), uint16(port))
		s.connPeer.Store(&peer)
		s.reportConnect(ip, port, nil)
		return nil
	}
	s.notePeer(err)
	err = opError("connect", addrString(ip, port), err)
	s.reportConnect(ip, port, err)
	return err
}

// establishedNow asks the kernel once, without waiting, whether a TCP
// connect in progress has ended with a connection: TCP_INFO's state is
// neither SYN_SENT (under way) nor CLOSE (failed, or never started), which
// is exactly when getpeername answers (inet_getname, net/ipv4/af_inet.c;
// inet6_getname likewise). A loopback connect has got that far by the time
// connect(2) returns EINPROGRESS: the kernel ran the handshake before
// returning. The same read gives the kernel's RTT estimate, kept for
// HandshakeRTT, so the `rtt` phase needs no second read. false leaves it to
// awaitConnect: it waits (SYN_SENT) or reads SO_ERROR (CLOSE). Not for a
// traced connect (explain lists the SO_ERROR read of awaitConnect), nor
// once ctx is cancelled (the wait reports the cancel first, as before).
func (s *Socket) establishedNow(ctx context.Context, tr *Trace) bool {
	if tr != nil || s.shared || ctx.Err() != nil || s.sotype != unix.SOCK_STREAM || s.proto != unix.IPPROTO_TCP {
		return false
	}
	var info unix.TCPInfo
	var err error
	if s.rawControl(func(fd uintptr) { err = tcpInfo(int(fd), &info) }) != nil || err != nil {
		return false
	}
	switch info.State {
	case tcpSynSent, tcpClose:
		return false
	}
	if info.Rtt > 0 {
		s.connRTT.Store(int64(time.Duration(info.Rtt) * time.Microsecond))
	}
	return true
}

// The kernel's TCP states establishedNow tells apart (include/net/tcp_states.h).
const (
	tcpSynSent = 2
	tcpClose   = 7
)

// awaitConnect waits for a connect in progress to end and returns its result.
func (s *Socket) awaitConnect(ctx context.Context) error {
	tr := s.tr()
	var result error
	// The poller forgets readiness seen before the wait starts, and the
	// socket looked writable before connect was called: so ask the kernel
	// first, and after every wake-up, whether the connect has ended.
	err := s.await(ctx, writable, nil, func(fd int) bool {
		// Untraced, a peer name is the whole answer: the connect has ended
		// and succeeded (one call where SO_ERROR and getpeername are two).
		// Traced, or when there is no peer yet, SO_ERROR says how it ended.
		if tr == nil {
			if _, perr := sysName(nil, fd, true); perr == nil {
				return true
			}
		}
		soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			recordGetsockoptInt(tr, fd, unix.SOL_SOCKET, "SO_ERROR", soerr, err)
			result = err
			return true
		}
		switch e := unix.Errno(soerr); e {
		case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
			return false
		case 0:
			if _, perr := sysName(nil, fd, true); perr != nil {
				return false // woken before the handshake ended
			}
		default:
			result = e
		}
		recordGetsockoptInt(tr, fd, unix.SOL_SOCKET, "SO_ERROR", soerr, nil)
		return true
	})
	if err != nil {
		return err
	}
	return result
}

// connectedTo reports whether the socket's peer is sa already.
func (s *Socket) connectedTo(sa unix.Sockaddr) bool {
	var peer unix.Sockaddr
	s.control(func(fd int) error {
		var err error
		peer, err = unix.Getpeername(fd)
		return err
	})
	return peer != nil && fromSockaddr(peer).AddrPort == fromSockaddr(sa).AddrPort
}

// Bind binds the socket to ip:port; an invalid (zero) ip means any address.
func (s *Socket) Bind(ip netip.Addr, port int) error {
	addr := addrString(ip, port)
	sa, err := toSockaddr(s.family, ip, port)
	if err != nil {
		return opError("bind", addr, err)
	}
	tr := s.tr()
	if err := s.control(func(fd int) error { return sysBind(tr, fd, sa) }); err != nil {
		return opError("bind", addr, err)
	}
	if s.report != nil {
		s.emit(Event{Kind: EventBound, Local: s.localAddr()})
	}
	return nil
}

// Listen marks a stream socket as accepting connections, with the given
// backlog (Python's default is min(SOMAXCONN, 128)).
func (s *Socket) Listen(backlog int) error {
	if backlog < 0 {
		backlog = 0
	}
	tr := s.tr()
	if err := s.control(func(fd int) error { return sysListen(tr, fd, backlog) }); err != nil {
		return opError("listen", "", err)
	}
	if s.report != nil {
		s.emit(Event{Kind: EventListening, Local: s.localAddr(), Backlog: backlog})
	}
	return nil
}

// Accept waits for a connection and returns it as a new Socket (with the
// listener's trace) and the peer's address.
func (s *Socket) Accept(ctx context.Context) (*Socket, netip.AddrPort, error) {
	tr := s.tr()
	var nfd int
	var sa unix.Sockaddr
	var callErr error
	err := s.await(ctx, readable, nil, func(fd int) bool {
		nfd, sa, callErr = sysAccept(tr, fd)
		return callErr != unix.EAGAIN && callErr != unix.EINTR
	})
	if err == nil {
		err = callErr
	}
	if err != nil {
		return nil, netip.AddrPort{}, opError("accept", "", err)
	}
	c, err := newSocket(nfd, s.family, s.sotype, s.proto, tr)
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	c.conned.Store(true)
	c.fixLocal()
	c.report, c.outbound = s.report, s.outbound
	peer := fromSockaddr(sa).AddrPort
	c.connPeer.Store(&peer)
	if s.report != nil {
		s.emit(Event{Kind: EventAccepted, Conn: c, Peer: peer, Local: c.localAddr()})
	}
	return c, peer, nil
}

// Shutdown shuts down one or both halves of the connection: how is "rd",
// "wr" or "rdwr" (also "SHUT_RD", "SHUT_WR", "SHUT_RDWR", "0", "1", "2").
func (s *Socket) Shutdown(how string) error {
	var h int
	var name string
	switch strings.ToLower(strings.TrimPrefix(strings.ToUpper(how), "SHUT_")) {
	case "rd", "0":
		h, name = unix.SHUT_RD, "SHUT_RD"
	case "wr", "1":
		h, name = unix.SHUT_WR, "SHUT_WR"
	case "rdwr", "2":
		h, name = unix.SHUT_RDWR, "SHUT_RDWR"
	default:
		return &Error{Op: "shutdown", Class: "ValueError", Msg: "how must be rd, wr or rdwr, not " + how}
	}
	tr := s.tr()
	err := s.control(func(fd int) error { return sysShutdown(tr, fd, h, name) })
	if err == nil && h != unix.SHUT_RD {
		s.shutWr.Store(true)
	}
	if err == nil && h != unix.SHUT_WR {
		s.shutRd.Store(true)
	}
	if err != nil {
		return opError("shutdown", "", err)
	}
	s.emit(Event{Kind: EventShutdown, How: name})
	return nil
}

// SockName returns the socket's local address (getsockname).
func (s *Socket) SockName() (SockAddr, error) { return s.name("getsockname", false) }

// PeerName returns the connected peer's address (getpeername); ENOTCONN
// when the socket is not connected.
func (s *Socket) PeerName() (SockAddr, error) { return s.name("getpeername", true) }

func (s *Socket) name(op string, peer bool) (SockAddr, error) {
	tr := s.tr()
	// A connected TCP socket's own address is fixed: asked once, unless
	// explain shows the system calls (then each is made, as Python's).
	fixed := !peer && tr == nil && s.localFixed.Load()
	if fixed && !s.closed.Load() {
		if sa := s.local.Load(); sa != nil {
			return *sa, nil
		}
	}
	var sa SockAddr
	err := s.control(func(fd int) error {
		var err error
		sa, err = sysName(tr, fd, peer)
		return err
	})
	if err != nil {
		return SockAddr{}, opError(op, "", err)
	}
	if fixed {
		s.local.Store(&sa)
	}
	return sa, nil
}

// fixLocal marks a TCP socket that just connected (or was accepted): its
// own address no longer changes.
func (s *Socket) fixLocal() {
	if s.sotype == unix.SOCK_STREAM && s.proto == unix.IPPROTO_TCP && (s.family == unix.AF_INET || s.family == unix.AF_INET6) {
		s.localFixed.Store(true)
	}
}

// addrString spells ip:port for messages: 127.0.0.1:8080, [::1]:8080.
func addrString(ip netip.Addr, port int) string {
	if port < 0 || port > 65535 {
		return ip.String()
	}
	return netip.AddrPortFrom(ip, uint16(port)).String()
}
