// The trace helpers: recording a socket's system calls while a command runs,
// and writing the Python expressions (fds, ports) the Python trace shows.
package commands

import (
	"net/netip"
	"slices"
	"strconv"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// traceSock records the socket's system calls into the call while the
// command runs, when they will be shown (explain on, or json).
func traceSock(c *shell.Call, socks ...*bsd.Socket) func() {
	if !tracing(c) {
		return func() {}
	}
	// Only here does socks live on in a closure: traced, it is copied, so
	// that an untraced call's socks stay on the caller's stack.
	return traceSocks(c, slices.Clone(socks))
}

func traceSocks(c *shell.Call, socks []*bsd.Socket) func() {
	tr := bsd.NewTrace()
	for _, s := range socks {
		s.SetTrace(tr)
	}
	return func() {
		for _, s := range socks {
			s.SetTrace(nil)
		}
		c.Syscalls(tr.Lines()...)
	}
}

func tracing(c *shell.Call) bool {
	return c.Session.Settings.Explain || c.Session.Settings.Format == "json"
}

func newTrace(c *shell.Call) *bsd.Trace {
	if tracing(c) {
		return bsd.NewTrace()
	}
	return nil
}

// pyFD writes a descriptor for Python: s2.fileno() when it is a session
// socket's (the number itself would name another file in a Python process),
// else the number.
func pyFD(c *shell.Call, fd int) string {
	for _, r := range c.Session.Resources() {
		if so, ok := r.Resource.(*bsd.Socket); ok && so.FD() == fd {
			return r.Name + ".fileno()"
		}
	}
	return strconv.Itoa(fd)
}

// pyPort writes the port of an address a command sends to or connects to.
// When a session socket is bound there (a listener of this session, a UDP
// socket), it is that socket's port, and Python must ask its own socket for
// it: s4.getsockname()[1], since the number is the shell's socket's, which
// Python's code cannot reach.
func pyPort(c *shell.Call, ip netip.Addr, port int) string {
	for _, r := range c.Session.Resources() {
		so, ok := r.Resource.(*bsd.Socket)
		if !ok {
			continue
		}
		la, err := so.SockName()
		if err != nil || int(la.Port()) != port || port == 0 {
			continue
		}
		if so.Type() == unix.SOCK_STREAM && so.State() != "LISTEN" {
			continue
		}
		if a := la.Addr().Unmap(); a == ip.Unmap() || a.IsUnspecified() {
			return r.Name + ".getsockname()[1]"
		}
	}
	return strconv.Itoa(port)
}

// pyPeerPort is pyPort for a socket that connected: the address it just
// connected to (the one Connect stored; no getpeername, which would answer
// the same for a socket that has just connected).
func pyPeerPort(c *shell.Call, s *bsd.Socket, port int) string {
	if pa, ok := s.ConnectedPeer(); ok {
		return pyPort(c, pa.Addr(), port)
	}
	return strconv.Itoa(port)
}
