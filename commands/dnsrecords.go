// The dns command: one DNS question, asked of a server as dig asks it, and
// the whole reply as a table (answer, authority, additional sections) with
// the header's rcode and flags, who answered and how long it took. The
// exchange is commands/dnsrec's; this file turns the reply into a result
// (the table and its values: dnsresult.go), its Python (dnspython's
// resolver) and its errors (dnspython's classes).

package commands

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/commands/dnsrec"
	"github.com/sockshell/sockshell/shell"
)

// dnsTypes are the record types dns completes, in the order help lists
// them; any type name miekg/dns knows is taken.
var dnsTypes = []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "PTR", "CAA", "ANY"}

// dnsTypeArg is dns's TYPE: a record type's name, in any case.
var dnsTypeArg = &shell.ArgKind{Name: "record type",
	Complete: func(*shell.Session, string) []string { return dnsTypes },
	Match: func(_ *shell.Session, w string) bool {
		_, ok := dns.StringToType[strings.ToUpper(w)]
		return ok
	},
	Parse: func(c *shell.Call, name string, w shell.Word) (any, error) {
		t, ok := dns.StringToType[strings.ToUpper(w.Text)]
		if !ok {
			return nil, c.UsageError(fmt.Sprintf("%s is a record type (%s), not %s", name, strings.Join(dnsTypes, ", "), shell.StrRepr(w.Text)))
		}
		return t, nil
	}}

// resolvConf is the file whose first nameserver dns asks when neither
// --server nor `set dns` names one (a variable for the tests, which never
// ask the machine's server).
var resolvConf = dnsrec.ResolvConf

func dnsCommands() []*shell.Command {
	return []*shell.Command{{
		Name: "dns", Group: groupNetdb,
		Summary: "Ask a DNS server for records of a name, as dig does: answer, authority, TTLs, flags.",
		Help: "TYPE is A (the default), AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR, CAA, ANY or any\n" +
			"other type's name. For PTR, NAME may be an address: its reverse name is asked\n" +
			"(192.0.2.1 → 1.2.0.192.in-addr.arpa.); an address with no TYPE asks PTR too.\n" +
			"The server is --server HOST:PORT, else the session's `set dns`, else the first\n" +
			"nameserver of /etc/resolv.conf. The question goes over UDP (EDNS0, 1232 bytes) and\n" +
			"again over TCP when the answer comes back truncated (TC), or over TCP from the start\n" +
			"with --tcp. /etc/hosts is not read: this is DNS only, unlike resolve.\n" +
			"The table has a row per record of the answer, authority and additional sections;\n" +
			"the notes say who answered, over what, the rcode, the flags (AA authoritative, TC\n" +
			"truncated, RD recursion desired, RA recursion available, AD authenticated data) and\n" +
			"the time taken. NXDOMAIN, an empty answer (NODATA), SERVFAIL, REFUSED, a server\n" +
			"that never answers and a reply that is not DNS are errors, as dnspython raises them.\n" +
			"ANY: since RFC 8482 a server may answer with only some of a name's records, or\n" +
			"with one HINFO record \"RFC8482\", so ANY does not list everything; ask per type.\n" +
			"Python: dnspython (`import dns.resolver`) is a third-party module, not the\n" +
			"standard library: pip install dnspython.",
		Python: "dns.resolver.resolve(name, type)",
		Examples: []string{"dns example.org", "dns MX example.org", "dns TXT example.org --server 127.0.0.1:53",
			"dns PTR 192.0.2.1", "dns SOA example.org --tcp"},
		Args: []shell.Arg{shell.Opt("TYPE", dnsTypeArg), shell.Req("NAME", hostArg), shell.OptFlag("server"), shell.OptFlag("tcp")},
		Flags: []shell.Flag{
			{Name: "server", Value: true, Meta: "HOST:PORT", Help: "the DNS server to ask (port 53 if left out)",
				Kind: &shell.ArgKind{Name: "server", Complete: func(*shell.Session, string) []string { return []string{"127.0.0.1:53"} }}},
			{Name: "tcp", Help: "ask over TCP, not UDP"},
		},
		Run: runDNS,
	}}
}

