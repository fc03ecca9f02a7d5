// Which connections a server takes: the caps (in all, and per client
// address), the refusal of one over them, and which accept errors pass.

package demo

import (
	"net"
	"time"

	"github.com/sockshell/sockshell/commands/admit"
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
		admit.Refuse(c, nil)
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
