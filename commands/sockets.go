// The socket life cycle: socket, connect, bind, listen, accept, shutdown,
// close, sockname, peername, settimeout, fromfd and the sockets table. This
// file is the table and the runs of the life cycle; beside it: sockref.go
// (socket references), dial.go (address resolution, connect, bind),
// sockinfo.go (repr, names, the sockets table), trace.go (the trace
// helpers), argkinds.go (the kinds of argument, SOCK among them),
// sock_events.go (what each socket reports to the session's log).
package commands

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

func socketCommands() []*shell.Command {
	return []*shell.Command{
		{
			Name: "socket", Group: groupSockets,
			Summary: "Create a real, unconnected socket and name it s1, s2, ….",
			Help: "tcp (SOCK_STREAM) and inet (AF_INET, IPv4) are the defaults; stream and dgram,\n" +
				"ipv4 (or 4) and ipv6 (or 6) are accepted too, in any order. The socket has a\n" +
				"real file descriptor at once, so getsockopt, setsockopt, bind and sockname work\n" +
				"before any connect. Its timeout starts as `set timeout` says.\n" +
				"unix makes an AF_UNIX socket (stream, dgram or seqpacket): its address is a file\n" +
				"path (bind s1 /tmp/demo.sock) or, with @, a name in Linux's abstract namespace\n" +
				"(bind s1 @demo: Python's '\\x00demo'), which no file holds and which is free again\n" +
				"when the socket closes.",
			Python:   "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
			Examples: []string{"socket tcp", "socket udp inet6", "socket unix dgram"},
			Args:     socketSpecArgs(specArg),
			Run:      runSocket,
		},
		{
			Name: "connect", Group: groupSockets,
			Summary: "Connect a socket to HOST:PORT; without SOCK, make a new connected socket.",
			Help: "With SOCK: s.connect((host, port)). Without: socket.create_connection((host, port)),\n" +
				"which tries every address HOST resolves to, IPv6 and IPv4, and keeps the first that\n" +
				"connects. PORT is a number or a service name. Bounded by the socket's timeout;\n" +
				"Ctrl-C cancels it. A Unix socket (socket unix) connects to a PATH, or @name for an\n" +
				"abstract one: s.connect('/tmp/demo.sock').",
			Python:   "s.connect((host, port))",
			Examples: []string{"connect s1 127.0.0.1 8080", "connect localhost http", "connect s2 /tmp/demo.sock"},
			Forms: [][]shell.Arg{
				{shell.Req("SOCK", sockArg), shell.Req("HOST", hostArg), shell.Req("PORT", portArg)},
				{shell.Req("HOST", hostArg), shell.Req("PORT", portArg)},
				{shell.Req("SOCK", sockArg), shell.Req("PATH", unixPathArg)}, // a Unix socket: told apart in runConnect
			},
			Flags: connectTLSFlags(),
			Run:   runConnect,
		},
		{
			Name: "bind", Group: groupSockets,
			Summary: "Bind a socket to a local address and port (0: any free port).",
			Help: "HOST '' or 0.0.0.0 (:: for inet6) means every local address. A Unix socket binds\n" +
				"to a PATH, which makes the socket file there (bind fails if any file is there), or to\n" +
				"@name, a name in the abstract namespace that no file holds; '' lets the kernel pick one.",
			Python:   "s.bind((host, port))",
			Examples: []string{"bind s1 127.0.0.1 0", "bind s1 '' 8080", "bind s2 /tmp/demo.sock", "bind s2 @demo"},
			Forms: [][]shell.Arg{
				{shell.Req("SOCK", sockArg), shell.Req("HOST", bindHostArg), shell.Req("PORT", portArg)},
				{shell.Req("SOCK", sockArg), shell.Req("PATH", unixPathArg)},
			},
			Run: runBind,
		},
		{
			Name: "listen", Group: groupSockets,
			Summary:  "Put a TCP socket in listening mode, queueing up to BACKLOG connections.",
			Help:     "Without BACKLOG, Python's default: min(SOMAXCONN, 128). A socket that is not bound gets a free port, as the kernel does.",
			Python:   "s.listen(backlog)",
			Examples: []string{"listen s1", "listen s1 5"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg), shell.Opt("BACKLOG", backlogArg)},
			Run:      runListen,
		},
		{
			Name: "accept", Group: groupSockets,
			Summary:  "Wait for a connection on a listening socket; the new socket gets a name.",
			Help:     "Prints the new socket's name and the client's address. Bounded by the listening socket's timeout; Ctrl-C cancels the wait and the socket stays usable.",
			Python:   "conn, addr = s.accept()",
			Examples: []string{"accept s1"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg)},
			Run:      runAccept,
		},
		{
			Name: "shutdown", Group: groupSockets,
			Summary: "Shut down one or both halves of a connection (wr: the peer sees end of file).",
			Help: "wr sends FIN: the peer's recv returns b'' once it has read everything, and this\n" +
				"socket's sends fail with BrokenPipeError. rd tells the peer nothing: on Linux this\n" +
				"socket's recv returns b'' at once while nothing is queued, and what the peer still\n" +
				"sends is queued and returned by a later recv. rdwr does both.",
			Python:   "s.shutdown(socket.SHUT_WR)",
			Examples: []string{"shutdown s1 wr"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg), shell.Req("", howArg)},
			Run: func(c *shell.Call) (any, error) {
				s, name := sockAt(c, 0)
				how := c.Value(1).(string)
				c.Python("%s.shutdown(socket.SHUT_%s)", name, strings.ToUpper(how))
				tlsShutdown(c, s, name)
				defer traceSock(c, s)()
				return shell.None, s.Shutdown(how)
			},
		},
		{
			Name: "close", Group: groupSockets,
			Summary:  "Close a socket (or every socket); its name stays, for a closed socket, as in Python.",
			Python:   "s.close()",
			Examples: []string{"close s1", "close all"},
			Forms:    [][]shell.Arg{{shell.Many("SOCK", sockNameArg)}, {shell.Lit("all")}},
			Run:      runClose,
		},
		{
			Name: "sockname", Group: groupSockets,
			Summary:  "The socket's own address and port.",
			Python:   "s.getsockname()",
			Examples: []string{"sockname s1"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg)},
			Run:      func(c *shell.Call) (any, error) { return runName(c, false) },
		},
		{
			Name: "peername", Group: groupSockets,
			Summary:  "The address and port of the socket's peer.",
			Python:   "s.getpeername()",
			Examples: []string{"peername s1"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg)},
			Run:      func(c *shell.Call) (any, error) { return runName(c, true) },
		},
		{
			Name: "settimeout", Group: groupSockets,
			Summary:  "Bound each blocking call on the socket (none: wait until done or Ctrl-C; 0: non-blocking).",
			Python:   "s.settimeout(t)",
			Examples: []string{"settimeout s1 2.5", "settimeout s1 none"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg), shell.Req("SECONDS|none", secondsArg)},
			Run: func(c *shell.Call) (any, error) {
				s, name := sockAt(c, 0)
				t := c.Value(1).(sockTimeout)
				if t.none {
					c.Python("%s.settimeout(None)", name)
				} else {
					c.Python("%s.settimeout(%s)", name, shell.PyFloat(t.d.Seconds()))
				}
				return shell.None, s.SetTimeout(t.d, !t.none)
			},
		},
		{
			Name: "fromfd", Group: groupSockets,
			Summary: "Make a socket from a duplicate of a file descriptor this process holds.",
			Help: "As Python's socket.fromfd: the descriptor is duplicated (dup(2)) and the new socket\n" +
				"gets a name. Family and type default to what the kernel says the descriptor is.\n" +
				"`sockets` shows the descriptors of the session's sockets.",
			Python:   "socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)",
			Examples: []string{"fromfd 5"},
			Args:     append([]shell.Arg{shell.Req("FD", fdArg)}, socketSpecArgs(specArg)...),
			Run:      runFromFD,
		},
		{
			Name: "sockets", Group: groupSockets,
			Summary: "Table of the session's sockets: fd, family, type, state, addresses, bytes, timeout.",
			Help: "State comes from the kernel for TCP (ESTABLISHED, LISTEN, CLOSE_WAIT, …). Beside it, in\n" +
				"brackets, what each side did: \"shutdown wr here\" (this side shut that half), \"peer sent FIN\"\n" +
				"(a recv returned b'' after the peer's FIN) or \"peer reset\" (a call failed with a reset); a TLS\n" +
				"socket's version (TLSv1.3). Sent and received count the bytes through the kernel: on a TLS\n" +
				"socket, the records (headers, encryption, the handshake), not the data alone.",
			Examples: []string{"sockets"},
			Run:      runSockets,
		},
	}
}

