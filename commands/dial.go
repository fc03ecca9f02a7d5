// Address resolution and dialing: HOST and PORT of an address tuple resolved
// as Python resolves them, and the commands that take one (connect, bind,
// socket.create_connection).
package commands

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

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
			return netip.Addr{}, netdb.GaiError(netdb.EAI_ADDRFAMILY)
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
	return netip.Addr{}, netdb.GaiError(netdb.EAI_NONAME)
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
	if !errors.As(err, &ne) || !netdb.IsGai(err, netdb.EAI_ADDRFAMILY) {
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
	if err := tlsFlagsAlone(c); err != nil {
		return nil, err
	}
	if c.Form() == 1 { // connect HOST PORT, or SOCK PATH: a Unix socket named first
		if s := unixSockNamed(c, c.Arg(0)); s != nil {
			if c.Has("tls") {
				return nil, c.UsageError("connect --tls connects over TCP; for a Unix socket, connect SOCK PATH and then tls SOCK --sni NAME")
			}
			return runConnectUnix(c, s, c.Arg(0), c.Arg(1))
		}
		if isSocketName(c.Session, c.Arg(0)) && looksLikePath(c.Arg(1)) {
			s, _, err := lookupSock(c, c.Arg(0))
			if err != nil {
				return nil, err
			}
			c.Python("%s.connect(%s)", c.Arg(0), shell.StrRepr(kernelPath(c.Arg(1)))) // raises the same
			return nil, familyMismatch(c, "connect", c.Arg(0), s)
		}
		return runCreateConnection(c)
	}
	if s, name := sockAt(c, 0); isUnix(s) {
		c.Python("%s.connect((%s, %s))", name, shell.StrRepr(c.Arg(1)), pyPortWord(c.Arg(2))) // raises the same
		return nil, familyMismatch(c, "connect", name, s)
	}
	v, err := runAddrCall(c, "connect", func(s *bsd.Socket, ip netip.Addr, port int) error {
		return s.Connect(c.Ctx, ip, port)
	})
	if err == nil && c.Has("tls") {
		s, name := sockAt(c, 0)
		return upgradeTLS(c, s, name, c.Arg(1))
	}
	return v, err
}

// runAddrCall runs a method that takes an address, SOCK HOST PORT: it
// resolves HOST for the socket's family and PORT for its type, records the
// Python line s.method((host, port)), and traces the call.
func runAddrCall(c *shell.Call, method string, call func(*bsd.Socket, netip.Addr, int) error) (any, error) {
	s, name := sockAt(c, 0)
	host := c.Arg(1)
	port, err := resolvePort(c, c.Arg(2), s.Type())
	if err != nil {
		return nil, portRangeError(c, method, fmt.Sprintf("%s.%s((%s, %%d))", name, method, shell.StrRepr(host)), c.Arg(2), err)
	}
	lookup := time.Now()
	ip, err := resolveFor(c, name, s, host)
	if method == "connect" {
		c.Timing("DNS", time.Since(lookup))
	}
	if err == nil {
		if err := allowTarget(c, method, ip, port); err != nil {
			return nil, err // refused by set allow: no call, no Python line
		}
	}
	portExpr := strconv.Itoa(port)
	if err == nil && method != "bind" {
		portExpr = pyPort(c, ip, port)
	}
	c.Python("%s.%s((%s, %s))", name, method, shell.StrRepr(host), portExpr)
	if err != nil {
		return nil, err
	}
	defer traceSock(c, s)()
	handshake := time.Now()
	err = call(s, ip, port)
	if method == "connect" {
		// TCP's three-way handshake; a UDP or Unix connect sends nothing,
		// so its phase is only the call.
		phase := "handshake"
		if s.Type() != unix.SOCK_STREAM || s.Family() == unix.AF_UNIX {
			phase = "connect"
		}
		c.Timing(phase, time.Since(handshake))
		if rtt, ok := s.HandshakeRTT(); ok && err == nil {
			c.Timing("rtt", rtt)
		}
	}
	return shell.None, err
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
		if !isAllowError(err) {
			c.Python("socket.create_connection((%s, %d))", shell.StrRepr(host), port) // raises the same error
		}
		return nil, err
	}
	c.PythonLine(name + " = socket.create_connection((" + shell.StrRepr(host) + ", " + pyPeerPort(c, s, port) + "))")
	if c.Has("tls") {
		c.Syscalls(tr.Lines()...) // create_connection's calls, then the handshake's
		tr = nil
		return upgradeTLS(c, s, name, host)
	}
	return sockRepr(name, s), nil
}