// dnsAsk is what one dns call asks, worked out from its words.
type dnsAsk struct {
	name   string // the name asked, with its trailing dot
	qtype  uint16
	addr   string // the address a reverse name was made from, or ""
	server string // HOST:PORT
	source string // where the server came from: "--server", "set dns", the resolv.conf path
}

func runDNS(c *shell.Call) (any, error) {
	ask, err := dnsQuestion(c)
	if err != nil {
		return nil, err
	}
	if ap, err := netip.ParseAddrPort(ask.server); err == nil {
		if err := allowTarget(c, "query", ap.Addr(), int(ap.Port())); err != nil {
			return nil, err // refused by set allow: nothing sent
		}
	}
	dnsPython(c, ask)
	q := dnsrec.Question{Name: ask.name, Type: ask.qtype, Server: ask.server, TCP: c.Has("tcp")}
	if d, ok := c.Session.Timeout(); ok {
		q.Timeout = d // set timeout bounds the exchange, as bounded(c) bounds other calls
	}
	if c.Explaining() {
		q.Trace = func(step string) { c.Syscalls(step) }
	}
	reply, err := dnsrec.Exchange(c.Ctx, q)
	if err != nil {
		return nil, dnsExchangeError(ask, err)
	}
	c.Timing("query", reply.RTT)
	if err := dnsRcodeError(ask, reply); err != nil {
		return nil, err
	}
	return dnsResult(c, ask, reply), nil
}

// dnsQuestion reads the call's words: the type, the name (a reverse name
// for PTR of an address) and the server.
func dnsQuestion(c *shell.Call) (dnsAsk, error) {
	ask := dnsAsk{qtype: dns.TypeA}
	nameAt := 0
	if c.NArg() == 2 {
		ask.qtype = c.Value(0).(uint16)
		nameAt = 1
	}
	name := c.Arg(nameAt)
	if a, err := netip.ParseAddr(name); err == nil {
		if c.NArg() == 1 {
			ask.qtype = dns.TypePTR
		}
		if ask.qtype == dns.TypePTR {
			rev, err := dns.ReverseAddr(a.String())
			if err != nil {
				return ask, c.UsageError(err.Error())
			}
			ask.addr, name = a.String(), rev
		}
	}
	if _, ok := dns.IsDomainName(name); !ok || name == "" || strings.Contains(name, "..") {
		return ask, c.UsageError(fmt.Sprintf("NAME must be a domain name (labels of at most 63 bytes, 255 in all), not %s", shell.StrRepr(name)))
	}
	ask.name = dns.Fqdn(name)
	switch v, ok := c.Flag("server"); {
	case ok:
		hp, err := normalizeHostPort(v, "53")
		if err != nil {
			return ask, c.UsageError("--server: " + err.(*shell.Error).Msg)
		}
		ask.server, ask.source = hp, "--server"
	case dnsServer.Get(c.Session) != "":
		ask.server, ask.source = dnsServer.Get(c.Session), "set dns"
	default:
		hp, err := dnsrec.SystemServer(resolvConf)
		if err != nil {
			return ask, shell.Errorf("OSError", "%v", err)
		}
		ask.server, ask.source = hp, resolvConf
	}
	return ask, nil
}

// dnsPython records dnspython's way to ask the same: the module-level
// resolver for the system's server, a Resolver of its own for another.
func dnsPython(c *shell.Call, ask dnsAsk) {
	c.PythonLine("import dns.resolver  # dnspython, a third-party module: pip install dnspython")
	call := "dns.resolver."
	if ask.source != resolvConf {
		host, port, _ := net.SplitHostPort(ask.server)
		c.PythonLine("r = dns.resolver.Resolver(configure=False)")
		c.PythonLine("r.nameservers = [" + shell.StrRepr(host) + "]; r.port = " + port)
		call = "r."
	}
	tcp := ""
	if c.Has("tcp") {
		tcp = ", tcp=True"
	}
	if ask.addr != "" {
		c.PythonLine(call + "resolve_address(" + shell.StrRepr(ask.addr) + tcp + ")")
		return
	}
	c.PythonLine(call + "resolve(" + shell.StrRepr(strings.TrimSuffix(ask.name, ".")) + ", " + shell.StrRepr(dns.TypeToString[ask.qtype]) + tcp + ")")
}

