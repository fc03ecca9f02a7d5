// The dns command's result: the reply as a table, its notes, and the
// values set format python and json show (built only for them).

package commands

import (
	"strings"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/commands/dnsrec"
	"github.com/sockshell/sockshell/shell"
)

// dnsResult is the reply as a table, its notes, and its JSON.
func dnsResult(c *shell.Call, ask dnsAsk, r *dnsrec.Reply) *shell.Rows {
	m := r.Msg
	rows := &shell.Rows{Header: []string{"section", "name", "ttl", "class", "type", "data"}}
	type record struct {
		section string
		rr      dns.RR
		data    string
	}
	var records []record // the rows, for the Python and JSON values
	for _, sec := range []struct {
		name string
		rrs  []dns.RR
	}{{"answer", m.Answer}, {"authority", m.Ns}, {"additional", m.Extra}} {
		for _, rr := range sec.rrs {
			if rr.Header().Rrtype == dns.TypeOPT {
				continue // EDNS0's pseudo-record: the header's extension, not a record
			}
			h := rr.Header()
			data := rdata(rr)
			rows.Append(sec.name, h.Name, int(h.Ttl), dns.ClassToString[h.Class], dns.TypeToString[h.Rrtype], data)
			records = append(records, record{sec.name, rr, data})
		}
	}
	// set format python: the records' texts, as [str(r) for r in answer].
	rows.Py = shell.Lazy(func() any {
		var py shell.List
		for _, r := range records {
			if t := r.rr.Header().Rrtype; r.section == "answer" && (t == ask.qtype || ask.qtype == dns.TypeANY) {
				py = append(py, r.data)
			}
		}
		return py
	})
	flags := headerFlags(m)
	source := ask.source
	if source == resolvConf {
		source = "the first nameserver of " + resolvConf
	}
	c.Note("server %s (%s, from %s), %s, flags %s, %s, %s in %s", ask.server, r.Net, source,
		rcodeName(m.Rcode), strings.Join(flags, " "), count(r.Size, "byte"), "answered", dnsSeconds(r.RTT))
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
			"rcode": rcodeName(m.Rcode), "flags": flags, "bytes": r.Size,
			"seconds": r.RTT.Seconds(), "retried_over_tcp": r.Retry,
		}
		for _, s := range []string{"answer", "authority", "additional"} {
			json[s] = shell.List{}
		}
		for _, rec := range records {
			h := rec.rr.Header()
			json[rec.section] = append(json[rec.section].(shell.List), map[string]any{
				"name": h.Name, "ttl": int(h.Ttl), "class": dns.ClassToString[h.Class], "type": dns.TypeToString[h.Rrtype], "data": rec.data})
		}
		return json
	})
	return rows
}

// rdata is a record's data as a zone file writes it (the text after its
// name, TTL, class and type).
func rdata(rr dns.RR) string {
	s := rr.String()
	h := rr.Header().String()
	return strings.TrimPrefix(s, h)
}

// headerFlags are the reply's flags among AA, TC, RD, RA and AD, in the
// header's order.
func headerFlags(m *dns.Msg) []string {
	out := []string{}
	for _, f := range []struct {
		on   bool
		name string
	}{{m.Authoritative, "AA"}, {m.Truncated, "TC"}, {m.RecursionDesired, "RD"}, {m.RecursionAvailable, "RA"}, {m.AuthenticatedData, "AD"}} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}
