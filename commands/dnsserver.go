// The name service's setting, `set dns`: which DNS server the lookups ask
// (the system's resolver by default), declared here by the family that
// reads it, with its checks.

package commands

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
)

// dnsServer is the session's DNS server, "HOST:PORT", or "" for the
// system's resolver.
var dnsServer = shell.NewStateKey("dns", func() string { return "" })

// netdbSettings are the settings of the name-service commands.
func netdbSettings() []*shell.Setting {
	return []*shell.Setting{{
		Name:   "dns",
		Help:   "HOST:PORT of a DNS server to ask instead of the system's, or system",
		Values: []string{"system", "127.0.0.1:53"},
		Get: func(s *shell.Session) (string, any) {
			if server := dnsServer.Get(s); server != "" {
				return server, server
			}
			return "system", nil
		},
		Set: func(s *shell.Session, value string) error {
			server := ""
			if value != "system" && value != "" && value != "none" {
				hp, err := normalizeHostPort(value, "53")
				if err != nil {
					return err
				}
				server = hp
			}
			dnsServer.With(s, func(v *string) { *v = server })
			return nil
		},
	}}
}

// resolver asks the session's DNS server, or the system's resolver.
func resolver(c *shell.Call) *netdb.Resolver {
	return &netdb.Resolver{Server: dnsServer.Get(c.Session)}
}

// normalizeHostPort checks HOST[:PORT], adding the default port.
func normalizeHostPort(v, defPort string) (string, error) {
	host, port := v, defPort
	if strings.HasPrefix(v, "[") {
		end := strings.Index(v, "]")
		if end < 0 {
			return "", shell.Usagef("bad address %q: missing ]", v)
		}
		host = v[1:end]
		if rest := v[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return "", shell.Usagef("bad address %q", v)
			}
			port = rest[1:]
		}
	} else if strings.Count(v, ":") == 1 {
		host, port, _ = strings.Cut(v, ":")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || !validHost(host) {
		return "", shell.Usagef("expected HOST:PORT (an address or a host name, and a port 1-65535), not %q", v)
	}
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port, nil
	}
	return host + ":" + port, nil
}

// validHost accepts an IP address or a host name made of letters, digits,
// hyphens and dots.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
