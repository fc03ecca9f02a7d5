// The socket life cycle: socket, connect, bind, listen, accept, shutdown,
// close, sockname, peername, settimeout, fromfd and the sockets table.
package commands

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/netdb"
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

// lookupSock finds a registered socket and reports, once, a peer that has
// closed or reset the connection since the last command.
func lookupSock(c *shell.Call, name string) (*bsd.Socket, string, error) {
	r, ok := c.Session.Resource(name)
	if !ok && closedNames(c)[name] {
		return nil, name, &shell.Error{Class: "OSError", Errno: 9, HasErrno: true, Msg: "Bad file descriptor",
			Hint: name + " was closed; make a new socket with: socket tcp"}
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
		c.Note("%s: %s", name, st)
	}
}

// peerNews reports the peer's status and whether it is news to the user,
// remembering that it is no longer news. A command whose own error says
// what happened calls it only to remember.
func peerNews(c *shell.Call, name string, s *bsd.Socket) (bsd.PeerStatus, bool) {
	noted := c.Session.State("sockets.noted", func() any { return map[string]bsd.PeerStatus{} }).(map[string]bsd.PeerStatus)
	st := s.PeerStatus()
	if st == bsd.PeerOpen || noted[name] == st {
		return st, false
	}
	noted[name] = st
	return st, true
}

// closedNames are the socket names closed in this session, so that a
// command on one says it was closed rather than never made.
func closedNames(c *shell.Call) map[string]bool {
	return c.Session.State("sockets.closed", func() any { return map[string]bool{} }).(map[string]bool)
}

// closedList is closedNames in the order the sockets were made (s2 before s10).
func closedList(c *shell.Call) []string {
	var names []string
	for n := range closedNames(c) {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) < len(names[j])
		}
		return names[i] < names[j]
	})
	return names
}

func isSocket(r shell.Resource) bool { _, ok := r.(*bsd.Socket); return ok }

func completeSocks(s *shell.Session, args []string) []string {
	return append(s.ResourceNames(isSocket), "all")
}

// completeSockThen completes a socket name first, then the given words.
func completeSockThen(rest []string) func(*shell.Session, []string) []string {
	return func(s *shell.Session, args []string) []string {
		if len(args) == 0 {
			return s.ResourceNames(isSocket)
		}
		return rest
	}
}

