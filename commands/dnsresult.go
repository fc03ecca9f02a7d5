// The dns command's result: the reply as a table, its notes, and the
// values set format python and json show (built only for them).

package commands

import (
	"strings"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/commands/dnsrec"
	"github.com/sockshell/sockshell/shell"
)

// dnsHeader is the answer table's header (shared by every table: the
// renderer only reads it).
var dnsHeader = []string{"section", "name", "ttl", "class", "type", "data"}

// dnsSection is a section of the reply, as the table names it.
type dnsSection struct {
	name string
	rrs  []dns.RR
}

// dnsSections are m's sections in the table's order.
func dnsSections(m *dns.Msg) [3]dnsSection {
	return [3]dnsSection{{"answer", m.Answer}, {"authority", m.Ns}, {"additional", m.Extra}}
}

// dnsRecords calls f with each record of m the table shows, with its
// section's name and its data as rdata spells it (EDNS0's OPT
// pseudo-record is the header's extension, not a record, and is left out).
func dnsRecords(m *dns.Msg, f func(section string, rr dns.RR, data string)) {
	for _, sec := range dnsSections(m) {
		for _, rr := range sec.rrs {
			if rr.Header().Rrtype != dns.TypeOPT {
				f(sec.name, rr, rdata(rr))
			}
		}
	}
}

// dnsResult is the reply as a table, its notes, and its JSON.
func dnsResult(c *shell.Call, ask dnsAsk, r *dnsrec.Reply) *shell.Rows {
	m := r.Msg
	rows := &shell.Rows{Header: dnsHeader}
	dnsRecords(m, func(section string, rr dns.RR, data string) {
		h := rr.Header()
		rows.Append(section, h.Name, int(h.Ttl), dns.Class(h.Class).String(), dns.Type(h.Rrtype).String(), data)
	})
	// set format python: the records' texts, as [str(r) for r in answer].
	rows.Py = shell.Lazy(func() any {
		var py shell.List
		dnsRecords(m, func(section string, rr dns.RR, data string) {
			if t := rr.Header().Rrtype; section == "answer" && (t == ask.qtype || ask.qtype == dns.TypeANY) {
				py = append(py, data)
			}
		})
		return py
	})
	source := ask.source
	if source == resolvConf {
		source = "the first nameserver of " + resolvConf
	}
	c.Note("%s", "server "+ask.server+" ("+r.Net+", from "+source+"), "+rcodeName(m.Rcode)+", flags "+
		flagsText(m)+", "+count(r.Size, "byte")+", answered in "+dnsSeconds(r.RTT))
	if r.Retry {
		c.Note("the UDP answer came back truncated (TC set), so the question was asked again over TCP, as resolvers do: this is the TCP answer")
	}
	if ask.addr != "" {
		c.Note("%s is the reverse name of %s", ask.name, ask.addr)
	}
	if ask.qtype == dns.TypeANY {
		c.Note("%s", anyNote(m))
	}
	// set format json: the whole reply, built only for it.
	rows.JSON = shell.Lazy(func() any {
		json := map[string]any{
			"question": map[string]any{"name": ask.name, "type": dns.TypeToString[ask.qtype], "class": "IN"},
			"server":   ask.server, "transport": r.Net, "server_from": ask.source,
			"rcode": rcodeName(m.Rcode), "flags": headerFlags(m), "bytes": r.Size,
			"seconds": r.RTT.Seconds(), "retried_over_tcp": r.Retry,
		}
		for _, s := range []string{"answer", "authority", "additional"} {
			json[s] = shell.List{}
		}
		dnsRecords(m, func(section string, rr dns.RR, data string) {
			h := rr.Header()
			json[section] = append(json[section].(shell.List), map[string]any{
				"name": h.Name, "ttl": int(h.Ttl), "class": dns.Class(h.Class).String(), "type": dns.Type(h.Rrtype).String(), "data": data})
		})
		return json
	})
	return rows
}

// rdata is a record's data as a zone file writes it: the text after its
// name, TTL, class and type. miekg/dns spells a record as its header
// (RR_Header.String: the name, TTL, class and type, each followed by a
// tab) and then its data; the name is escaped there (a tab in a label is
// \009), so the data is what follows the fourth tab.
func rdata(rr dns.RR) string {
	s := rr.String()
	rest := s
	for range 4 {
		i := strings.IndexByte(rest, '\t')
		if i < 0 {
			return strings.TrimPrefix(s, rr.Header().String()) // not spelled as a header and data: as before
		}
		rest = rest[i+1:]
	}
	return rest
}

// eachFlag calls f with each of the reply's flags among AA, TC, RD, RA
// and AD that is set, in the header's order.
func eachFlag(m *dns.Msg, f func(name string)) {
	for _, fl := range [...]struct {
		on   bool
		name string
	}{{m.Authoritative, "AA"}, {m.Truncated, "TC"}, {m.RecursionDesired, "RD"}, {m.RecursionAvailable, "RA"}, {m.AuthenticatedData, "AD"}} {
		if fl.on {
			f(fl.name)
		}
	}
}

// headerFlags are the reply's flags, as JSON lists them: ["AA", "RD"].
func headerFlags(m *dns.Msg) []string {
	out := []string{}
	eachFlag(m, func(name string) { out = append(out, name) })
	return out
}

// flagsText is the reply's flags as the note says them: "AA RD RA".
func flagsText(m *dns.Msg) string {
	var b [len("AA TC RD RA AD")]byte
	out := b[:0]
	eachFlag(m, func(name string) {
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, name...)
	})
	return string(out)
}