// dnsQuery names the question as dnspython's messages do: "name. IN MX".
func (a dnsAsk) query() string { return a.name + " IN " + dns.TypeToString[a.qtype] }

// dnsExchangeError is the error of an exchange that brought no reply, as
// dnspython raises it: LifetimeTimeout for silence, NoNameservers for a
// server that failed (a reply that is not DNS, a refused socket).
func dnsExchangeError(ask dnsAsk, err error) error {
	var de *dnsrec.Error
	if !errors.As(err, &de) {
		return err // a cancel (Ctrl-C) or a bug: the shell names it
	}
	switch de.Kind {
	case dnsrec.NoReply:
		e := shell.Errorf("dns.resolver.LifetimeTimeout", "The resolution lifetime expired after %.3f seconds: Server %s (%s) sent no reply", de.Waited.Seconds(), ask.server, de.Net)
		e.Hint = "nothing came back: a server that is down or filtered, a wrong address or port, or a UDP datagram lost; `set timeout` bounds the wait (5 s at most)"
		return e
	case dnsrec.Malformed:
		e := shell.Errorf("dns.resolver.NoNameservers", "All nameservers failed to answer the query %s: Server %s sent a malformed reply: %s", ask.query(), ask.server, shell.BytesRepr(clip(de.Bytes, 24)))
		e.Hint = fmt.Sprintf("%d bytes came back that do not parse as a DNS message (%v): is a DNS server listening there?", len(de.Bytes), de.Err)
		if strings.Contains(de.Err.Error(), "compression pointer") {
			e.Hint = fmt.Sprintf("%d bytes came back whose header and question are DNS, but a name in them is compression pointers that lead back into themselves (%v): a broken or hostile server; a resolver gives up on such a reply", len(de.Bytes), de.Err)
		}
		return e
	case dnsrec.WrongID:
		e := shell.Errorf("dns.resolver.NoNameservers", "All nameservers failed to answer the query %s: Server %s sent a reply to another query", ask.query(), ask.server)
		e.Hint = fmt.Sprintf("the reply parses as DNS but does not answer ours (%v); a resolver drops such replies, as they may be forged", de.Err)
		return e
	}
	var short *dnsrec.ShortError
	if errors.As(de.Err, &short) {
		e := shell.Errorf("dns.resolver.NoNameservers", "All nameservers failed to answer the query %s: Server %s (%s) answered EOFError: %v", ask.query(), ask.server, de.Net, short)
		e.Hint = "over TCP each DNS message comes after a 2-byte length; the server ended the connection before the whole message it announced (a server that crashed or cut the answer), so nothing of it is shown"
		return e
	}
	x := shell.Classify(de.Err)
	e := shell.Errorf("dns.resolver.NoNameservers", "All nameservers failed to answer the query %s: Server %s (%s) answered %s", ask.query(), ask.server, de.Net, x.Python().String())
	if x.HasErrno && x.Errno == 111 && de.Net == "udp" {
		e.Hint = "the kernel got ICMP port unreachable: nothing listens on that UDP port"
	} else if x.HasErrno && x.Errno == 111 {
		e.Hint = "nothing listens on that TCP port"
	}
	return e
}