func pySocketCall(family, sotype int) string {
	return fmt.Sprintf("socket.socket(socket.%s, socket.%s)", bsd.FamilyName(family), bsd.TypeName(sotype))
}

func newSock(c *shell.Call, family, sotype int, tr *bsd.Trace) (*bsd.Socket, error) {
	s, err := sockConfig(c, tr).New(family, sotype)
	if err != nil {
		return nil, err
	}
	d, ok := c.Session.Timeout()
	s.SetTimeout(d, ok)
	return s, nil
}

func runSocket(c *shell.Call) (any, error) {
	family, sotype, err := sockSpec(c, 0)
	if err != nil {
		return nil, err
	}
	family, sotype = orDefault(family, unix.AF_INET), orDefault(sotype, unix.SOCK_STREAM)
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
	name := registerSock(c, "s", s)
	c.Python("%s = %s", name, pySocketCall(family, sotype))
	return sockRepr(name, s), nil
}

// orDefault is v, or def when v is 0 (not given).
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func runListen(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	backlog := min(unix.SOMAXCONN, 128)
	py := name + ".listen()"
	if c.NArg() == 2 {
		n := c.Int(1)       // a C int: parseBacklog
		backlog = max(n, 0) // Python raises a negative backlog to 0
		py = fmt.Sprintf("%s.listen(%d)", name, n)
	}
	before := s.Info()
	if s.Type() == unix.SOCK_STREAM {
		// Where it will listen: its address, or (unbound) the wildcard the
		// kernel binds it to.
		ip := before.Local.Addr()
		if !before.HasLocal {
			ip = netip.IPv4Unspecified()
			if s.Family() == unix.AF_INET6 {
				ip = netip.IPv6Unspecified()
			}
		}
		if err := allowTarget(c, "listen", ip, int(before.Local.Port())); err != nil {
			return nil, err // refused by set allow: no call, no Python line
		}
	}
	c.Python("%s", py)
	defer traceSock(c, s)()
	if err := s.Listen(backlog); err != nil {
		return nil, err
	}
	noteBeyondLoopback(c, name, s, before.HasLocal)
	return shell.None, nil
}

