// This file holds the Go backend: Go's DNS client (to a named server, or to the
// system's when cgo is missing) plus /etc/hosts, shaped into glibc's answers.

package netdb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

type goBackend struct {
	r      *net.Resolver
	server string // the server of `set dns`, "" for /etc/resolv.conf's
}

// newGoBackend sends every DNS query to server ("HOST:PORT"); "" uses the
// servers in /etc/resolv.conf.
func newGoBackend(server string) goBackend {
	r := &net.Resolver{PreferGo: true}
	if server != "" {
		r.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		}
	}
	return goBackend{r: r, server: server}
}

// socktypeRows are glibc's (type, protocol, protocol name) rows for getaddrinfo.
var socktypeRows = []struct {
	socktype, proto int
	name            string
	byDefault       bool
}{
	{SOCK_STREAM, 6, "tcp", true},
	{SOCK_DGRAM, 17, "udp", true},
	{6, 33, "dccp", false},
	{SOCK_DGRAM, 136, "udplite", false},
	{SOCK_SEQPACKET, 132, "sctp", false},
	{SOCK_STREAM, 132, "sctp", false},
	{SOCK_RAW, 0, "raw", true},
}

type sockRow struct{ socktype, proto, port int }

// serviceRows resolves the port argument against the socket types asked for.
func serviceRows(port *string, h addrHints) ([]sockRow, error) {
	if h.family != AF_UNSPEC && h.family != AF_INET && h.family != AF_INET6 {
		return nil, gaiError(EAI_FAMILY, nil)
	}
	num, numeric := 0, true
	name := ""
	if port != nil {
		name = cString(*port)
		t := strings.TrimLeft(name, " \t\n\v\f\r")
		t = strings.TrimPrefix(t, "+")
		v, err := strconv.ParseUint(t, 10, 64)
		if err != nil || t == "" {
			numeric = false
		} else {
			num = int(v & 0xffff)
		}
		if !numeric && h.flags&AI_NUMERICSERV != 0 {
			return nil, gaiError(EAI_NONAME, nil)
		}
	}
	var rows []sockRow
	var tried []string
	known := false
	for _, t := range socktypeRows {
		if h.socktype != 0 && h.socktype != t.socktype || h.proto != 0 && h.proto != t.proto {
			continue
		}
		if h.socktype == 0 && h.proto == 0 && !t.byDefault {
			continue
		}
		known = true
		p := num
		if !numeric {
			if t.socktype == SOCK_RAW {
				continue
			}
			tried = append(tried, t.name)
			s, err := DefaultServices().ByName(name, t.name)
			if err != nil {
				continue
			}
			p = s.Port
		}
		proto := t.proto
		if h.proto != 0 {
			proto = h.proto
		}
		rows = append(rows, sockRow{t.socktype, proto, p})
		if h.socktype != 0 && h.proto == 0 {
			break
		}
	}
	if !known {
		return nil, gaiError(EAI_SOCKTYPE, nil)
	}
	if len(rows) == 0 {
		e := gaiError(EAI_SERVICE, nil)
		if len(tried) > 0 {
			e.Hint = "no line of " + DefaultServices().describe() + " names the service " + pyRepr(name) +
				" for " + strings.Join(tried, " or ") + ", the protocols of the socket types asked for"
		} else {
			e.Hint = "a SOCK_RAW socket has no ports, so a service name means nothing for it"
		}
		return nil, e
	}
	return rows, nil
}

// cString cuts s at its first NUL, as C sees it.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func (g goBackend) getaddrinfo(ctx context.Context, host, port *string, h addrHints) ([]AddrInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("getaddrinfo: %w", err)
	}
	if host == nil && port == nil {
		return nil, gaiError(EAI_NONAME, nil)
	}
	rows, err := serviceRows(port, h)
	if err != nil {
		return nil, err
	}
	addrs, canon, err := g.hostAddrs(ctx, host, h)
	if err != nil {
		return nil, err
	}
	var out []AddrInfo
	for i, a := range addrs {
		for j, r := range rows {
			ai := AddrInfo{Family: familyOf(a), Type: r.socktype, Proto: r.proto, Addr: formatAddr(a), Port: r.port}
			if a.Zone() != "" {
				ai.Addr += "%" + a.Zone()
				if ifi, err := net.InterfaceByName(a.Zone()); err == nil {
					ai.ScopeID = uint32(ifi.Index)
				} else if n, err := strconv.ParseUint(a.Zone(), 10, 32); err == nil {
					ai.ScopeID = uint32(n)
				}
			}
			if i == 0 && j == 0 && h.flags&AI_CANONNAME != 0 {
				ai.Canonname = canon
			}
			out = append(out, ai)
		}
	}
	return out, nil
}

