// Addresses as the C library prints and reads them: inet_ntop's spelling of
// IPv4 and IPv6, the family of an address, an address from a getaddrinfo row.

package netdb

import (
	"net/netip"
	"strings"
)

// parseAddr is netip.ParseAddr for a string that may be an address: one
// with a byte that no address has before its %zone (a host name: every
// name lookup asks first) is refused without calling it, whose error for
// it is an allocation.
func parseAddr(s string) (netip.Addr, bool) {
	for i := 0; i < len(s) && s[i] != '%'; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '.' || c == ':') {
			return netip.Addr{}, false
		}
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

func parseRowAddr(row AddrInfo) netip.Addr {
	host := row.Addr
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	a, _ := netip.ParseAddr(host)
	return a
}

func familyOf(a netip.Addr) int {
	if a.Is4() {
		return AF_INET
	}
	return AF_INET6
}

// formatAddr prints an address as glibc's inet_ntop does.
func formatAddr(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	return formatIPv6(a.As16())
}

// formatIPv6 is glibc's inet_ntop for AF_INET6: the longest run of two or more
// zero groups becomes "::", and IPv4-compatible (::a.b.c.d) and IPv4-mapped
// (::ffff:a.b.c.d) addresses end in dotted quads.
func formatIPv6(b [16]byte) string {
	var w [8]uint16
	for i := range w {
		w[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	bestBase, bestLen, curBase, curLen := -1, 0, -1, 0
	for i := 0; i < 8; i++ {
		if w[i] == 0 {
			if curBase < 0 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
			if curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
		} else {
			curBase, curLen = -1, 0
		}
	}
	if bestLen < 2 {
		bestBase = -1
	}
	var sb strings.Builder
	for i := 0; i < 8; i++ {
		if bestBase >= 0 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				sb.WriteByte(':')
			}
			continue
		}
		if i > 0 {
			sb.WriteByte(':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)) {
			sb.WriteString(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}).String())
			break
		}
		sb.WriteString(strings.ToLower(strconvHex(w[i])))
	}
	if bestBase >= 0 && bestBase+bestLen == 8 {
		sb.WriteByte(':')
	}
	return sb.String()
}

func strconvHex(v uint16) string {
	const digits = "0123456789abcdef"
	if v == 0 {
		return "0"
	}
	var buf [4]byte
	i := len(buf)
	for v > 0 {
		i--
		buf[i] = digits[v&0xf]
		v >>= 4
	}
	return string(buf[i:])
}