// noteBeyondLoopback says, once, when a socket that now listens can be
// reached from beyond this machine: its address is the wildcard or not a
// loopback one.
func noteBeyondLoopback(c *shell.Call, name string, s *bsd.Socket, wasBound bool) {
	in := s.Info()
	ip := in.Local.Addr()
	if !ip.IsValid() || ip.Unmap().IsLoopback() {
		return
	}
	what := ip.String()
	if ip.IsUnspecified() {
		what += ", every address of this machine"
	}
	c.Note("%s listens beyond this machine (%s): anyone who can reach it may connect", name, what)
	if !wasBound {
		c.Note("listen on a socket that was not bound binds it to the wildcard address and a free port; bind it to 127.0.0.1 first to stay on this machine")
	}
}

func runAccept(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	done := traceSock(c, s)
	ns, addr, err := s.Accept(c.Ctx)
	done()
	if err != nil {
		c.Python("%s.accept()", name) // raises the same error
		return nil, err
	}
	d, ok := c.Session.Timeout() // as Python: the default timeout, not the listener's
	ns.SetTimeout(d, ok)
	nname := registerSock(c, "s", ns)
	c.Python("%s, addr = %s.accept()", nname, name)
	la := bsd.SockAddr{AddrPort: addr, IPv6: s.Family() == unix.AF_INET6}
	if pa, err := ns.PeerName(); err == nil {
		la = pa
	}
	return shell.Repr{Text: nname + "  " + shell.PyRepr(addrValue(la)), JSON: map[string]any{"name": nname, "addr": addrValue(la)}}, nil
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
				markClosed(c, r.Name)
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
	var targetBuf [4]target // close s1: no allocation for a few names
	targets := targetBuf[:0]
	seen := map[string]bool{}
	for _, w := range c.Args {
		n := w.Text
		if seen[n] || wasClosed(c, n) {
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
		c.PythonLine(t.name + ".close()")
		if t.s == nil || t.s.Closed() {
			c.Note("%s was already closed; closing it again does nothing, as in Python", t.name)
			continue
		}
		file := boundFile(t.s)
		done := traceSock(c, t.s)
		err := t.s.Close()
		done()
		if file != "" && err == nil {
			c.Note("the socket file %s stays after close, as in Python: a later bind there fails until it is removed (os.unlink(%s))", file, shell.StrRepr(file))
		}
		c.Session.Remove(t.name)
		markClosed(c, t.name)
		if err != nil {
			return nil, err
		}
	}
	return shell.None, nil
}

func runFromFD(c *shell.Call) (any, error) {
	fd := c.Int(0) // a C int: parseFD
	family, sotype, err := sockSpec(c, 1)
	if err != nil {
		return nil, err
	}
	if c.NArg() > 1 { // a word given: what it leaves out is socket's default
		family, sotype = orDefault(family, unix.AF_INET), orDefault(sotype, unix.SOCK_STREAM)
	}
	tr := newTrace(c)
	s, err := sockConfig(c, tr).FromFD(fd, family, sotype)
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
	name := registerSock(c, "s", s)
	c.Python("%s = socket.fromfd(%s, socket.%s, socket.%s)", name, fdExpr, bsd.FamilyName(s.Family()), bsd.TypeName(s.Type()))
	return sockRepr(name, s), nil
}
