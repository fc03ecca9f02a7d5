package bsd

import "golang.org/x/sys/unix"

// Snapshot is what the sockets table shows of a socket from the kernel:
// both names and the state, as SockName, PeerName and State return them.
type Snapshot struct {
	Local, Peer       SockAddr
	LocalErr, PeerErr error
	State             string
}

// Snapshot asks the kernel for the socket's names and state in one visit
// to the descriptor, with one getpeername for both the peer's name and a
// datagram socket's state: what SockName, PeerName and State return, at
// two or three system calls a socket instead of four and three locks of
// the descriptor instead of one. The trace records what SockName and
// PeerName record.
func (s *Socket) Snapshot() Snapshot {
	if s.closed.Load() {
		return Snapshot{LocalErr: opError("getsockname", "", unix.EBADF), PeerErr: opError("getpeername", "", unix.EBADF), State: "closed"}
	}
	tr := s.tr()
	var sn Snapshot
	err := s.control(func(fd int) error {
		sn.Local, sn.LocalErr = sysName(tr, fd, false)
		sn.Peer, sn.PeerErr = sysName(tr, fd, true)
		sn.State = s.stateAt(fd, func() error { return sn.PeerErr })
		return nil
	})
	if err != nil {
		sn.LocalErr, sn.PeerErr, sn.State = err, err, "?"
	}
	if sn.LocalErr != nil {
		sn.LocalErr = opError("getsockname", "", sn.LocalErr)
	}
	if sn.PeerErr != nil {
		sn.PeerErr = opError("getpeername", "", sn.PeerErr)
	}
	return sn
}
