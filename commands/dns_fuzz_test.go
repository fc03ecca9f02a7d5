package commands

// FuzzDNSReply (issue 14): any bytes as the reply to a dns question, read
// as the exchange reads them (commands/dnsrec.ParseReply) and shown as the
// command shows them (the table, its notes, the errors, in every format).
// Nothing panics, and nothing written holds a control character. No
// network: the bytes go straight to the parser.

import (
	"bytes"
	"testing"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/commands/dnsrec"
	"github.com/sockshell/sockshell/shell"
)

// fuzzDNSID is the query's ID; fixID puts it (and QR) into the reply so
// the fuzzer gets past the ID check.
const fuzzDNSID = 0x5eed

// fuzzDNSSeeds are replies made with miekg/dns: hostile text in names and
// in every kind of record data, and an NXDOMAIN with an SOA.
func fuzzDNSSeeds(f *testing.F) {
	q := dnsrec.NewQuery("x.sockshell.test.", dns.TypeTXT)
	q.Id = fuzzDNSID
	evil := "\x1b]0;owned\x07\x1b]52;c;aGk=\x07\x1b[2J\r>>> \u202e\u2066\x9b\u009b\x7f\x00"
	r := new(dns.Msg)
	r.SetReply(q)
	h := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: "x.sockshell.test.", Rrtype: t, Class: dns.ClassINET, Ttl: 60}
	}
	r.Answer = []dns.RR{
		&dns.TXT{Hdr: h(dns.TypeTXT), Txt: []string{evil}},
		&dns.HINFO{Hdr: h(dns.TypeHINFO), Cpu: evil, Os: evil},
		&dns.CAA{Hdr: h(dns.TypeCAA), Tag: "issue", Value: evil},
		&dns.CNAME{Hdr: h(dns.TypeCNAME), Target: dns.Fqdn(`\027]0;x\007.\226\128\174.x`)},
	}
	r.Ns = []dns.RR{&dns.SOA{Hdr: h(dns.TypeSOA), Ns: "ns.x.", Mbox: "h.x.", Minttl: 60}}
	if b, err := r.Pack(); err == nil {
		f.Add(b, false, true)
	}
	r.Rcode = dns.RcodeNameError
	r.Answer = nil
	if b, err := r.Pack(); err == nil {
		f.Add(b, false, true)
	}
	f.Add([]byte("this is not DNS\r\n\x1b[2J"), false, true)
}

// fuzzDNS is the session FuzzDNSReply renders in, made once: a fuzz
// worker runs its inputs one at a time, and each sets what the command
// reads (made per input, the session cost more than the parsing).
var fuzzDNS struct {
	s         *shell.Session
	out, errs bytes.Buffer
	b         []byte
	udp       bool
}

func fuzzDNSSession() *shell.Session {
	if fuzzDNS.s != nil {
		return fuzzDNS.s
	}
	ask := dnsAsk{name: "x.sockshell.test.", qtype: dns.TypeTXT, server: "127.0.0.1:53", source: "--server"}
	run := func(c *shell.Call) (any, error) {
		b, udp := fuzzDNS.b, fuzzDNS.udp
		q := dnsrec.NewQuery(ask.name, ask.qtype)
		q.Id = fuzzDNSID
		network := "tcp"
		if udp {
			network = "udp"
		}
		msg, kind, err := dnsrec.ParseReply(q, b, udp)
		if err != nil {
			return nil, dnsExchangeError(ask, &dnsrec.Error{Kind: kind, Server: ask.server, Net: network, Bytes: b, Err: err})
		}
		reply := &dnsrec.Reply{Msg: msg, Server: ask.server, Net: network, Size: len(b), Retry: msg.Truncated}
		if err := dnsRcodeError(ask, reply); err != nil {
			return nil, err
		}
		return dnsResult(c, ask, reply), nil
	}
	tab := shell.NewTable(&shell.Command{Name: "reply", Summary: "a reply", Group: "t", Run: run})
	tab.Add(shell.Builtins()...)
	fuzzDNS.s = shell.NewSession(tab, &fuzzDNS.out, &fuzzDNS.errs)
	return fuzzDNS.s
}

func FuzzDNSReply(f *testing.F) {
	fuzzDNSSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte, fixID, udp bool) {
		if fixID && len(b) >= 3 {
			b[0], b[1] = fuzzDNSID>>8, fuzzDNSID&0xff
			b[2] |= 0x80 // QR: a response
		}
		q := dnsrec.NewQuery("x.sockshell.test.", dns.TypeTXT)
		q.Id = fuzzDNSID
		if msg, _, err := dnsrec.ParseReply(q, b, udp); err == nil {
			for _, sec := range dnsSections(msg) {
				for _, rr := range sec.rrs {
					checkRdata(t, rr)
				}
			}
		}
		s := fuzzDNSSession()
		fuzzDNS.b, fuzzDNS.udp = b, udp
		out, errs := &fuzzDNS.out, &fuzzDNS.errs
		for _, format := range []string{"table", "python", "json"} {
			s.Exec(t.Context(), "set format "+format, "")
			out.Reset()
			errs.Reset()
			s.Exec(t.Context(), "reply", "")
			if out.Len()+errs.Len() == 0 {
				t.Fatalf("format %s: nothing shown", format)
			}
			if r, bad := terminalUnsafe(out.String() + errs.String()); bad {
				t.Errorf("format %s wrote %U:\n%q\n%q", format, r, out.String(), errs.String())
			}
		}
	})
}
