// The name-service commands: servport, servname, services, resolve,
// addrinfo, fqdn, hostbyaddr, hostname (Python's module-level functions).
package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

func netdbCommands() []*shell.Command {
	return []*shell.Command{
		{
			Name: "servport", Group: groupNetdb,
			Summary: "Look a port up by service name, as socket.getservbyname does.",
			Help: "Reads the services database (/etc/services, or the file $SOCKSHELL_SERVICES names;\n" +
				"an embedded table of the well-known services when that file is missing or unreadable,\n" +
				"and the answer says so). Every command that takes a service name reads the same one.\n" +
				"Aliases count. With no PROTO the first entry of that name answers, whatever its\n" +
				"protocol, as in Python; PROTO '' matches only lines without a protocol.",
			Python:   "socket.getservbyname(name, proto)",
			Examples: []string{"servport http tcp", "servport domain udp", "servport www"},
			Args:     []shell.Arg{shell.Req("NAME", serviceArg), shell.Opt("PROTO", protoArg)},
			Run: func(c *shell.Call) (any, error) {
				c.Python("socket.getservbyname(%s)", pyArgs(c))
				db := netdb.DefaultServices()
				svc, err := db.ByName(c.Arg(0), c.Texts(1)...)
				if err != nil {
					return nil, err
				}
				noteSource(c, db)
				return svc.Port, nil
			},
		},
		{
			Name: "servname", Group: groupNetdb,
			Summary:  "Look a service name up by port, as socket.getservbyport does.",
			Help:     "The inverse of servport: the first entry in the services database with that port (and protocol, if given).",
			Python:   "socket.getservbyport(port, proto)",
			Examples: []string{"servname 80 tcp", "servname 53"},
			Args:     []shell.Arg{shell.Req("PORT", nil), shell.Opt("PROTO", protoArg)},
			Run: func(c *shell.Call) (any, error) {
				port, err := strconv.Atoi(c.Arg(0))
				if err != nil {
					c.Python("socket.getservbyport(%s)", pyArgs(c))
					return nil, shell.Errorf("TypeError", "'str' object cannot be interpreted as an integer")
				}
				if c.NArg() > 1 {
					c.Python("socket.getservbyport(%d, %s)", port, shell.StrRepr(c.Arg(1)))
				} else {
					c.Python("socket.getservbyport(%d)", port)
				}
				db := netdb.DefaultServices()
				svc, err := db.ByPort(port, c.Texts(1)...)
				if err != nil {
					return nil, err
				}
				noteSource(c, db)
				return svc.Name, nil
			},
		},
		{
			Name: "services", Group: groupNetdb,
			Summary:  "List the services database, or the entries that match a pattern.",
			Help:     "PATTERN matches a name, an alias or a port: a substring, or a glob with * and ?.",
			Python:   "open('/etc/services').read()",
			Examples: []string{"services", "services http", "services 53"},
			Args:     []shell.Arg{shell.Opt("PATTERN", serviceArg)},
			Run: func(c *shell.Call) (any, error) {
				db := netdb.DefaultServices()
				if db.Source == "embedded" {
					c.Python("# services: sockshell's embedded table of well-known services (%s)", db.Why)
				} else {
					c.Python("open(%s).read()", shell.StrRepr(db.Source))
				}
				entries := db.All()
				if c.NArg() == 1 {
					entries = db.Match(c.Arg(0))
				}
				r := &shell.Rows{Header: []string{"name", "port", "proto", "aliases"}}
				for _, e := range entries {
					r.Append(e.Name, e.Port, e.Proto, append([]string{}, e.Aliases...))
				}
				noteSource(c, db)
				if len(entries) == 0 {
					c.Note("no service matches %s", shell.StrRepr(c.Arg(0)))
				}
				return r, nil
			},
		},
		{
			Name: "resolve", Group: groupNetdb,
			Summary: "Resolve a host name to an IPv4 address, as socket.gethostbyname does.",
			Help: "Follows the system's order (/etc/hosts, then DNS), or asks the server of `set dns`.\n" +
				"An IPv4 address comes back unchanged. With --all: every name and address, IPv4\n" +
				"(socket.gethostbyname_ex) and IPv6 (socket.getaddrinfo), as a table, and a note says\n" +
				"which rows gethostbyname_ex alone returns (it fails on a name with only IPv6 addresses).",
			Python:   "socket.gethostbyname(host)",
			Examples: []string{"resolve localhost", "resolve --all localhost"},
			Args:     []shell.Arg{shell.OptFlag("all"), shell.Req("HOST", hostArg)},
			Flags:    []shell.Flag{{Name: "all", Help: "every address and alias, IPv4 and IPv6 (gethostbyname_ex)"}},
			Run:      runResolve,
		},
		{
			Name: "addrinfo", Group: groupNetdb,
			Summary: "The addresses to connect to for a host and port, as socket.getaddrinfo returns them.",
			Help: "PORT is a number or a service name. tcp or udp picks the socket type, inet or inet6\n" +
				"the family, in any order after HOST, with the words `socket` takes (stream, dgram,\n" +
				"ipv4, ipv6, 4, 6); a number right after HOST is the PORT. `set format python` prints\n" +
				"the list Python returns.",
			Python:   "socket.getaddrinfo(host, port, family, type)",
			Examples: []string{"addrinfo localhost http tcp", "addrinfo ::1 80 inet6"},
			Args: append([]shell.Arg{shell.Req("HOST", hostArg), shell.Opt("PORT", aiPortArg)},
				specArgs(specKind(", and the port was given already"))...),
			Run: runAddrinfo,
		},
		{
			Name: "fqdn", Group: groupNetdb,
			Summary: "A fully qualified domain name for a name or address, as socket.getfqdn finds it.",
			Help: "Python's rule: look the name up in reverse (gethostbyaddr); answer the first of the\n" +
				"names found that has a dot; if the lookup fails, answer NAME unchanged. So an address\n" +
				"with no PTR record comes back as it went in. With explain on, says which case happened.",
			Python:   "socket.getfqdn(name)",
			Examples: []string{"fqdn", "fqdn 127.0.0.1", "explain on; fqdn 192.0.2.1"},
			Args:     []shell.Arg{shell.Opt("NAME", hostArg)},
			Run: func(c *shell.Call) (any, error) {
				if c.NArg() == 1 {
					c.Python("socket.getfqdn(%s)", shell.StrRepr(c.Arg(0)))
				} else {
					c.Python("socket.getfqdn()")
				}
				ctx, cancel := bounded(c)
				defer cancel()
				name, why, err := resolver(c).FQDN(ctx, c.Arg(0))
				if err != nil {
					return nil, err
				}
				if c.Explaining() && why != "" {
					c.Note("%s", why)
				}
				return name, nil
			},
		},
		{
			Name: "hostbyaddr", Group: groupNetdb,
			Summary:  "Reverse lookup: the host name, aliases and addresses for an address (socket.gethostbyaddr).",
			Help:     "Uses /etc/hosts, then DNS PTR records (or the server of `set dns`). A name is resolved first, as in Python.",
			Python:   "socket.gethostbyaddr(ip)",
			Examples: []string{"hostbyaddr 127.0.0.1"},
			Args:     []shell.Arg{shell.Req("IP", hostArg)},
			Run: func(c *shell.Call) (any, error) {
				c.Python("socket.gethostbyaddr(%s)", shell.StrRepr(c.Arg(0)))
				ctx, cancel := bounded(c)
				defer cancel()
				name, aliases, addrs, err := resolver(c).HostByAddr(ctx, c.Arg(0))
				if err != nil {
					return nil, err
				}
				return shell.Tuple{name, strList(aliases), strList(addrs)}, nil
			},
		},
		{
			Name: "hostname", Group: groupNetdb,
			Summary:  "This machine's host name (socket.gethostname).",
			Python:   "socket.gethostname()",
			Examples: []string{"hostname"},
			Run: func(c *shell.Call) (any, error) {
				c.Python("socket.gethostname()")
				return netdb.Hostname()
			},
		},
	}
}

