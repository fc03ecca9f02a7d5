// This file holds the Resolver and the socket-module functions built on it:
// gethostbyname, gethostbyname_ex, gethostbyaddr, getaddrinfo and getfqdn, each
// following the steps CPython's socketmodule.c takes.

package netdb

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
)

// Address families, socket types and getaddrinfo flags, with Linux's values.
const (
	AF_UNSPEC      = 0
	AF_INET        = 2
	AF_INET6       = 10
	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_RAW       = 3
	SOCK_SEQPACKET = 5
	AI_PASSIVE     = 0x1
	AI_CANONNAME   = 0x2
	AI_NUMERICHOST = 0x4
	AI_NUMERICSERV = 0x400
)

// Resolver answers host-name questions. The zero value uses the system's
// resolver: /etc/hosts and DNS, in the order /etc/nsswitch.conf gives.
type Resolver struct {
	// Server is "" for the system's resolver, or "HOST:PORT" (":53" assumed when
	// the port is missing) to send DNS queries to that server, over UDP with a
	// fallback to TCP. /etc/hosts is still read first, as the system would.
	Server string
}

// AddrInfo is one row of getaddrinfo's answer: (family, type, proto, canonname,
// sockaddr). Addr is the host part of the sockaddr as Python prints it (an IPv6
// link-local address carries its %scope); FlowInfo and ScopeID are set for IPv6.
type AddrInfo struct {
	Family, Type, Proto int
	Canonname           string
	Addr                string
	Port                int
	FlowInfo, ScopeID   uint32
}

// addrHints are getaddrinfo's hints.
type addrHints struct {
	family, socktype, proto, flags int
}

// hostent is a struct hostent with addresses already formatted.
type hostent struct {
	name    string
	aliases []string
	family  int
	addrs   []string
}

// backend is the C library's view of name service: the three calls CPython makes.
// Errors are already Python-classed (*Error) or wrap the context's error.
type backend interface {
	getaddrinfo(ctx context.Context, host, port *string, hints addrHints) ([]AddrInfo, error)
	gethostbyname(ctx context.Context, name string) (hostent, error)
	gethostbyaddr(ctx context.Context, addr netip.Addr) (hostent, error)
}

func (r *Resolver) backend() backend {
	if r == nil || r.Server == "" {
		return systemBackend()
	}
	server := r.Server
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(strings.Trim(server, "[]"), "53")
	}
	return cancellable{newGoBackend(server)}
}

// HostByName answers socket.gethostbyname(host): one IPv4 address. An IPv4
// literal comes back as written, without a lookup.
func (r *Resolver) HostByName(ctx context.Context, host string) (string, error) {
	if err := checkHostArg("gethostbyname", host); err != nil {
		return "", err
	}
	a, err := setipaddr(ctx, r.backend(), host, AF_INET)
	if err != nil {
		return "", r.annotate(ctx, question{name: host, family: AF_INET}, err)
	}
	return formatAddr(a), nil
}

// HostByNameEx answers socket.gethostbyname_ex(host): the canonical name, the
// aliases and the IPv4 addresses.
func (r *Resolver) HostByNameEx(ctx context.Context, host string) (name string, aliases, addrs []string, err error) {
	if err := checkHostArg("gethostbyname_ex", host); err != nil {
		return "", nil, nil, err
	}
	b := r.backend()
	q := question{name: host, family: AF_INET}
	if _, err := setipaddr(ctx, b, host, AF_INET); err != nil {
		return "", nil, nil, r.annotate(ctx, q, err)
	}
	h, err := b.gethostbyname(ctx, host)
	if err != nil {
		return "", nil, nil, r.annotate(ctx, q, err)
	}
	if h.family != AF_INET {
		return "", nil, nil, errnoError(int(syscall.EAFNOSUPPORT), "Address family not supported by protocol", nil)
	}
	return h.name, nonNil(h.aliases), nonNil(h.addrs), nil
}

// HostAddrs6 returns host's canonical name and IPv6 addresses, in the order
// getaddrinfo(host, None, AF_INET6, SOCK_STREAM, 0, AI_CANONNAME) gives them,
// for `resolve --all`.
func (r *Resolver) HostAddrs6(ctx context.Context, host string) (canon string, addrs []string, err error) {
	if err := checkHostArg("getaddrinfo", host); err != nil {
		return "", nil, err
	}
	rows, err := r.backend().getaddrinfo(ctx, &host, nil, addrHints{family: AF_INET6, socktype: SOCK_STREAM, flags: AI_CANONNAME})
	if err != nil {
		return "", nil, r.annotate(ctx, question{name: host, family: AF_INET6}, err)
	}
	out := []string{}
	for _, row := range rows {
		out = append(out, row.Addr)
	}
	if len(rows) > 0 {
		canon = rows[0].Canonname
	}
	return canon, out, nil
}

