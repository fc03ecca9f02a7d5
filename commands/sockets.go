// The socket life cycle: socket, connect, bind, listen, accept, shutdown,
// close, sockname, peername, settimeout, fromfd and the sockets table. This
// file is the table and the runs of the life cycle; beside it: sockref.go
// (socket references and completers), dial.go (address resolution, connect,
// bind), sockinfo.go (repr, names, the sockets table), trace.go (the trace
// helpers).
package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

const groupSockets = "Sockets"

func socketCommands() []*shell.Command {
	return []*shell.Command{
		{
			Name: "socket", Group: groupSockets,
			Usage:   "socket [tcp|udp] [inet|inet6]",
			Summary: "Create a real, unconnected socket and name it s1, s2, ….",
			Help: "tcp (SOCK_STREAM) and inet (AF_INET, IPv4) are the defaults. The socket has a\n" +
				"real file descriptor at once, so getsockopt, setsockopt, bind and sockname work\n" +
				"before any connect. Its timeout starts as `set timeout` says.",
			Python:   "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
			Examples: []string{"socket tcp", "socket udp inet6"},
			MinArgs:  0, MaxArgs: 2,
			Complete: func(s *shell.Session, args []string) []string { return []string{"tcp", "udp", "inet", "inet6"} },
			Run:      runSocket,
		},
		{
			Name: "connect", Group: groupSockets,
			Usage:   "connect SOCK HOST PORT | connect HOST PORT",
			Summary: "Connect a socket to HOST:PORT; without SOCK, make a new connected socket.",
			Help: "With SOCK: s.connect((host, port)). Without: socket.create_connection((host, port)),\n" +
				"which tries every address HOST resolves to, IPv6 and IPv4, and keeps the first that\n" +
				"connects. PORT is a number or a service name. Bounded by the socket's timeout;\n" +
				"Ctrl-C cancels it.",
			Python:   "s.connect((host, port))",
			Examples: []string{"connect s1 127.0.0.1 8080", "connect localhost http"},
			MinArgs:  2, MaxArgs: 3,
			ArgKind: func(s *shell.Session, before []string) *shell.ArgKind {
				switch {
				case len(before) == 0:
					return sockOrHostArg
				case len(before) == 1 && isSocketName(s, before[0]):
					return hostArg
				}
				return nil
			},
			Run: runConnect,
		},
		{
			Name: "bind", Group: groupSockets,
			Usage:    "bind SOCK HOST PORT",
			Summary:  "Bind a socket to a local address and port (0: any free port).",
			Help:     "HOST '' or 0.0.0.0 (:: for inet6) means every local address.",
			Python:   "s.bind((host, port))",
			Examples: []string{"bind s1 127.0.0.1 0", "bind s1 '' 8080"},
			MinArgs:  3, MaxArgs: 3,
			Complete: completeSockThen([]string{"127.0.0.1", "0.0.0.0", "::1", "::"}),
			Run:      runBind,
		},
		{
			Name: "listen", Group: groupSockets,
			Usage:    "listen SOCK [BACKLOG]",
			Summary:  "Put a TCP socket in listening mode, queueing up to BACKLOG connections.",
			Help:     "Without BACKLOG, Python's default: min(SOMAXCONN, 128). A socket that is not bound gets a free port, as the kernel does.",
			Python:   "s.listen(backlog)",
			Examples: []string{"listen s1", "listen s1 5"},
			MinArgs:  1, MaxArgs: 2,
			Complete: completeSockThen(nil),
			Run:      runListen,
		},
		{
			Name: "accept", Group: groupSockets,
			Usage:    "accept SOCK",
			Summary:  "Wait for a connection on a listening socket; the new socket gets a name.",
			Help:     "Prints the new socket's name and the client's address. Bounded by the listening socket's timeout; Ctrl-C cancels the wait and the socket stays usable.",
			Python:   "conn, addr = s.accept()",
			Examples: []string{"accept s1"},
			MinArgs:  1, MaxArgs: 1,
			Complete: completeSockThen(nil),
			Run:      runAccept,
		},
		{
			Name: "shutdown", Group: groupSockets,
			Usage:   "shutdown SOCK rd|wr|rdwr",
			Summary: "Shut down one or both halves of a connection (wr: the peer sees end of file).",
			Help: "wr sends FIN: the peer's recv returns b'' once it has read everything, and this\n" +
				"socket's sends fail with BrokenPipeError. rd tells the peer nothing: on Linux this\n" +
				"socket's recv returns b'' at once while nothing is queued, and what the peer still\n" +
				"sends is queued and returned by a later recv. rdwr does both.",
			Python:   "s.shutdown(socket.SHUT_WR)",
			Examples: []string{"shutdown s1 wr"},
			MinArgs:  2, MaxArgs: 2,
			Complete: completeSockThen([]string{"rd", "wr", "rdwr"}),
			Run: func(c *shell.Call) (any, error) {
				s, name, err := lookupSock(c, c.Arg(0))
				if err != nil {
					return nil, err
				}
				how := strings.ToLower(c.Arg(1))
				if how != "rd" && how != "wr" && how != "rdwr" {
					return nil, c.UsageError(fmt.Sprintf("%q is not rd, wr or rdwr", c.Arg(1)))
				}
				c.Python("%s.shutdown(socket.SHUT_%s)", name, strings.ToUpper(how))
				defer traceSock(c, s)()
				return shell.None, s.Shutdown(how)
			},
		},
		{
			Name: "close", Group: groupSockets,
			Usage:    "close SOCK | close all",
			Summary:  "Close a socket (or every socket) and forget its name.",
			Python:   "s.close()",
			Examples: []string{"close s1", "close all"},
			MinArgs:  1, MaxArgs: -1,
			Complete: completeSocks,
			Run:      runClose,
		},
		{
			Name: "sockname", Group: groupSockets,
			Usage:    "sockname SOCK",
			Summary:  "The socket's own address and port.",
			Python:   "s.getsockname()",
			Examples: []string{"sockname s1"},
			MinArgs:  1, MaxArgs: 1,
			Complete: completeSockThen(nil),
			Run:      func(c *shell.Call) (any, error) { return runName(c, false) },
		},
		{
			Name: "peername", Group: groupSockets,
			Usage:    "peername SOCK",
			Summary:  "The address and port of the socket's peer.",
			Python:   "s.getpeername()",
			Examples: []string{"peername s1"},
			MinArgs:  1, MaxArgs: 1,
			Complete: completeSockThen(nil),
			Run:      func(c *shell.Call) (any, error) { return runName(c, true) },
		},
		{
			Name: "settimeout", Group: groupSockets,
			Usage:    "settimeout SOCK SECONDS|none",
			Summary:  "Bound each blocking call on the socket (none: wait until done or Ctrl-C; 0: non-blocking).",
			Python:   "s.settimeout(t)",
			Examples: []string{"settimeout s1 2.5", "settimeout s1 none"},
			MinArgs:  2, MaxArgs: 2,
			Complete: completeSockThen([]string{"none", "0", "1", "5"}),
			Run: func(c *shell.Call) (any, error) {
				s, name, err := lookupSock(c, c.Arg(0))
				if err != nil {
					return nil, err
				}
				d, none, err := shell.ParseSeconds(c.Arg(1))
				if err != nil {
					if e, ok := err.(*shell.Error); ok && e.Class != "UsageError" {
						f, _ := strconv.ParseFloat(c.Arg(1), 64)
						c.Python("%s.settimeout(%s)", name, shell.PyFloat(f)) // raises the same error
					}
					return nil, err
				}
				if none {
					c.Python("%s.settimeout(None)", name)
				} else {
					c.Python("%s.settimeout(%s)", name, shell.PyFloat(d.Seconds()))
				}
				return shell.None, s.SetTimeout(d, !none)
			},
		},
		{
			Name: "fromfd", Group: groupSockets,
			Usage:   "fromfd FD [tcp|udp] [inet|inet6]",
			Summary: "Make a socket from a duplicate of a file descriptor this process holds.",
			Help: "As Python's socket.fromfd: the descriptor is duplicated (dup(2)) and the new socket\n" +
				"gets a name. Family and type default to what the kernel says the descriptor is.\n" +
				"`sockets` shows the descriptors of the session's sockets.",
			Python:   "socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)",
			Examples: []string{"fromfd 5"},
			MinArgs:  1, MaxArgs: 3,
			Complete: func(s *shell.Session, args []string) []string {
				if len(args) == 0 {
					var fds []string
					for _, r := range s.Resources() {
						if so, ok := r.Resource.(*bsd.Socket); ok {
							fds = append(fds, strconv.Itoa(so.FD()))
						}
					}
					return fds
				}
				return []string{"tcp", "udp", "inet", "inet6"}
			},
			Run: runFromFD,
		},
		{
			Name: "sockets", Group: groupSockets,
			Usage:   "sockets",
			Summary: "Table of the session's sockets: fd, family, type, state, addresses, bytes, timeout.",
			Help: "State comes from the kernel for TCP (ESTABLISHED, LISTEN, CLOSE_WAIT, …). Beside it, in\n" +
				"brackets, what each side did: \"shutdown wr here\" (this side shut that half), \"peer sent FIN\"\n" +
				"(a recv returned b'' after the peer's FIN) or \"peer reset\" (a call failed with a reset).",
			Examples: []string{"sockets"},
			MinArgs:  0, MaxArgs: 0,
			Run: runSockets,
		},
	}
}

