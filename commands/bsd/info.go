// This file holds Info, a snapshot of a socket for listings such as the
// shell's `sockets` table, read without tracing.

package bsd

import "time"

// Info is a snapshot of a socket.
type Info struct {
	FD             int // -1 once closed
	Family, Type   int
	Proto          int
	State          string   // as State returns it
	Local, Remote  SockAddr // zero when unknown (unbound, unconnected, closed)
	HasLocal       bool
	HasRemote      bool
	Sent, Received int64
	Timeout        time.Duration
	HasTimeout     bool // false: no timeout (None)
	Peer           PeerStatus
}

// Info returns a snapshot of the socket. It makes getsockname and
// getpeername calls but records none of them in the trace.
func (s *Socket) Info() Info {
	in := Info{FD: s.FD(), Family: s.family, Type: s.sotype, Proto: s.proto, State: s.State(),
		Sent: s.Sent(), Received: s.Received(), Peer: s.PeerStatus()}
	in.Timeout, in.HasTimeout = s.Timeout()
	s.control(func(fd int) error {
		if sa, err := sysName(nil, fd, false); err == nil {
			in.Local, in.HasLocal = sa, sa.Port() != 0 || !sa.Addr().IsUnspecified() || sa.Path != ""
		}
		if sa, err := sysName(nil, fd, true); err == nil {
			in.Remote, in.HasRemote = sa, true
		}
		return nil
	})
	return in
}