// hostAddrs resolves the host argument of getaddrinfo.
func (g goBackend) hostAddrs(ctx context.Context, host *string, h addrHints) ([]netip.Addr, string, error) {
	if host == nil {
		v4, v6 := netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()
		if h.flags&AI_PASSIVE != 0 {
			v4, v6 = netip.IPv4Unspecified(), netip.IPv6Unspecified()
		}
		switch h.family {
		case AF_INET:
			return []netip.Addr{v4}, "", nil
		case AF_INET6:
			return []netip.Addr{v6}, "", nil
		}
		return []netip.Addr{v6, v4}, "", nil
	}
	name := cString(*host)
	if name == "" {
		return nil, "", gaiError(EAI_NONAME, nil)
	}
	if a, ok := parseNumericHost(name); ok {
		if h.family == AF_INET && !a.Is4() || h.family == AF_INET6 && a.Is4() {
			return nil, "", gaiError(EAI_ADDRFAMILY, nil)
		}
		return []netip.Addr{a}, name, nil
	}
	if h.flags&AI_NUMERICHOST != 0 {
		return nil, "", gaiError(EAI_NONAME, nil)
	}
	if he, addrs, ok := hostsByName(name, h.family); ok {
		if h.family == AF_UNSPEC {
			// glibc sorts the answer (RFC 6724); for /etc/hosts entries that puts
			// IPv6 first.
			var v6, v4 []netip.Addr
			for _, a := range addrs {
				if a.Is4() {
					v4 = append(v4, a)
				} else {
					v6 = append(v6, a)
				}
			}
			addrs = append(v6, v4...)
		}
		return addrs, he.name, nil
	}
	network := map[int]string{AF_INET: "ip4", AF_INET6: "ip6"}[h.family]
	if network == "" {
		network = "ip"
	}
	ips, err := g.r.LookupNetIP(ctx, network, name)
	if err != nil {
		if g.nodata(ctx, name, h.family, err) {
			return nil, "", gaiError(EAI_NODATA, err)
		}
		return nil, "", gaiFromDNS(ctx, "getaddrinfo", name, err)
	}
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		out = append(out, ip.Unmap())
	}
	canon := name
	if h.flags&AI_CANONNAME != 0 {
		if c, err := g.r.LookupCNAME(ctx, name); err == nil {
			canon = strings.TrimSuffix(c, ".")
		}
	}
	return out, canon, nil
}

// nodata reports whether a lookup that Go's resolver found nothing for
// asked about a name that exists: the server answered NOERROR, not NXDOMAIN.
// glibc then fails with EAI_NODATA, "No address associated with hostname"
// (python3 against dnsmasq: gethostbyname of a name with only an AAAA record).
func (g goBackend) nodata(ctx context.Context, name string, family int, err error) bool {
	var de *net.DNSError
	if g.server == "" || ctx.Err() != nil || !errors.As(err, &de) || !de.IsNotFound {
		return false
	}
	qtype := uint16(qtypeA)
	if family == AF_INET6 {
		qtype = qtypeAAAA
	}
	exists, ok := nameExists(ctx, g.server, name, qtype)
	return ok && exists
}

