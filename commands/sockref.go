// Socket references: finding a session socket by name (and saying once what
// its peer did since), and the names of closed sockets. The SOCK kind that
// completes and looks names up is sockArg, in argkinds.go.
package commands

import (
	"fmt"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// lookupSock finds a registered socket and reports, once, a peer that has
// closed or reset the connection since the last command.
func lookupSock(c *shell.Call, name string) (*bsd.Socket, string, error) {
	r, ok := c.Session.Resource(name)
	if !ok && wasClosed(c, name) {
		return nil, name, shell.ErrnoError(unix.EBADF, name+" was closed; make a new socket with: socket tcp")
	}
	if !ok {
		msg := fmt.Sprintf("name '%s' is not defined", name)
		if names := c.Session.ResourceNames(isSocket); len(names) > 0 {
			msg += "; sockets: " + strings.Join(names, ", ")
		} else {
			msg += "; make one with: socket tcp"
		}
		return nil, name, shell.Errorf("NameError", "%s", msg)
	}
	s, ok := r.(*bsd.Socket)
	if !ok {
		return nil, name, shell.Errorf("TypeError", "%s is not a socket", name)
	}
	notePeer(c, name, s)
	return s, name, nil
}

// notePeer says, once, that the socket's peer closed or reset the connection.
func notePeer(c *shell.Call, name string, s *bsd.Socket) {
	if st, fresh := peerNews(c, name, s); fresh {
		if st == bsd.PeerClosed {
			c.Note("%s: %s", name, s.PeerClosedText())
			return
		}
		c.Note("%s: %s", name, st)
	}
}

// peerNews reports the peer's status and whether it is news to the user,
// remembering that it is no longer news. A command whose own error says
// what happened calls it only to remember.
func peerNews(c *shell.Call, name string, s *bsd.Socket) (st bsd.PeerStatus, fresh bool) {
	st = s.PeerStatus()
	sockMemory.With(c.Session, func(m *sockNotes) {
		if st != bsd.PeerOpen && m.peer[name] != st {
			m.peer[name], fresh = st, true
		}
	})
	return st, fresh
}

// sockNotes is what the socket commands remember in a session.
type sockNotes struct {
	// closed are the socket names closed in this session, so that a
	// command on one says it was closed rather than never made.
	closed closedNames
	peer   map[string]bsd.PeerStatus // the peer's status last told, per socket
	shutRd map[string]bool           // sockets whose own SHUT_RD was told as the reason for b''
}

var sockMemory = shell.NewStateKey("sockets", func() sockNotes {
	return sockNotes{peer: map[string]bsd.PeerStatus{}, shutRd: map[string]bool{}}
})

// wasClosed reports whether a socket of that name was closed in this session.
func wasClosed(c *shell.Call, name string) (closed bool) {
	sockMemory.With(c.Session, func(m *sockNotes) { closed = m.closed.has(name) })
	return closed
}

// markClosed remembers that the socket of that name was closed, and
// forgets what was told of its peer and its shutdown (a name is never
// given twice in a session).
func markClosed(c *shell.Call, name string) {
	sockMemory.With(c.Session, func(m *sockNotes) {
		m.closed.add(name)
		delete(m.peer, name)
		delete(m.shutRd, name)
	})
}

// closedFirst is up to n of the names closed in this session, in the
// order the sockets were made (s2 before s10), and how many were closed.
func closedFirst(c *shell.Call, n int) (names []string, total int) {
	sockMemory.With(c.Session, func(m *sockNotes) { names, total = m.closed.first(n), m.closed.count() })
	return names, total
}

func isSocket(r shell.Resource) bool { _, ok := r.(*bsd.Socket); return ok }

// eofWhy says why a recv on a stream socket returned b”: the peer's FIN,
// or this side's own shutdown of its reading half.
func eofWhy(name string, s *bsd.Socket) string {
	if rd, _ := s.ShutDown(); rd && s.PeerStatus() != bsd.PeerClosed {
		return fmt.Sprintf("recv returned b'' because %s shut down its own reading half (shutdown rd); the peer did nothing and was told nothing. "+
			"On Linux what the peer still sends is queued, and a later recv returns it", name)
	}
	switch s.PeerStatus() {
	case bsd.PeerClosed:
		return s.PeerClosedText()
	case bsd.PeerReset:
		return "the peer reset the connection earlier; recv now returns b''"
	}
	return "recv returned b'': end of file"
}

// noteEOF says, once per socket and reason, why a recv returned b”.
func noteEOF(c *shell.Call, name string, s *bsd.Socket) {
	if rd, _ := s.ShutDown(); rd && s.PeerStatus() != bsd.PeerClosed {
		fresh := false
		sockMemory.With(c.Session, func(m *sockNotes) {
			fresh = !m.shutRd[name]
			m.shutRd[name] = true
		})
		if fresh {
			c.Note("%s: %s", name, eofWhy(name, s))
		}
		return
	}
	notePeer(c, name, s)
}
