// What a socket shows: its repr, its addresses as Python tuples, its own and
// its peer's name, and the table of the session's sockets.
package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/tlsx"
	"github.com/sockshell/sockshell/shell"
)

// sockRepr is the socket's repr, as Python 3 prints a socket object.
func sockRepr(name string, s *bsd.Socket) shell.Repr {
	if tlsOf(s) != nil {
		return sslRepr(name, s)
	}
	var b strings.Builder
	b.Grow(len(name) + 128) // an AF_INET socket's fits: one allocation
	// Written piece by piece, not with fmt: every connect shows it.
	b.WriteString(name)
	b.WriteString("  <socket fd=")
	b.WriteString(strconv.Itoa(s.FD()))
	b.WriteString(", family=")
	b.WriteString(bsd.FamilyName(s.Family()))
	b.WriteString(", type=")
	b.WriteString(bsd.TypeName(s.Type()))
	b.WriteString(", proto=")
	b.WriteString(strconv.Itoa(s.Proto()))
	// Python shows an address only when it is truthy: a Unix socket's
	// '' (unnamed) is left out.
	la, lerr := s.SockName()
	hasLocal := lerr == nil && !(la.Unix && la.Path == "")
	var tuple [80]byte // an address's text, on the stack
	if hasLocal {
		b.WriteString(", laddr=")
		b.Write(appendAddrRepr(tuple[:0], la))
	}
	ra, rerr := s.PeerName()
	hasPeer := rerr == nil && !(ra.Unix && ra.Path == "")
	if hasPeer {
		b.WriteString(", raddr=")
		b.Write(appendAddrRepr(tuple[:0], ra))
	}
	b.WriteString(">")
	// The JSON object is built only when shown (set format json), from
	// the same names as the text.
	fd, family, sotype, proto := s.FD(), s.Family(), s.Type(), s.Proto()
	obj := shell.Lazy(func() any {
		obj := map[string]any{"name": name, "fd": fd, "family": bsd.FamilyName(family), "type": bsd.TypeName(sotype), "proto": proto}
		if hasLocal {
			obj["laddr"] = addrValue(la)
		}
		if hasPeer {
			obj["raddr"] = addrValue(ra)
		}
		return obj
	})
	return shell.Repr{Text: b.String(), JSON: obj}
}

func runName(c *shell.Call, peer bool) (any, error) {
	s, name := sockAt(c, 0)
	defer traceSock(c, s)()
	var a bsd.SockAddr
	var err error
	if peer {
		c.Python("%s.getpeername()", name)
		a, err = s.PeerName()
	} else {
		c.Python("%s.getsockname()", name)
		a, err = s.SockName()
	}
	if err != nil {
		return nil, err
	}
	return addrValue(a), nil
}

// appendAddrRepr appends an address as a socket's repr shows it: a tuple,
// or a Unix address bare (laddr=/tmp/x.sock, laddr=b'\x00name').
func appendAddrRepr(dst []byte, a bsd.SockAddr) []byte {
	if a.Unix {
		return append(dst, unixReprText(a.Path)...)
	}
	return a.AppendTuple(dst)
}

// addrValue is a socket address as Python's value: a tuple; for a Unix
// socket a str path, or bytes for an abstract name.
func addrValue(a bsd.SockAddr) any {
	if a.Unix {
		return unixValue(a.Path)
	}
	if a.IPv6 {
		return shell.Tuple{a.Addr().String(), int(a.Port()), int64(a.FlowInfo), int64(a.ScopeID)}
	}
	return shell.Tuple{a.Addr().String(), int(a.Port())}
}

func runSockets(c *shell.Call) (any, error) {
	rows := &shell.Rows{Header: []string{"name", "fd", "family", "type", "state", "local", "remote", "sent", "received", "timeout"}}
	for _, r := range c.Session.Resources() {
		s, ok := r.Resource.(*bsd.Socket)
		if !ok {
			continue
		}
		// Addresses read as HOST:PORT in the table and are Python's
		// tuples in json; no address is None.
		var local, remote any
		sn := s.Snapshot() // the names and the state, in one visit to the fd
		if sn.LocalErr == nil {
			local = shell.Shown{Text: addrText(sn.Local), Value: addrValue(sn.Local)}
		}
		if sn.PeerErr == nil {
			remote = shell.Shown{Text: addrText(sn.Peer), Value: addrValue(sn.Peer)}
		}
		state, more := stateFromTable(s, sn.State), stateNotes(s)
		if state != sn.State {
			more = append(more, "as the kernel's table says; the fd's TCP_INFO reads "+sn.State)
		}
		if len(more) > 0 {
			state += " (" + strings.Join(more, "; ") + ")"
		}
		timeout := shell.Shown{Text: "none"} // seconds as a number in json, None for none
		if d, ok := s.Timeout(); ok {
			timeout = shell.Shown{Text: strconv.FormatFloat(d.Seconds(), 'g', -1, 64), Value: d.Seconds()}
		}
		rows.Append(r.Name, s.FD(), bsd.FamilyName(s.Family()), bsd.TypeName(s.Type()), state, local, remote, s.Sent(), s.Received(), timeout)
	}
	if len(rows.Rows) == 0 {
		if closed, total := closedFirst(c, 6); total > 0 {
			names := strings.Join(closed, ", ")
			if total > 6 {
				names = strings.Join(closed[:5], ", ") + fmt.Sprintf(" and %d more", total-5)
			}
			c.Note("no open sockets (%s closed: a closed socket leaves the table); make one with: socket tcp", names)
		} else {
			c.Note("no sockets yet; make one with: socket tcp")
		}
	}
	return rows, nil
}

// stateNotes says, beside the kernel's state, what each side did: this
// side's shutdown ("shutdown wr" here), the peer's FIN or reset as calls
// on the socket saw them.
func stateNotes(s *bsd.Socket) []string {
	var out []string
	if t := tlsOf(s); t != nil {
		out = append(out, tlsx.VersionName(t.State().Version))
	}
	switch rd, wr := s.ShutDown(); {
	case rd && wr:
		out = append(out, "shutdown rdwr here")
	case rd:
		out = append(out, "shutdown rd here")
	case wr:
		out = append(out, "shutdown wr here")
	}
	switch s.PeerStatus() {
	case bsd.PeerClosed:
		if isUnix(s) {
			out = append(out, "peer closed") // a Unix socket has no FIN
		} else {
			out = append(out, "peer sent FIN")
		}
	case bsd.PeerReset:
		out = append(out, "peer reset")
	}
	return out
}

func addrText(a bsd.SockAddr) string {
	if a.Unix {
		return unixText(a.Path)
	}
	if a.Addr().Is6() && !a.Addr().Is4In6() {
		return fmt.Sprintf("[%s]:%d", a.Addr(), a.Port())
	}
	return a.AddrPort.String()
}