// traceSock records the socket's system calls into the call while the
// command runs, when they will be shown (explain on, or json).
func traceSock(c *shell.Call, socks ...*bsd.Socket) func() {
	if !tracing(c) {
		return func() {}
	}
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

// sockRepr is the socket's repr, as Python 3 prints a socket object.
func sockRepr(name string, s *bsd.Socket) shell.Repr {
	var b strings.Builder
	fmt.Fprintf(&b, "<socket fd=%d, family=%s, type=%s, proto=%d", s.FD(), bsd.FamilyName(s.Family()), bsd.TypeName(s.Type()), s.Proto())
	obj := map[string]any{"name": name, "fd": s.FD(), "family": bsd.FamilyName(s.Family()), "type": bsd.TypeName(s.Type()), "proto": s.Proto()}
	if la, err := s.SockName(); err == nil {
		fmt.Fprintf(&b, ", laddr=%s", la.Tuple())
		obj["laddr"] = addrValue(la)
	}
	if ra, err := s.PeerName(); err == nil {
		fmt.Fprintf(&b, ", raddr=%s", ra.Tuple())
		obj["raddr"] = addrValue(ra)
	}
	b.WriteString(">")
	return shell.Repr{Text: name + "  " + b.String(), JSON: obj}
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

// resolvePort reads a port number or a service name (for the protocol).
func resolvePort(c *shell.Call, port string, sotype int) (int, error) {
	if n, err := strconv.Atoi(port); err == nil {
		if n < 0 || n > 65535 {
			return 0, shell.Errorf("OverflowError", "port must be 0-65535.")
		}
		return n, nil
	}
	proto := "tcp"
	if sotype == unix.SOCK_DGRAM {
		proto = "udp"
	}
	db := netdb.DefaultServices()
	svc, err := db.ByName(port, proto)
	if err != nil {
		c.Python("socket.getservbyname(%s, %s)", shell.StrRepr(port), shell.StrRepr(proto)) // raises the same
		return 0, err
	}
	noteSource(c, db)
	return svc.Port, nil
}

// portRangeError is Python's error for a port out of range in an address
// tuple, named after the method, with the call that raises it:
// s1.bind(('127.0.0.1', 70000)) gives "OverflowError: bind(): port must be 0-65535.".
func portRangeError(c *shell.Call, method, pyCall, arg string, err error) error {
	n, aerr := strconv.Atoi(arg)
	if e, ok := err.(*shell.Error); !ok || aerr != nil || e.Class != "OverflowError" {
		return err
	}
	c.Python(pyCall, n)
	return shell.Errorf("OverflowError", "%s(): port must be 0-65535.", method)
}

// resolveAddr turns HOST into the address a socket of the family uses,
// through the session's resolver and bounded by its timeout, as Python
// resolves the host of an address tuple (” is the wildcard address).
func resolveAddr(c *shell.Call, host string, family int) (netip.Addr, error) {
	switch host {
	case "", "<any>":
		if family == unix.AF_INET6 {
			return netip.IPv6Unspecified(), nil
		}
		return netip.IPv4Unspecified(), nil
	case "<broadcast>":
		return netip.AddrFrom4([4]byte{255, 255, 255, 255}), nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		// As Python (glibc's getaddrinfo): an address of the other family
		// is refused, except that an IPv4-mapped IPv6 literal
		// (::ffff:127.0.0.1) is taken as its IPv4 address by an inet socket.
		if family == unix.AF_INET && ip.Is4In6() {
			return ip.Unmap(), nil
		}
		if family == unix.AF_INET && ip.Is6() || family == unix.AF_INET6 && ip.Is4() {
			return netip.Addr{}, &netdb.Error{Class: "socket.gaierror", Errno: -9, HasErrno: true, Msg: "Address family for hostname not supported"}
		}
		return ip, nil
	}
	ctx, cancel := bounded(c)
	defer cancel()
	infos, err := resolver(c).AddrInfo(ctx, host, "", unix.SOCK_STREAM, family)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, ai := range infos {
		if ip, err := netip.ParseAddr(ai.Addr); err == nil {
			return ip, nil
		}
	}
	return netip.Addr{}, &netdb.Error{Class: "socket.gaierror", Errno: -2, HasErrno: true, Msg: "Name or service not known"}
}

// resolveFor is resolveAddr for socket name's family; an address literal of
// the other family gets a hint saying what the socket is, what the address
// is, and how to make a socket that takes it.
func resolveFor(c *shell.Call, name string, s *bsd.Socket, host string) (netip.Addr, error) {
	ip, err := resolveAddr(c, host, s.Family())
	lit, perr := netip.ParseAddr(host)
	if err == nil || perr != nil {
		return ip, err
	}
	var ne *netdb.Error
	if !errors.As(err, &ne) || ne.Errno != -9 {
		return ip, err
	}
	kind := "tcp"
	if s.Type() == unix.SOCK_DGRAM {
		kind = "udp"
	}
	e := *ne
	if lit.Is6() {
		e.Hint = fmt.Sprintf("%s is an AF_INET (IPv4) socket and %s is an IPv6 address; for IPv6 make an AF_INET6 socket: socket %s inet6", name, host, kind)
	} else {
		e.Hint = fmt.Sprintf("%s is an AF_INET6 (IPv6) socket and %s is an IPv4 address; make an AF_INET socket (socket %s), or give the IPv4-mapped address ::ffff:%s", name, host, kind, host)
	}
	return netip.Addr{}, &e
}

func runConnect(c *shell.Call) (any, error) {
	if c.NArg() == 2 {
		return runCreateConnection(c)
	}
	return runAddrCall(c, "connect", func(s *bsd.Socket, ip netip.Addr, port int) error {
		return s.Connect(c.Ctx, ip, port)
	})
}

// runAddrCall runs a method that takes an address, SOCK HOST PORT: it
// resolves HOST for the socket's family and PORT for its type, records the
// Python line s.method((host, port)), and traces the call.
func runAddrCall(c *shell.Call, method string, call func(*bsd.Socket, netip.Addr, int) error) (any, error) {
	s, name, err := lookupSock(c, c.Arg(0))
	if err != nil {
		return nil, err
	}
	host := c.Arg(1)
	port, err := resolvePort(c, c.Arg(2), s.Type())
	if err != nil {
		return nil, portRangeError(c, method, fmt.Sprintf("%s.%s((%s, %%d))", name, method, shell.StrRepr(host)), c.Arg(2), err)
	}
	ip, err := resolveFor(c, name, s, host)
	portExpr := strconv.Itoa(port)
	if err == nil && method != "bind" {
		portExpr = pyPort(c, ip, port)
	}
	c.Python("%s.%s((%s, %s))", name, method, shell.StrRepr(host), portExpr)
	if err != nil {
		return nil, err
	}
	defer traceSock(c, s)()
	return shell.None, call(s, ip, port)
}

func runCreateConnection(c *shell.Call) (any, error) {
	host := c.Arg(0)
	port, err := resolvePort(c, c.Arg(1), unix.SOCK_STREAM)
	if err != nil {
		return nil, err
	}
	tr := newTrace(c)
	defer func() {
		if tr != nil {
			c.Syscalls(tr.Lines()...)
		}
	}()
	s, name, err := dialRegistered(c, "s", host, port, tr)
	if err != nil {
		c.Python("socket.create_connection((%s, %d))", shell.StrRepr(host), port) // raises the same error
		return nil, err
	}
	c.Python("%s = socket.create_connection((%s, %s))", name, shell.StrRepr(host), pyPeerPort(c, s, port))
	return sockRepr(name, s), nil
}

// dialRegistered connects to host:port as socket.create_connection does:
// every address the name resolves to (IPv6 and IPv4), in order, until one
// connects. The connected socket is registered under the next name with
// prefix ("s" → s4; the gopher client's own are "g" → g1) and its trace
// detached.
func dialRegistered(c *shell.Call, prefix, host string, port int, tr *bsd.Trace) (*bsd.Socket, string, error) {
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ctx, cancel := bounded(c)
		infos, err := resolver(c).AddrInfo(ctx, host, "", unix.SOCK_STREAM, 0)
		cancel()
		if err != nil {
			return nil, "", err
		}
		for _, ai := range infos {
			if ip, err := netip.ParseAddr(ai.Addr); err == nil {
				ips = append(ips, ip)
			}
		}
	}
	var last error = &netdb.Error{Class: "socket.gaierror", Errno: -2, HasErrno: true, Msg: "Name or service not known"}
	var tries []string // "[::1]:70: [Errno 111] Connection refused", for the hint
	for _, ip := range ips {
		family := unix.AF_INET
		if ip.Is6() && !ip.Is4In6() {
			family = unix.AF_INET6
		}
		s, err := newSock(c, family, unix.SOCK_STREAM, tr)
		if err == nil {
			err = s.Connect(c.Ctx, ip.Unmap(), port)
			if err != nil {
				s.Close()
			}
		}
		if err != nil {
			last = err
			tries = append(tries, addrString(ip.Unmap(), port)+": "+shell.Classify(err).Error())
			if c.Ctx.Err() != nil {
				return nil, "", err
			}
			continue
		}
		s.SetTrace(nil)
		return s, c.Session.Register(prefix, s), nil
	}
	if len(tries) > 1 {
		// Python raises the last error; the hint names every address tried.
		e := *shell.Classify(last)
		e.Hint = fmt.Sprintf("%s has %d addresses and each was tried, in order: %s", host, len(tries), strings.Join(tries, "; "))
		return nil, "", &e
	}
	return nil, "", last
}

// addrString spells ip:port as Go and ss do: 127.0.0.1:80, [::1]:80.
func addrString(ip netip.Addr, port int) string {
	return netip.AddrPortFrom(ip, uint16(port)).String()
}

func runBind(c *shell.Call) (any, error) {
	return runAddrCall(c, "bind", func(s *bsd.Socket, ip netip.Addr, port int) error {
		err := s.Bind(ip, port)
		if why := bsd.PortPolicy(port).Allowed(); err == nil && why != "" {
			c.Note("%s", why)
		}
		return err
	})
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

func runName(c *shell.Call, peer bool) (any, error) {
	s, name, err := lookupSock(c, c.Arg(0))
	if err != nil {
		return nil, err
	}
	defer traceSock(c, s)()
	var a bsd.SockAddr
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

// addrValue is a socket address as a Python tuple value.
func addrValue(a bsd.SockAddr) shell.Tuple {
	if a.IPv6 {
		return shell.Tuple{a.Addr().String(), int(a.Port()), int64(a.FlowInfo), int64(a.ScopeID)}
	}
	return shell.Tuple{a.Addr().String(), int(a.Port())}
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
		if a, err := s.SockName(); err == nil {
			local = shell.Shown{Text: addrText(a), Value: addrValue(a)}
		}
		if a, err := s.PeerName(); err == nil {
			remote = shell.Shown{Text: addrText(a), Value: addrValue(a)}
		}
		state := s.State()
		if more := stateNotes(s); len(more) > 0 {
			state += " (" + strings.Join(more, "; ") + ")"
		}
		timeout := shell.Shown{Text: "none"} // seconds as a number in json, None for none
		if d, ok := s.Timeout(); ok {
			timeout = shell.Shown{Text: strconv.FormatFloat(d.Seconds(), 'g', -1, 64), Value: d.Seconds()}
		}
		rows.Append(r.Name, s.FD(), bsd.FamilyName(s.Family()), bsd.TypeName(s.Type()), state, local, remote, s.Sent(), s.Received(), timeout)
	}
	if len(rows.Rows) == 0 {
		if closed := closedList(c); len(closed) > 0 {
			names := strings.Join(closed, ", ")
			if len(closed) > 6 {
				names = strings.Join(closed[:5], ", ") + fmt.Sprintf(" and %d more", len(closed)-5)
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
		out = append(out, "peer sent FIN")
	case bsd.PeerReset:
		out = append(out, "peer reset")
	}
	return out
}

// eofWhy says why a recv on a stream socket returned b”: the peer's FIN,
// or this side's own shutdown of its reading half.
func eofWhy(name string, s *bsd.Socket) string {
	if rd, _ := s.ShutDown(); rd && s.PeerStatus() != bsd.PeerClosed {
		return fmt.Sprintf("recv returned b'' because %s shut down its own reading half (shutdown rd); the peer did nothing and was told nothing. "+
			"On Linux what the peer still sends is queued, and a later recv returns it", name)
	}
	switch s.PeerStatus() {
	case bsd.PeerClosed:
		return bsd.PeerClosed.String()
	case bsd.PeerReset:
		return "the peer reset the connection earlier; recv now returns b''"
	}
	return "recv returned b'': end of file"
}

// noteEOF says, once per socket and reason, why a recv returned b”.
func noteEOF(c *shell.Call, name string, s *bsd.Socket) {
	if rd, _ := s.ShutDown(); rd && s.PeerStatus() != bsd.PeerClosed {
		noted := c.Session.State("sockets.notedRd", func() any { return map[string]bool{} }).(map[string]bool)
		if !noted[name] {
			noted[name] = true
			c.Note("%s: %s", name, eofWhy(name, s))
		}
		return
	}
	notePeer(c, name, s)
}

func addrText(a bsd.SockAddr) string {
	if a.Addr().Is6() && !a.Addr().Is4In6() {
		return fmt.Sprintf("[%s]:%d", a.Addr(), a.Port())
	}
	return a.AddrPort.String()
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

// pyPeerPort is pyPort for a socket that connected: its peer's address.
func pyPeerPort(c *shell.Call, s *bsd.Socket, port int) string {
	if pa, err := s.PeerName(); err == nil {
		return pyPort(c, pa.Addr(), port)
	}
	return strconv.Itoa(port)
}
