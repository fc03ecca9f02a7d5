// URL parsing and formatting for gopher:// URLs (RFC 4266).

package gopher

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// DefaultPort is the gopher port assigned by IANA.
const DefaultPort = 70

// Target says what to fetch: a host and port, the item type the client
// expects, the selector string and, for type 7 (search) items, the search
// string sent after a tab.
type Target struct {
	Host     string // host name or IP address, without brackets
	Port     int    // 1..65535; 70 when the URL gives none
	Type     byte   // item type, '1' when the URL has no path
	Selector string // decoded selector
	Query    string // decoded search string (the part after %09), or ""
}

// URLError reports a URL that cannot be parsed.
type URLError struct {
	URL string
	Msg string
}

func (e *URLError) Error() string { return fmt.Sprintf("bad gopher URL %q: %s", e.URL, e.Msg) }

// ParseURL parses gopher://HOST[:PORT][/TYPE[SELECTOR[%09SEARCH[%09GOPHERPLUS]]]].
//
// The item type is the first character of the path; it defaults to '1'
// (menu) when the path is empty. The selector and search string are
// percent-decoded. As RFC 4266 says, the search string is introduced by
// %09 (an encoded tab); '?' and '#' are ordinary selector characters. A
// gopher+ string after a second %09 is ignored. An IPv6 address is written
// in brackets. The scheme may be omitted.
//
// Selectors and search strings may not contain a tab, CR or LF once
// decoded: those bytes cannot be sent in a gopher request.
func ParseURL(s string) (Target, error) {
	bad := func(format string, args ...any) (Target, error) {
		return Target{}, &URLError{URL: s, Msg: fmt.Sprintf(format, args...)}
	}
	rest := s
	if i := strings.Index(rest, "://"); i >= 0 {
		if !strings.EqualFold(rest[:i], "gopher") {
			return bad("scheme %q is not gopher", rest[:i])
		}
		rest = rest[i+3:]
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i+1:]
	}
	host, port, err := splitAuthority(authority)
	if err != nil {
		return bad("%v", err)
	}
	t := Target{Host: host, Port: port, Type: '1'}
	if path == "" {
		return t, nil
	}
	// The type character, possibly percent-encoded.
	if path[0] == '%' {
		if len(path) < 3 {
			return bad("bad escape in item type")
		}
		b, ok := unhex2(path[1], path[2])
		if !ok {
			return bad("bad escape %q", path[:3])
		}
		t.Type, path = b, path[3:]
	} else {
		t.Type, path = path[0], path[1:]
	}
	if t.Type < 0x21 || t.Type > 0x7e {
		return bad("item type %q is not a printable character", t.Type)
	}
	sel, query, hasQuery := cutEscapedTab(path)
	if t.Selector, err = unescape(sel); err != nil {
		return bad("%v", err)
	}
	if hasQuery {
		query, _, _ = cutEscapedTab(query) // drop a gopher+ string
		if t.Query, err = unescape(query); err != nil {
			return bad("%v", err)
		}
	}
	if strings.ContainsAny(t.Selector, "\t\r\n") {
		return bad("selector contains a tab, CR or LF")
	}
	if strings.ContainsAny(t.Query, "\t\r\n") {
		return bad("search string contains a tab, CR or LF")
	}
	return t, nil
}

// splitAuthority splits HOST[:PORT] or [IPV6][:PORT].
func splitAuthority(a string) (host string, port int, err error) {
	if strings.Contains(a, "@") {
		return "", 0, errors.New("user information is not allowed in gopher URLs")
	}
	portStr := ""
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", 0, errors.New("missing ']' after IPv6 address")
		}
		host = a[1:end]
		after := a[end+1:]
		if after != "" {
			if after[0] != ':' {
				return "", 0, fmt.Errorf("unexpected %q after IPv6 address", after)
			}
			portStr = after[1:]
		}
		addr, perr := netip.ParseAddr(host)
		if perr != nil || !addr.Is6() || addr.Zone() != "" {
			return "", 0, fmt.Errorf("%q is not an IPv6 address", host)
		}
	} else {
		host = a
		if i := strings.IndexByte(a, ':'); i >= 0 {
			host, portStr = a[:i], a[i+1:]
		}
		if err := checkHostName(host); err != nil {
			return "", 0, err
		}
	}
	if host == "" {
		return "", 0, errors.New("empty host")
	}
	port = DefaultPort
	if portStr != "" {
		n, perr := strconv.Atoi(portStr)
		if perr != nil || n < 1 || n > 65535 || portStr[0] == '+' || portStr[0] == '-' {
			return "", 0, fmt.Errorf("bad port %q", portStr)
		}
		port = n
	}
	return host, port, nil
}

// checkHostName accepts registered names and IPv4 addresses: letters,
// digits, '-', '.' and '_'.
func checkHostName(h string) error {
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_':
		default:
			return fmt.Errorf("bad character %q in host", c)
		}
	}
	return nil
}

// ValidHost reports whether h can name a host: an IP address (IPv6
// without brackets) or a name of letters, digits, '-', '.' and '_'.
func ValidHost(h string) bool {
	if h == "" {
		return false
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	return checkHostName(h) == nil
}

// cutEscapedTab splits s at the first "%09".
func cutEscapedTab(s string) (before, after string, found bool) {
	return strings.Cut(s, "%09")
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unhex2(a, b byte) (byte, bool) {
	hi, ok1 := unhex(a)
	lo, ok2 := unhex(b)
	return hi<<4 | lo, ok1 && ok2
}

// unescape percent-decodes s. '+' stays '+'.
func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("bad escape %q", s[i:])
		}
		c, ok := unhex2(s[i+1], s[i+2])
		if !ok {
			return "", fmt.Errorf("bad escape %q", s[i:i+3])
		}
		b.WriteByte(c)
		i += 2
	}
	return b.String(), nil
}

// keepInPath reports whether c can appear unescaped in a URL path.
func keepInPath(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}

func escapeTo(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keepInPath(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
}

// URL formats t as a gopher:// URL that ParseURL turns back into t. The
// port is left out when it is 70.
func (t Target) URL() string {
	var b strings.Builder
	b.WriteString("gopher://")
	if strings.Contains(t.Host, ":") {
		b.WriteString("[" + t.Host + "]")
	} else {
		b.WriteString(t.Host)
	}
	if t.Port != DefaultPort && t.Port != 0 {
		b.WriteString(":" + strconv.Itoa(t.Port))
	}
	typ := t.Type
	if typ == 0 {
		typ = '1'
	}
	b.WriteByte('/')
	escapeTo(&b, string(typ))
	escapeTo(&b, t.Selector)
	if t.Query != "" {
		b.WriteString("%09")
		escapeTo(&b, t.Query)
	}
	return b.String()
}

// String returns t.URL().
func (t Target) String() string { return t.URL() }

// Request returns the request line a client sends for t: the selector, a
// tab and the search string when there is one, then CRLF.
func (t Target) Request() string {
	if t.Query != "" {
		return t.Selector + "\t" + t.Query + "\r\n"
	}
	return t.Selector + "\r\n"
}
