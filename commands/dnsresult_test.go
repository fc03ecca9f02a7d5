package commands

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// checkRdata checks rdata(rr) against the record's text: where the text
// starts with its header as RR_Header.String spells it (every type
// miekg/dns knows), rdata is the rest, as the table showed it before rdata
// cut at the header's tabs; else (RFC 3597's generic form spells the class
// and type as CLASS1 and TYPE65280) it is what follows the four fields.
func checkRdata(t *testing.T, rr dns.RR) {
	t.Helper()
	s, data := rr.String(), rdata(rr)
	if hdr := rr.Header().String(); strings.HasPrefix(s, hdr) {
		if want := strings.TrimPrefix(s, hdr); data != want {
			t.Errorf("%T %q: rdata %q, want %q", rr, s, data, want)
		}
		return
	}
	if fields := strings.TrimSuffix(s, data); !strings.HasSuffix(s, data) || strings.Count(fields, "\t") != 4 || !strings.HasSuffix(fields, "\t") {
		t.Errorf("%T %q: rdata %q is not what follows the name, TTL, class and type", rr, s, data)
	}
}

// TestRdataIsTheTextAfterTheHeader: rdata, which skips the header's four
// tabs instead of spelling the header a second time, gives what trimming
// the spelled header gave, for names and data that hold tabs, spaces,
// backslashes and control bytes, for records with no data, and for a type
// miekg/dns does not know (RFC 3597's \# form).
func TestRdataIsTheTextAfterTheHeader(t *testing.T) {
	h := func(name string, typ uint16) dns.RR_Header {
		return dns.RR_Header{Name: name, Rrtype: typ, Class: dns.ClassINET, Ttl: 3600}
	}
	odd := "a\tb\\c d\x1b\x00.x\t."
	rrs := []dns.RR{
		&dns.A{Hdr: h("h1.bench.test.", dns.TypeA), A: net.IPv4(192, 0, 2, 1)},
		&dns.A{Hdr: h(odd, dns.TypeA)}, // no address: the header alone
		&dns.AAAA{Hdr: h(odd, dns.TypeAAAA), AAAA: net.ParseIP("2001:db8::1")},
		&dns.TXT{Hdr: h(odd, dns.TypeTXT), Txt: []string{"tab\there", "quote\" and \\ and \x7f"}},
		&dns.CNAME{Hdr: h("alias.test.", dns.TypeCNAME), Target: odd},
		&dns.MX{Hdr: h("test.", dns.TypeMX), Preference: 10, Mx: odd},
		&dns.SOA{Hdr: h("test.", dns.TypeSOA), Ns: odd, Mbox: "h\t.test.", Serial: 1, Minttl: 60},
		&dns.HINFO{Hdr: h("test.", dns.TypeHINFO), Cpu: "RFC8482", Os: ""},
		&dns.RFC3597{Hdr: dns.RR_Header{Name: odd, Rrtype: 65280, Class: 65000, Ttl: 1}, Rdata: "0a0b"},
	}
	for _, rr := range rrs {
		checkRdata(t, rr)
	}
	// The generic form's data alone (rdata once showed its whole text
	// here: its header is not spelled as RR_Header.String spells it).
	if got, want := rdata(rrs[8]), `\# 2 0a0b`; got != want {
		t.Errorf("RFC 3597 record %q: rdata %q, want %q", rrs[8].String(), got, want)
	}
}

// TestDNSUnknownTypeAndClass: a record of a type and class miekg/dns has
// no name for is shown as RFC 3597 spells them, TYPE65280 and CLASS65000,
// with its data in the generic form, in the table and in JSON (the cells
// were empty).
func TestDNSUnknownTypeAndClass(t *testing.T) {
	server := dnsUDPServer(t, func(q []byte) []byte {
		m := new(dns.Msg)
		if m.Unpack(q) != nil {
			return nil
		}
		r := new(dns.Msg)
		r.SetReply(m)
		r.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: m.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 7)}}
		r.Extra = []dns.RR{&dns.RFC3597{Hdr: dns.RR_Header{Name: "odd.sockshell.test.", Rrtype: 65280, Class: 65000, Ttl: 1}, Rdata: "0a0b"}}
		b, _ := r.Pack()
		return b
	})
	tm := newTerm(t)
	out := tm.MustExec("dns www.sockshell.test --server " + server)
	if want := "| additional | odd.sockshell.test. | 1   | CLASS65000 | TYPE65280 | \\# 2 0a0b |"; !strings.Contains(out, want) {
		t.Errorf("want the row %q in\n%s", want, out)
	}
	tm.MustExec("set format json")
	var doc struct {
		Result struct {
			Additional []map[string]any `json:"additional"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(tm.MustExec("dns www.sockshell.test --server "+server)), &doc); err != nil {
		t.Fatal(err)
	}
	if a := doc.Result.Additional; len(a) != 1 || a[0]["type"] != "TYPE65280" || a[0]["class"] != "CLASS65000" || a[0]["data"] != `\# 2 0a0b` {
		t.Errorf("additional: %v", a)
	}
}
