// This file reads /etc/hosts the way glibc's files backend does, for the Go
// backend: the first matching line gives the name, and with "multi on" later
// lines add their aliases, names and addresses.

package netdb

import (
	"bufio"
	"io"
	"net/netip"
	"os"
	"strings"
)

// hostsPath is the hosts file the Go backend reads.
const hostsPath = "/etc/hosts"

type hostsLine struct {
	addr    netip.Addr
	name    string
	aliases []string
}

func readHosts() []hostsLine {
	f, err := os.Open(hostsPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	return parseHosts(f)
}

// parseHosts reads hosts(5) lines: an address, a name, aliases; '#' to the
// end of a line is a comment; lines of fewer fields or a bad address are
// skipped.
func parseHosts(r io.Reader) []hostsLine {
	var out []hostsLine
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		a, err := netip.ParseAddr(fields[0])
		if err != nil || a.Zone() != "" {
			continue // glibc skips scoped addresses in /etc/hosts
		}
		out = append(out, hostsLine{addr: a, name: fields[1], aliases: fields[2:]})
	}
	return out
}

func (l hostsLine) names(name string) bool {
	if strings.EqualFold(l.name, name) {
		return true
	}
	for _, a := range l.aliases {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// addrFor returns the line's address as seen by a lookup of family af: for
// AF_INET, ::1 reads as 127.0.0.1 (a glibc rule) and other IPv6 lines do not
// match.
func (l hostsLine) addrFor(af int) (netip.Addr, bool) {
	switch af {
	case AF_INET:
		if l.addr.Is4() {
			return l.addr, true
		}
		if l.addr == netip.IPv6Loopback() {
			return netip.AddrFrom4([4]byte{127, 0, 0, 1}), true
		}
		if l.addr.Is4In6() {
			return l.addr.Unmap(), true
		}
		return netip.Addr{}, false
	case AF_INET6:
		if l.addr.Is6() {
			return l.addr, true
		}
		return netip.Addr{}, false
	}
	return l.addr, true
}

// hostsByName merges the lines naming name for family af (AF_UNSPEC: both).
func hostsByName(name string, af int) (h hostent, addrs []netip.Addr, ok bool) {
	for _, l := range readHosts() {
		if !l.names(name) {
			continue
		}
		a, fits := l.addrFor(af)
		if !fits {
			continue
		}
		if !ok {
			h = hostent{name: l.name, aliases: append([]string(nil), l.aliases...), family: AF_INET}
			ok = true
		} else {
			h.aliases = append(h.aliases, l.aliases...)
			if l.name != h.name {
				h.aliases = append(h.aliases, l.name)
			}
		}
		addrs = append(addrs, a)
		h.addrs = append(h.addrs, formatAddr(a))
	}
	return h, addrs, ok
}

// hostsByAddr returns the first line for the address.
func hostsByAddr(a netip.Addr) (hostent, bool) {
	for _, l := range readHosts() {
		if l.addr == a {
			return hostent{name: l.name, aliases: append([]string(nil), l.aliases...), family: familyOf(a), addrs: []string{formatAddr(a)}}, true
		}
	}
	return hostent{}, false
}

// HostNames lists the names and aliases of the hosts file, each once, in
// file order, for Tab completion. It reads only the file, never DNS.
func HostNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range readHosts() {
		for _, n := range append([]string{l.name}, l.aliases...) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}