// NoAddress reports whether err says only that the host has no address of
// the family asked for (or no address at all), as opposed to a lookup that
// could not be made: no answer, a refusal, a timeout or a cancel.
func NoAddress(err error) bool {
	var pe *Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Class {
	case ClassGai:
		return pe.Errno == EAI_NONAME || pe.Errno == EAI_NODATA || pe.Errno == EAI_ADDRFAMILY
	case ClassH:
		return pe.Errno == hostNotFound || pe.Errno == noData
	}
	return false
}

// AddrInfo answers socket.getaddrinfo(host, port, family, socktype). port may be
// a number, a service name, or "" for None; host "" is Python's ”. socktype and
// family 0 mean any, in which case glibc answers with SOCK_STREAM, SOCK_DGRAM and
// SOCK_RAW rows for each address.
func (r *Resolver) AddrInfo(ctx context.Context, host, port string, socktype, family int) ([]AddrInfo, error) {
	return r.AddrInfoFlags(ctx, host, port, family, socktype, 0, 0)
}

// AddrInfoFlags is AddrInfo with every argument of socket.getaddrinfo, in
// Python's order: family, type, proto, flags (AI_CANONNAME, AI_PASSIVE, …).
func (r *Resolver) AddrInfoFlags(ctx context.Context, host, port string, family, socktype, proto, flags int) ([]AddrInfo, error) {
	if err := checkIDNA(host); err != nil {
		return nil, err
	}
	q := question{name: host, family: family}
	if flags&(AI_NUMERICHOST|AI_NUMERICSERV) != 0 {
		q.name = "" // a not-found then may be about the flags, not the name
	}
	rows, err := r.addrInfo(ctx, host, port, family, socktype, proto, flags)
	return rows, r.annotate(ctx, q, err)
}

func (r *Resolver) addrInfo(ctx context.Context, host, port string, family, socktype, proto, flags int) ([]AddrInfo, error) {
	h := addrHints{family: family, socktype: socktype, proto: proto, flags: flags}
	b := r.backend()
	if cString(port) == "" {
		return b.getaddrinfo(ctx, &host, nil, h) // glibc reads "" as no service
	}
	if !IsServiceName(port) || h.flags&^knownAIFlags != 0 {
		return b.getaddrinfo(ctx, &host, &port, h)
	}
	return addrInfoByService(ctx, b, &host, port, h)
}

// knownAIFlags are the getaddrinfo flags glibc accepts.
const knownAIFlags = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | AI_NUMERICSERV

// IsServiceName reports whether getaddrinfo reads port as a service name to
// look up, rather than as a number (glibc's rule: strtoul, leading spaces and
// one '+' allowed, nothing after the digits).
func IsServiceName(port string) bool {
	t := strings.TrimPrefix(strings.TrimLeft(cString(port), " \t\n\v\f\r"), "+")
	if t == "" {
		return cString(port) != ""
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return true
		}
	}
	return false
}

// addrInfoByService answers getaddrinfo for a service name from the one
// services database every command reads (DefaultServices), not from the C
// library's: with the embedded table in use glibc knows no service at all.
// As glibc does, the service is looked up first, for each socket type asked
// (its errors come before the host's), and then every address of the host
// gets one row per socket type that has the service.
func addrInfoByService(ctx context.Context, b backend, host *string, port string, h addrHints) ([]AddrInfo, error) {
	if host == nil && h.flags&AI_CANONNAME != 0 {
		return nil, gaiError(EAI_BADFLAGS, nil)
	}
	rows, err := serviceRows(&port, h)
	if err != nil {
		return nil, err
	}
	one := h
	one.socktype, one.proto = rows[0].socktype, rows[0].proto
	one.flags &^= AI_NUMERICSERV
	num := strconv.Itoa(rows[0].port)
	addrs, err := b.getaddrinfo(ctx, host, &num, one)
	if err != nil {
		return nil, err
	}
	out := make([]AddrInfo, 0, len(addrs)*len(rows))
	for _, a := range addrs {
		for _, row := range rows {
			ai := a
			ai.Type, ai.Proto, ai.Port = row.socktype, row.proto, row.port
			if len(out) > 0 {
				ai.Canonname = ""
			}
			out = append(out, ai)
		}
	}
	return out, nil
}