// noteSource says, when the embedded services table answered, that it did
// and why: every command that reads a service name or port uses the one
// database, netdb.DefaultServices.
func noteSource(c *shell.Call, db *netdb.ServicesDB) {
	if d := db.Describe(); d != "" {
		c.Note("%s", d)
	}
}

// pyArgs formats the call's arguments from the first for a Python call.
func pyArgs(c *shell.Call) string {
	args := c.Texts(0)
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = shell.StrRepr(a)
	}
	return strings.Join(parts, ", ")
}

func strList(l []string) shell.List {
	out := make(shell.List, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

func runResolve(c *shell.Call) (any, error) {
	host := c.Arg(0)
	ctx, cancel := bounded(c)
	defer cancel()
	r := resolver(c)
	if !c.Has("all") {
		c.Python("socket.gethostbyname(%s)", shell.StrRepr(host))
		return r.HostByName(ctx, host)
	}
	pyHost := shell.StrRepr(host)
	pyEx := fmt.Sprintf("socket.gethostbyname_ex(%s)", pyHost)
	// AF_UNSPEC, then keep the IPv6 rows: asked for AF_INET6 alone, Python
	// raises for a name that has none, where this table just has no rows.
	py6 := fmt.Sprintf("[a[4][0] for a in socket.getaddrinfo(%s, None, 0, socket.SOCK_STREAM) if a[0] == socket.AF_INET6]", pyHost)
	name, aliases, addrs, err4 := r.HostByNameEx(ctx, host)
	if err4 != nil && !netdb.NoAddress(err4) {
		c.Python("%s", pyEx)
		return nil, err4 // no answer, a refusal, a timeout, Ctrl-C: no table that looks complete
	}
	canon6, addrs6, err6 := r.HostAddrs6(ctx, host)
	if err6 != nil && !netdb.NoAddress(err6) {
		c.Python("%s", pyEx)
		c.Python("%s", py6)
		return nil, err6
	}
	if err4 != nil && len(addrs6) == 0 {
		c.Python("%s", pyEx)
		return nil, err4
	}
	rows := &shell.Rows{Header: []string{"family", "address", "name", "aliases"}}
	if err4 == nil {
		c.Python("%s", pyEx)
		rows.Py = shell.Tuple{name, strList(aliases), strList(addrs)}
	} else {
		// The explain lines stay runnable: the call that raises is a comment.
		c.Python("# %s raises %s: no IPv4 address", pyEx, shell.Classify(err4).Error())
		rows.Py = strList(addrs6) // the value of the getaddrinfo line: gethostbyname_ex gave none
	}
	c.Python("%s", py6)
	aliasList := append([]string{}, aliases...) // a list in json, words in the table
	for _, a := range addrs {
		rows.Append("AF_INET", a, name, aliasList)
	}
	name6, aliases6 := name, aliasList
	if err4 != nil {
		name6, aliases6 = canon6, []string{}
	}
	for _, a := range addrs6 {
		rows.Append("AF_INET6", a, name6, aliases6)
	}
	switch {
	case err4 != nil:
		c.Note("%s alone raises %s: %s has no IPv4 address; the AF_INET6 rows come from socket.getaddrinfo",
			pyEx, shell.Classify(err4).Error(), pyHost)
	case len(addrs6) == 0:
		c.Note("the AF_INET rows are what %s returns; %s has no IPv6 address", pyEx, pyHost)
	default:
		c.Note("the AF_INET rows are what %s returns; the AF_INET6 rows come from socket.getaddrinfo", pyEx)
	}
	return rows, nil
}

// Socket constants as Python's enums show them.
var (
	familyNames = map[int]string{unix.AF_INET: "AF_INET", unix.AF_INET6: "AF_INET6", unix.AF_UNIX: "AF_UNIX", unix.AF_UNSPEC: "AF_UNSPEC"}
	typeNames   = map[int]string{unix.SOCK_STREAM: "SOCK_STREAM", unix.SOCK_DGRAM: "SOCK_DGRAM", unix.SOCK_RAW: "SOCK_RAW", unix.SOCK_SEQPACKET: "SOCK_SEQPACKET"}
)

func enumRepr(kind string, names map[int]string, v int) shell.Repr {
	n, ok := names[v]
	if !ok {
		return shell.Repr{Text: strconv.Itoa(v), JSON: v}
	}
	return shell.Repr{Text: "<" + kind + "." + n + ": " + strconv.Itoa(v) + ">", JSON: n}
}

func runAddrinfo(c *shell.Call) (any, error) {
	host := c.Arg(0)
	port, portGiven := "", false
	if _, ok := c.Value(1).(string); ok { // PORT, not a family or type word (specWord)
		port, portGiven = c.Arg(1), true
	}
	family, socktype, err := sockSpec(c, 1)
	if err != nil {
		return nil, err
	}
	py := shell.StrRepr(host) + ", "
	if !portGiven {
		py += "None"
	} else if _, err := strconv.Atoi(port); err == nil {
		py += port
	} else {
		py += shell.StrRepr(port)
	}
	if family != 0 || socktype != 0 {
		pyFamily := "0"
		if family != 0 {
			pyFamily = "socket." + bsd.FamilyName(family)
		}
		py += ", " + pyFamily
		if socktype != 0 {
			py += ", socket." + bsd.TypeName(socktype)
		}
	}
	c.Python("socket.getaddrinfo(%s)", py)
	ctx, cancel := bounded(c)
	defer cancel()
	if netdb.IsServiceName(port) {
		noteSource(c, netdb.DefaultServices())
	}
	infos, err := resolver(c).AddrInfo(ctx, host, port, socktype, family)
	if err != nil {
		return nil, err
	}
	return addrinfoRows(infos), nil
}

// sockaddrTuple is a getaddrinfo row's sockaddr as Python gives it:
// (host, port), or (host, port, flowinfo, scope_id) for IPv6.
func sockaddrTuple(ai netdb.AddrInfo) shell.Tuple {
	if ai.Family == unix.AF_INET6 {
		return shell.Tuple{ai.Addr, ai.Port, int64(ai.FlowInfo), int64(ai.ScopeID)}
	}
	return shell.Tuple{ai.Addr, ai.Port}
}
