package bsd

import (
	"time"

	"golang.org/x/sys/unix"
)

// RTT is the kernel's smoothed round-trip time estimate for a TCP socket
// (TCP_INFO tcpi_rtt, kept in microseconds); false when the socket is not
// TCP or the kernel has no estimate yet (no segment acknowledged).
func (s *Socket) RTT() (time.Duration, bool) {
	if s.closed.Load() || s.sotype != unix.SOCK_STREAM || s.proto != unix.IPPROTO_TCP {
		return 0, false
	}
	var rtt time.Duration
	ok := false
	s.rawControl(func(fd uintptr) {
		var info unix.TCPInfo
		if err := tcpInfo(int(fd), &info); err == nil && info.Rtt > 0 {
			rtt, ok = time.Duration(info.Rtt)*time.Microsecond, true
		}
	})
	return rtt, ok
}

// HandshakeRTT is RTT as the last Connect ended: the estimate the TCP_INFO
// read that saw the connection established gave (establishedNow, conn.go),
// or, when the connect ended another way (it waited for the handshake, or
// explain traced it), RTT read now. Read right after a connect, both are
// the estimate the handshake left: no segment in between was acknowledged.
func (s *Socket) HandshakeRTT() (time.Duration, bool) {
	if d := s.connRTT.Load(); d > 0 && !s.closed.Load() {
		return time.Duration(d), true
	}
	return s.RTT()
}

// InQueue is how many bytes wait in the socket's receive queue
// (SIOCINQ, as FIONREAD): for a datagram socket, the size of the next
// datagram. It reads nothing. false when the kernel does not say (a
// listening socket, a closed one).
func (s *Socket) InQueue() (int, bool) {
	if s.closed.Load() {
		return 0, false
	}
	n, ok := 0, false
	s.rawControl(func(fd uintptr) {
		v, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ)
		if err == nil {
			n, ok = v, true
		}
	})
	return n, ok
}

// Waiting is what waits on the socket without reading it: for a listening
// TCP socket the connections in its accept queue (TCP_INFO tcpi_unacked,
// which the kernel uses for the accept queue's length on a listener), for
// any other the bytes in its receive queue (SIOCINQ). 0 when the kernel
// does not say.
func (s *Socket) Waiting() int {
	if s.closed.Load() {
		return 0
	}
	n := 0
	s.rawControl(func(fd uintptr) {
		if s.sotype == unix.SOCK_STREAM && s.proto == unix.IPPROTO_TCP {
			info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
			if err == nil && info.State == 10 { // TCP_LISTEN
				n = int(info.Unacked)
				return
			}
		}
		if v, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ); err == nil {
			n = v
		}
	})
	return n
}