// clip is the first n bytes of b.
func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// dnsRcodeError is the error for a reply that answers with no records:
// NXDOMAIN, NODATA (NOERROR and an empty answer), SERVFAIL, REFUSED and
// the other failing rcodes.
func dnsRcodeError(ask dnsAsk, r *dnsrec.Reply) error {
	m := r.Msg
	who := func() string { return "the server " + ask.server + " (" + r.Net + ")" } // spelled for an error only
	switch {
	case m.Rcode == dns.RcodeNameError:
		e := shell.Errorf("dns.resolver.NXDOMAIN", "The DNS query name does not exist: %s", ask.name)
		e.Hint = who() + " answered NXDOMAIN (rcode 3): no record of any type exists for this name" + negativeTTL(m)
		return e
	case m.Rcode == dns.RcodeSuccess && ask.qtype == dns.TypeANY && len(m.Answer) == 0:
		e := shell.Errorf("dns.resolver.NoAnswer", "The DNS response does not contain an answer to the question: %s", ask.query())
		e.Hint = who() + " answered ANY with NOERROR and no records: RFC 8482 lets a server answer ANY with less than every record, here none; ask for each type instead"
		return e
	case m.Rcode == dns.RcodeSuccess && !answersQuestion(ask, m):
		e := shell.Errorf("dns.resolver.NoAnswer", "The DNS response does not contain an answer to the question: %s", ask.query())
		e.Hint = who() + " answered NOERROR with no " + dns.TypeToString[ask.qtype] + " record (NODATA): the name exists, but has no record of this type" + negativeTTL(m)
		return e
	case m.Rcode != dns.RcodeSuccess:
		rc := dns.RcodeToString[m.Rcode]
		if rc == "" {
			rc = fmt.Sprintf("rcode %d", m.Rcode)
		}
		e := shell.Errorf("dns.resolver.NoNameservers", "All nameservers failed to answer the query %s: Server %s answered %s", ask.query(), ask.server, rc)
		switch m.Rcode {
		case dns.RcodeServerFailure:
			e.Hint = who() + " answered SERVFAIL (rcode 2): it could not get an answer itself (an upstream server failed or did not answer, or DNSSEC validation failed)"
		case dns.RcodeRefused:
			e.Hint = who() + " answered REFUSED (rcode 5): it will not answer this question for us (not a zone it serves, and it does not recurse for us)"
		case dns.RcodeFormatError:
			e.Hint = who() + " answered FORMERR (rcode 1): it could not parse our query"
		case dns.RcodeNotImplemented:
			e.Hint = who() + " answered NOTIMP (rcode 4): it does not support this kind of query"
		}
		return e
	}
	return nil
}

// answersQuestion reports whether the answer section holds a record of
// the type asked (or any record, for ANY), at the name or the end of its
// CNAME chain.
func answersQuestion(ask dnsAsk, m *dns.Msg) bool {
	for _, rr := range m.Answer {
		t := rr.Header().Rrtype
		if ask.qtype == dns.TypeANY || t == ask.qtype {
			return true
		}
	}
	return false
}

// negativeTTL says how long a resolver may cache a negative answer: the
// SOA of the authority section, when the server sent one (RFC 2308).
func negativeTTL(m *dns.Msg) string {
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			ttl := min(soa.Hdr.Ttl, soa.Minttl)
			return fmt.Sprintf("; the authority section's SOA of %s lets resolvers cache this for %d s (RFC 2308)", soa.Hdr.Name, ttl)
		}
	}
	return ""
}

// rcodeName is an rcode's mnemonic, NOERROR, NXDOMAIN.
func rcodeName(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// anyNote says truly what an ANY answer is: RFC 8482's HINFO refusal, or
// whatever subset the server chose to give.
func anyNote(m *dns.Msg) string {
	for _, rr := range m.Answer {
		if h, ok := rr.(*dns.HINFO); ok && h.Cpu == "RFC8482" {
			return "the server declined ANY as RFC 8482 allows, with one HINFO \"RFC8482\" record: ask for each type instead"
		}
	}
	types := []string{}
	for _, rr := range m.Answer {
		t := dns.TypeToString[rr.Header().Rrtype]
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return fmt.Sprintf("ANY is answered with what the server chooses to give (RFC 8482 lets it give a subset), here %s: this need not be every record of the name; ask for each type to be sure", strings.Join(types, ", "))
}

// dnsSeconds formats a time taken: "0.8 ms", "1.204 s".
func dnsSeconds(d interface{ Seconds() float64 }) string {
	s := d.Seconds()
	if s < 1 {
		return strconv.FormatFloat(s*1000, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(s, 'f', 3, 64) + " s"
}
