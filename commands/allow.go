// Guardrails for a class: `set allow` limits the addresses sockets may
// connect to, send to, probe or bind (a lab where learners must not reach
// the rest of the network), and `sockshell --allow` fixes the list at start.
//
// The seam: every command that is about to reach an IP address calls
// allowTarget(c, op, ip, port) once it has resolved the host, before any
// Python line or system call, and returns its error as it is. A name is
// resolved first and its address checked, so a name that resolves outside
// the list is refused. connect, bind and sendto (dial.go's runAddrCall and
// io.go's runSendTo), socket.create_connection and the gopher client
// (dialRegistered), listen (the address the socket listens on) and serve
// (listenAddr) call it; a new command that reaches an address (probe, a
// TLS connect of its own, DNS queries to a server) must call it too. Unix
// domain sockets have no IP address and are not limited.
package commands

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// allowList is the session's `set allow`: empty for no limit.
type allowList struct {
	entries []allowEntry
	fixed   bool // set by sockshell --allow: set allow may not change it
}

// allowEntry is one item of the list: an address prefix, or a host name
// whose addresses (resolved when a target is checked) are allowed.
type allowEntry struct {
	prefix netip.Prefix
	name   string
}

func (e allowEntry) String() string {
	if e.name != "" {
		return e.name
	}
	if e.prefix.IsSingleIP() {
		return e.prefix.Addr().String()
	}
	return e.prefix.String()
}

var allowKey = shell.NewStateKey("allow", func() allowList { return allowList{} })

// errAllowFixed is set allow's error once --allow fixed the list.
var errAllowFixed = shell.Usagef("allow was fixed when sockshell started (--allow); it cannot be changed from inside the shell")

// parseAllow reads "127.0.0.0/8,::1,lab.example"; "any" (or "") is no limit.
func parseAllow(v string) ([]allowEntry, error) {
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, "any") {
		return nil, nil
	}
	var out []allowEntry
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, allowEntry{prefix: p.Masked()})
			continue
		}
		if ip, err := netip.ParseAddr(item); err == nil {
			out = append(out, allowEntry{prefix: netip.PrefixFrom(ip, ip.BitLen())})
			continue
		}
		if !validHost(item) || strings.Trim(item, "0123456789.") == "" {
			// 300.1.1.1 is no address and no name: a mistake.
			return nil, shell.Usagef("allow takes addresses, prefixes (127.0.0.0/8) and host names, with commas between them, or any; not %q", item)
		}
		out = append(out, allowEntry{name: strings.ToLower(item)})
	}
	if len(out) == 0 {
		return nil, shell.Usagef("allow takes addresses, prefixes (127.0.0.0/8) and host names, with commas between them, or any")
	}
	return out, nil
}

func allowText(entries []allowEntry) string {
	if len(entries) == 0 {
		return "any"
	}
	parts := make([]string, len(entries))
	for i, e := range entries {
		parts[i] = e.String()
	}
	return strings.Join(parts, ",")
}

// allowSettings is the guard's setting.
func allowSettings() []*shell.Setting {
	return []*shell.Setting{{
		Name:   "allow",
		Help:   "where sockets may connect, send, probe or bind: addresses, prefixes and host names with commas between them (127.0.0.0/8,::1,lab.example), or any",
		Values: []string{"any", "127.0.0.0/8,::1"},
		Get: func(s *shell.Session) (string, any) {
			a := allowKey.Get(s)
			if len(a.entries) == 0 {
				return "any", nil
			}
			t := allowText(a.entries)
			return t, t
		},
		Set: func(s *shell.Session, value string) error {
			if allowKey.Get(s).fixed {
				return errAllowFixed
			}
			entries, err := parseAllow(value)
			if err != nil {
				return err
			}
			allowKey.With(s, func(a *allowList) { a.entries = entries })
			return nil
		},
	}}
}

// FixAllow sets the allow list of a session and fixes it, as sockshell
// --allow does: set allow then refuses to change it.
func FixAllow(s *shell.Session, value string) error {
	entries, err := parseAllow(value)
	if err != nil {
		return err
	}
	allowKey.With(s, func(a *allowList) { a.entries, a.fixed = entries, true })
	return nil
}

// allowTarget is the guard: it returns nil when the session's allow list
// is empty or holds ip, and otherwise one error naming the setting. op
// says what was about to happen ("connect", "sendto", "bind", "listen",
// "serve", "probe").
func allowTarget(c *shell.Call, op string, ip netip.Addr, port int) error {
	a := allowKey.Get(c.Session)
	if len(a.entries) == 0 {
		return nil
	}
	ip = ip.Unmap().WithZone("")
	var names []allowEntry
	for _, e := range a.entries {
		if e.name == "" && e.prefix.Contains(ip) {
			return nil
		}
		if e.name != "" {
			names = append(names, e)
		}
	}
	for _, e := range names {
		if allowedName(c, e.name, ip) {
			return nil
		}
	}
	how := "set allow"
	if a.fixed {
		how = "--allow (fixed when sockshell started)"
	}
	what := addrString(ip, port)
	if ip.IsUnspecified() {
		what += fmt.Sprintf(" (%s: every address of this machine)", ip)
	}
	e := shell.Errorf("PermissionError", "%s %s is not allowed: %s is %s", op, what, how, allowText(a.entries))
	e.Hint = "the shell refused this before any system call; the address is outside the list the class is limited to"
	return &allowError{e}
}

// allowError is a refusal by the guard; nothing ran, so no Python line
// stands for it.
type allowError struct{ e *shell.Error }

func (e *allowError) Error() string { return e.e.Error() }
func (e *allowError) Unwrap() error { return e.e }

// isAllowError reports whether err is the guard's refusal.
func isAllowError(err error) bool {
	var ae *allowError
	return errors.As(err, &ae)
}

// allowedName resolves an allowed name with the session's resolver and
// reports whether ip is one of its addresses.
func allowedName(c *shell.Call, name string, ip netip.Addr) bool {
	ctx, cancel := bounded(c)
	defer cancel()
	infos, err := resolver(c).AddrInfo(ctx, name, "", unix.SOCK_STREAM, 0)
	if err != nil {
		return false
	}
	for _, ai := range infos {
		if a, err := netip.ParseAddr(ai.Addr); err == nil && a.Unmap() == ip {
			return true
		}
	}
	return false
}