// parseNumericHost reads an IPv4 address as inet_aton does (1, 2, 3 or 4 parts,
// decimal, octal or hex) or an IPv6 address with an optional %scope.
func parseNumericHost(s string) (netip.Addr, bool) {
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		return a, err == nil
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, n, ok := parseCUlong(p)
		if !ok || n != len(p) || strings.HasPrefix(p, "+") {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	var v uint64
	last := len(vals) - 1
	for i, p := range vals[:last] {
		if p > 255 {
			return netip.Addr{}, false
		}
		v |= p << (24 - 8*uint(i))
	}
	if vals[last] >= 1<<(32-8*uint(last)) {
		return netip.Addr{}, false
	}
	v |= vals[last]
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// gaiFromDNS maps a Go DNS error to glibc's getaddrinfo code: a missing name is
// EAI_NONAME and a server that does not answer EAI_AGAIN.
func gaiFromDNS(ctx context.Context, what, name string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", what, name, ctx.Err())
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			// A missing name; a name without addresses of the asked family
			// (EAI_NODATA) is told apart by nodata before this.
			return gaiError(EAI_NONAME, err)
		case de.IsTimeout, de.IsTemporary:
			return gaiError(EAI_AGAIN, err)
		}
		return gaiError(EAI_FAIL, err)
	}
	// Go's "no suitable address": Go's resolver found the name in /etc/hosts,
	// but not for this family, and so asked no DNS server.
	return gaiError(EAI_NONAME, fmt.Errorf("%w: %w", errHostsOnly, err))
}

// errHostsOnly marks a lookup that Go's resolver answered from /etc/hosts
// alone, without a DNS query.
var errHostsOnly = errors.New("answered from /etc/hosts, no DNS query")

// herrFromDNS maps a Go DNS error to an h_errno.
func herrFromDNS(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return hError(hostNotFound, err)
		case de.IsTimeout, de.IsTemporary:
			return hError(tryAgain, err)
		}
	}
	return hError(noRecovery, err)
}

func (g goBackend) gethostbyname(ctx context.Context, name string) (hostent, error) {
	if name == "" {
		return hostent{}, hError(noRecovery, nil)
	}
	if !validHostName(name) {
		// glibc refuses the name without setting h_errno; see gethostbyaddr.
		return hostent{}, hError(0, nil)
	}
	// glibc takes a name of digits and dots as an address (inet_aton).
	if a, ok := parseNumericHost(name); ok && a.Is4() && strings.Trim(name, "0123456789.") == "" {
		return hostent{name: name, family: AF_INET, addrs: []string{formatAddr(a)}}, nil
	}
	if he, _, ok := hostsByName(name, AF_INET); ok {
		return he, nil
	}
	ips, err := g.r.LookupNetIP(ctx, "ip4", name)
	if err != nil {
		return hostent{}, herrFromDNS(ctx, "gethostbyname", err)
	}
	he := hostent{name: name, family: AF_INET}
	if c, err := g.r.LookupCNAME(ctx, name); err == nil {
		if c = strings.TrimSuffix(c, "."); c != "" && !strings.EqualFold(c, name) {
			he.name, he.aliases = c, []string{name}
		}
	}
	for _, ip := range ips {
		he.addrs = append(he.addrs, formatAddr(ip.Unmap()))
	}
	return he, nil
}

func (g goBackend) gethostbyaddr(ctx context.Context, addr netip.Addr) (hostent, error) {
	if addr == netip.IPv6Unspecified() {
		// glibc refuses :: without setting h_errno, so CPython reports whatever
		// h_errno last held on the thread: 0 in a fresh process.
		return hostent{}, hError(0, nil)
	}
	if he, ok := hostsByAddr(addr); ok {
		return he, nil
	}
	names, err := g.r.LookupAddr(ctx, addr.String())
	if err != nil {
		return hostent{}, herrFromDNS(ctx, "gethostbyaddr", err)
	}
	if len(names) == 0 {
		return hostent{}, hError(hostNotFound, nil)
	}
	he := hostent{family: familyOf(addr), addrs: []string{formatAddr(addr)}}
	for i, n := range names {
		n = strings.TrimSuffix(n, ".")
		if i == 0 {
			he.name = n
		} else {
			he.aliases = append(he.aliases, n)
		}
	}
	return he, nil
}

// validHostName is the resolver's check on a name it will send (res_hnok, loosely):
// letters, digits, '-', '_' and '.'.
func validHostName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