// sockSpec reads [tcp|udp] [inet|inet6] in any order.
func sockSpec(c *shell.Call, words []string) (family, sotype int, err error) {
	family, sotype = unix.AF_INET, unix.SOCK_STREAM
	var seenType, seenFamily bool
	for _, w := range words {
		switch strings.ToLower(w) {
		case "tcp", "stream", "udp", "dgram":
			if seenType {
				return 0, 0, c.UsageError("give one type: tcp or udp")
			}
			seenType, sotype = true, unix.SOCK_STREAM
			if l := strings.ToLower(w); l == "udp" || l == "dgram" {
				sotype = unix.SOCK_DGRAM
			}
		case "inet", "ipv4", "4", "inet6", "ipv6", "6":
			if seenFamily {
				return 0, 0, c.UsageError("give one family: inet or inet6")
			}
			seenFamily, family = true, unix.AF_INET
			if l := strings.ToLower(w); l == "inet6" || l == "ipv6" || l == "6" {
				family = unix.AF_INET6
			}
		default:
			return 0, 0, c.UsageError(fmt.Sprintf("%q is neither tcp, udp, inet nor inet6", w))
		}
	}
	return family, sotype, nil
}

func pySocketCall(family, sotype int) string {
	return fmt.Sprintf("socket.socket(socket.%s, socket.%s)", bsd.FamilyName(family), bsd.TypeName(sotype))
}

