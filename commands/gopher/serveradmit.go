// Which connections the server takes: the caps (in all, and per client
// address), the answer to one over them, and which accept errors pass.

package gopher

import (
	"net"
	"net/netip"

	"github.com/sockshell/sockshell/commands/admit"
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
// without waiting (admit.Refuse): the busy error item is written if the
// socket takes it at once.
func (s *Server) refuse(c net.Conn, reply []byte) {
	s.refused.Add(1)
	admit.Refuse(c, reply)
}
