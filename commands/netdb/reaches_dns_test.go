package netdb

// Which questions of the reference test (python_test.go) would reach the
// machine's DNS server: CPython's steps followed far enough to tell a numeric
// host or a name in /etc/hosts from one the resolver would send to DNS.
// Outside the sandbox (sandbox_test.go) such questions are skipped.

import (
	"context"
	"net/netip"
	"strings"
)

// reachesDNS reports whether the system's resolver, asked q as CPython asks it,
// would send a DNS query: whether q names a host or address that is neither
// numeric nor in /etc/hosts. It errs towards yes; in the sandbox every "no" is
// checked against the stub server's log.
func reachesDNS(q query) bool {
	switch q.Op {
	case "servbyname", "servbyport", "hostname":
		return false
	}
	if len(q.Args) == 0 {
		return true
	}
	host, _ := q.Args[0].(string)
	switch q.Op {
	case "hostbyname", "hostbyname_ex":
		if checkHostArg("", host) != nil {
			return false // refused before any lookup
		}
		_, failed, dns := localSetipaddr(host, AF_INET)
		if dns || failed || q.Op == "hostbyname" {
			return dns
		}
		return !localHostByName(host)
	case "hostbyaddr", "fqdn":
		if q.Op == "fqdn" {
			host = strings.TrimSpace(host)
			if host == "" || host == "0.0.0.0" || host == "::" {
				hn, err := Hostname()
				if err != nil {
					return true
				}
				host = hn
			}
		}
		if checkHostArg("", host) != nil {
			return false
		}
		a, failed, dns := localSetipaddr(host, AF_UNSPEC)
		if dns || failed {
			return dns
		}
		if a == netip.IPv6Unspecified() {
			return false // glibc refuses :: before asking any service
		}
		_, ok := hostsByAddr(a)
		return !ok
	case "addrinfo":
		if len(q.Args) < 6 || checkIDNA(host) != nil {
			return len(q.Args) < 6
		}
		return !localAddrInfo(cString(host), intArg(q.Args[2]), intArg(q.Args[5]))
	}
	return true
}

func intArg(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case float64:
		return int(n)
	}
	return -1
}

// localAddrInfo reports whether getaddrinfo(name, …, family, flags) is answered
// without DNS: a bad family, a numeric host, or a name /etc/hosts has for the
// family.
func localAddrInfo(name string, family, flags int) bool {
	if flags&AI_NUMERICHOST != 0 || family != AF_UNSPEC && family != AF_INET && family != AF_INET6 {
		return true
	}
	if a, ok := parseNumericHost(name); ok {
		return a.Zone() == ""
	}
	_, _, ok := hostsByName(name, family)
	return ok
}

// localSetipaddr follows CPython's setipaddr: the address it settles on, whether
// it fails, and whether getting there takes a DNS query.
func localSetipaddr(name string, af int) (a netip.Addr, failed, dns bool) {
	switch {
	case name == "":
		return netip.IPv4Unspecified(), af == AF_UNSPEC, false
	case name == "255.255.255.255" || name == "<broadcast>":
		return netip.AddrFrom4([4]byte{255, 255, 255, 255}), af != AF_INET && af != AF_UNSPEC, false
	}
	if !localAddrInfo(name, af, 0) {
		return netip.Addr{}, false, true
	}
	addrs, _, err := newGoBackend("").hostAddrs(context.Background(), &name, addrHints{family: af})
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, true, false
	}
	return addrs[0], false, false
}

// localHostByName reports whether gethostbyname_r(name) is answered without DNS:
// a dotted-decimal address or a name /etc/hosts has for IPv4.
func localHostByName(name string) bool {
	if a, ok := parseNumericHost(name); ok && a.Is4() && strings.Trim(name, "0123456789.") == "" {
		return true
	}
	_, _, ok := hostsByName(name, AF_INET)
	return ok
}