func newSock(c *shell.Call, family, sotype int, tr *bsd.Trace) (*bsd.Socket, error) {
	s, err := bsd.New(family, sotype, tr)
	if err != nil {
		return nil, err
	}
	d, ok := c.Session.Timeout()
	s.SetTimeout(d, ok)
	return s, nil
}

func runSocket(c *shell.Call) (any, error) {
	family, sotype, err := sockSpec(c, argList(c, 0))
	if err != nil {
		return nil, err
	}
	tr := newTrace(c)
	s, err := newSock(c, family, sotype, tr)
	if tr != nil {
		c.Syscalls(tr.Lines()...)
	}
	if err != nil {
		c.Python("%s", pySocketCall(family, sotype)) // raises the same; no name is bound
		return nil, err
	}
	s.SetTrace(nil)
	name := c.Session.Register("s", s)
	c.Python("%s = %s", name, pySocketCall(family, sotype))
	return sockRepr(name, s), nil
}

func argList(c *shell.Call, from int) []string {
	var out []string
	for i := from; i < c.NArg(); i++ {
		out = append(out, c.Arg(i))
	}
	return out
}

func runListen(c *shell.Call) (any, error) {
	s, name, err := lookupSock(c, c.Arg(0))
	if err != nil {
		return nil, err
	}
	backlog := min(unix.SOMAXCONN, 128)
	if c.NArg() == 2 {
		n, err := strconv.Atoi(c.Arg(1))
		if err != nil {
			return nil, c.UsageError("BACKLOG is a number")
		}
		if n != int(int32(n)) { // listen(2) takes a C int: never cut it to 32 bits
			msg := "signed integer is greater than maximum"
			if n < 0 {
				msg = "signed integer is less than minimum"
			}
			return nil, &shell.Error{Class: "OverflowError", Msg: msg, Hint: c.Arg(1) + " does not fit in a C int (-2147483648 to 2147483647)"}
		}
		backlog = max(n, 0) // Python raises a negative backlog to 0
		c.Python("%s.listen(%d)", name, n)
	} else {
		c.Python("%s.listen()", name)
	}
	defer traceSock(c, s)()
	return shell.None, s.Listen(backlog)
}