// dialRegistered connects to host:port as socket.create_connection does:
// every address the name resolves to (IPv6 and IPv4), in order, until one
// connects. The connected socket is registered under the next name with
// prefix ("s" → s4; the gopher client's own are "g" → g1) and its trace
// detached.
func dialRegistered(c *shell.Call, prefix, host string, port int, tr *bsd.Trace) (*bsd.Socket, string, error) {
	// Timing, as connect records it: the name lookup, then the handshake
	// of the address that connected (and the kernel's RTT); the attempts
	// that failed before it apart.
	var ips []netip.Addr
	lookup := time.Now()
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
		c.Timing("DNS", time.Since(lookup)) // a literal: no lookup, as connect's
	} else {
		ctx, cancel := bounded(c)
		infos, err := resolver(c).AddrInfo(ctx, host, "", unix.SOCK_STREAM, 0)
		cancel()
		c.Timing("DNS", time.Since(lookup))
		if err != nil {
			return nil, "", err
		}
		for _, ai := range infos {
			if ip, err := netip.ParseAddr(ai.Addr); err == nil {
				ips = append(ips, ip)
			}
		}
	}
	var failed time.Duration
	// set allow: only the allowed addresses are tried; none allowed, the
	// first refusal is the error.
	var allowed []netip.Addr
	var refused error
	for _, ip := range ips {
		if err := allowTarget(c, "connect", ip.Unmap(), port); err != nil {
			refused = cmp.Or(refused, err)
			continue
		}
		allowed = append(allowed, ip)
	}
	if len(allowed) == 0 && refused != nil {
		return nil, "", refused
	}
	ips = allowed
	var last error     // nil: no address to try (EAI_NONAME, below)
	var tries []string // "[::1]:70: [Errno 111] Connection refused", for the hint
	for _, ip := range ips {
		family := unix.AF_INET
		if ip.Is6() && !ip.Is4In6() {
			family = unix.AF_INET6
		}
		s, err := newSock(c, family, unix.SOCK_STREAM, tr)
		handshake := time.Now()
		if err == nil {
			err = s.Connect(c.Ctx, ip.Unmap(), port)
			if err != nil {
				s.Close()
			}
		}
		took := time.Since(handshake)
		if err == nil {
			if failed > 0 {
				c.Timing("failed attempts", failed)
			}
			c.Timing("handshake", took)
			if rtt, ok := s.HandshakeRTT(); ok {
				c.Timing("rtt", rtt)
			}
		}
		if err != nil {
			failed += took
			last = err
			tries = append(tries, addrString(ip.Unmap(), port)+": "+shell.Classify(err).Error())
			if c.Ctx.Err() != nil {
				return nil, "", err
			}
			continue
		}
		s.SetTrace(nil)
		return s, registerSock(c, prefix, s), nil
	}
	if last == nil {
		last = netdb.GaiError(netdb.EAI_NONAME)
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
	if c.Form() == 1 { // bind SOCK PATH
		return runBindUnix(c)
	}
	if s, name := sockAt(c, 0); isUnix(s) {
		c.Python("%s.bind((%s, %s))", name, shell.StrRepr(c.Arg(1)), pyPortWord(c.Arg(2))) // raises the same
		return nil, familyMismatch(c, "bind", name, s)
	}
	return runAddrCall(c, "bind", func(s *bsd.Socket, ip netip.Addr, port int) error {
		err := s.Bind(ip, port)
		if why := bsd.PortPolicy(port).Allowed(); err == nil && why != "" {
			c.Note("%s", why)
		}
		return err
	})
}