// HostByAddr answers socket.gethostbyaddr(addr): the name recorded for an address
// (a host name is resolved first, as Python does), its aliases and addresses.
func (r *Resolver) HostByAddr(ctx context.Context, addr string) (name string, aliases, addrs []string, err error) {
	if err := checkHostArg("gethostbyaddr", addr); err != nil {
		return "", nil, nil, err
	}
	b := r.backend()
	a, err := setipaddr(ctx, b, addr, AF_UNSPEC)
	if err != nil {
		return "", nil, nil, r.annotate(ctx, question{name: addr, family: AF_UNSPEC}, err)
	}
	h, err := b.gethostbyaddr(ctx, a)
	if err != nil {
		return "", nil, nil, r.annotate(ctx, question{addr: a}, err)
	}
	if want := familyOf(a); h.family != want {
		return "", nil, nil, errnoError(int(syscall.EAFNOSUPPORT), "Address family not supported by protocol", nil)
	}
	return h.name, nonNil(h.aliases), nonNil(h.addrs), nil
}

// FQDN answers socket.getfqdn(name) and says in one line which case of Python's
// rule gave the answer.
func (r *Resolver) FQDN(ctx context.Context, name string) (fqdn string, why string, err error) {
	name = strings.TrimSpace(name)
	lead := ""
	if name == "" || name == "0.0.0.0" || name == "::" {
		shown := name
		if shown == "" {
			shown = "an empty name"
		}
		hn, err := Hostname()
		if err != nil {
			return "", "", err
		}
		lead = shown + " means this host, so getfqdn starts from gethostname() = " + pyRepr(hn) + "; "
		name = hn
	}
	host, aliases, _, err := r.HostByAddr(ctx, name)
	if err != nil {
		if pe, ok := err.(*Error); ok && isOSErrorClass(pe.Class) {
			cause := pe.Error()
			if pe.Hint != "" {
				cause += ": " + pe.Hint
			}
			return name, lead + "gethostbyaddr(" + pyRepr(name) + ") failed (" + cause + "), so getfqdn returns " + pyRepr(name) + " unchanged", nil
		}
		return "", "", err
	}
	for _, n := range append([]string{host}, aliases...) {
		if strings.Contains(n, ".") {
			return n, lead + "gethostbyaddr(" + pyRepr(name) + ") gave " + pyRepr(n) + ", the first of the name and aliases containing a dot", nil
		}
	}
	return host, lead + "gethostbyaddr(" + pyRepr(name) + ") gave " + pyRepr(host) + "; no name or alias contains a dot, so getfqdn returns that host name", nil
}

// isOSErrorClass reports whether Python's `except socket.error` (OSError) catches
// the class.
func isOSErrorClass(c string) bool {
	return c == ClassOS || c == ClassGai || c == ClassH
}

// setipaddr turns a host argument into one address as CPython's setipaddr does:
// ” is the wildcard, '<broadcast>' the broadcast address, literals parse without
// a lookup, and anything else is the first answer of getaddrinfo.
func setipaddr(ctx context.Context, b backend, name string, af int) (netip.Addr, error) {
	if name == "" {
		zero := "0"
		rows, err := b.getaddrinfo(ctx, nil, &zero, addrHints{family: af, socktype: SOCK_DGRAM, flags: AI_PASSIVE})
		if err != nil {
			return netip.Addr{}, err
		}
		if len(rows) > 1 {
			return netip.Addr{}, plainError(ClassOS, "wildcard resolved to multiple address",
				"'' means every local address, and there is one for IPv4 and one for IPv6")
		}
		return parseRowAddr(rows[0]), nil
	}
	if name == "255.255.255.255" || name == "<broadcast>" {
		if af != AF_INET && af != AF_UNSPEC {
			return netip.Addr{}, plainError(ClassOS, "address family mismatched", "")
		}
		return netip.AddrFrom4([4]byte{255, 255, 255, 255}), nil
	}
	if a, ok := parseAddr(name); ok && a.Zone() == "" {
		if a.Is4() && (af == AF_UNSPEC || af == AF_INET) {
			return a, nil
		}
		if a.Is6() && (af == AF_UNSPEC || af == AF_INET6) {
			return a, nil
		}
	}
	rows, err := b.getaddrinfo(ctx, &name, nil, addrHints{family: af})
	if err != nil {
		return netip.Addr{}, err
	}
	return parseRowAddr(rows[0]), nil
}