func runAccept(c *shell.Call) (any, error) {
	s, name, err := lookupSock(c, c.Arg(0))
	if err != nil {
		return nil, err
	}
	done := traceSock(c, s)
	ns, addr, err := s.Accept(c.Ctx)
	done()
	if err != nil {
		c.Python("%s.accept()", name) // raises the same error
		return nil, err
	}
	d, ok := c.Session.Timeout() // as Python: the default timeout, not the listener's
	ns.SetTimeout(d, ok)
	nname := c.Session.Register("s", ns)
	c.Python("%s, addr = %s.accept()", nname, name)
	la := bsd.SockAddr{AddrPort: addr, IPv6: s.Family() == unix.AF_INET6}
	if pa, err := ns.PeerName(); err == nil {
		la = pa
	}
	return shell.Repr{Text: nname + "  " + la.Tuple(), JSON: map[string]any{"name": nname, "addr": addrValue(la)}}, nil
}

func runClose(c *shell.Call) (any, error) {
	if c.Arg(0) == "all" {
		if c.NArg() > 1 {
			return nil, c.UsageError("close all takes nothing more")
		}
		for _, r := range c.Session.Resources() {
			if s, ok := r.Resource.(*bsd.Socket); ok {
				c.Python("%s.close()", r.Name)
				s.Close()
				c.Session.Remove(r.Name)
				closedNames(c)[r.Name] = true
			}
		}
		return shell.None, nil
	}
	// Check every name first, so a typo closes nothing. A name closed
	// before is no error: Python's close() on a closed socket does nothing.
	type target struct {
		name string
		s    *bsd.Socket // nil: closed already
	}
	var targets []target
	seen := map[string]bool{}
	for _, n := range argList(c, 0) {
		if seen[n] || closedNames(c)[n] {
			if _, open := c.Session.Resource(n); !open {
				targets = append(targets, target{n, nil})
				continue
			}
		}
		s, _, err := lookupSock(c, n)
		if err != nil {
			return nil, err
		}
		seen[n] = true
		targets = append(targets, target{n, s})
	}
	for _, t := range targets {
		c.Python("%s.close()", t.name)
		if t.s == nil || t.s.Closed() {
			c.Note("%s was already closed; closing it again does nothing, as in Python", t.name)
			continue
		}
		done := traceSock(c, t.s)
		err := t.s.Close()
		done()
		c.Session.Remove(t.name)
		closedNames(c)[t.name] = true
		if err != nil {
			return nil, err
		}
	}
	return shell.None, nil
}

func runFromFD(c *shell.Call) (any, error) {
	fd, err := strconv.Atoi(c.Arg(0))
	if err != nil || fd < 0 {
		return nil, c.UsageError("FD is a file descriptor number")
	}
	if fd != int(int32(fd)) {
		// dup(2) would take the low 32 bits and name another descriptor
		// (Python 3.11's socket.fromfd does so); no descriptor is this large.
		return nil, &shell.Error{Class: "OSError", Errno: int(unix.EBADF), HasErrno: true, Msg: shell.StrError(unix.EBADF),
			Hint: c.Arg(0) + " is no descriptor: a descriptor is a C int, at most 2147483647"}
	}
	family, sotype := 0, 0
	if c.NArg() > 1 {
		family, sotype, err = sockSpec(c, argList(c, 1))
		if err != nil {
			return nil, err
		}
	}
	tr := newTrace(c)
	s, err := bsd.FromFD(fd, family, sotype, tr)
	if tr != nil {
		c.Syscalls(tr.Lines()...)
	}
	if err != nil {
		if family == 0 {
			family, sotype = unix.AF_INET, unix.SOCK_STREAM // Python must be told; dup fails first all the same
		}
		c.Python("socket.fromfd(%s, socket.%s, socket.%s)", pyFD(c, fd), bsd.FamilyName(family), bsd.TypeName(sotype))
		return nil, err
	}
	s.SetTrace(nil)
	d, ok := c.Session.Timeout()
	s.SetTimeout(d, ok)
	fdExpr := pyFD(c, fd)
	name := c.Session.Register("s", s)
	c.Python("%s = socket.fromfd(%s, socket.%s, socket.%s)", name, fdExpr, bsd.FamilyName(s.Family()), bsd.TypeName(s.Type()))
	return sockRepr(name, s), nil
}
