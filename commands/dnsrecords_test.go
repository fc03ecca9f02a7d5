package commands

// The dns command against real servers on loopback: dnsmasq with a record
// of each type (one instance authoritative, with SOA and NS, one a plain
// local resolver), and small UDP servers written here for what dnsmasq
// will not do: one that never answers, one that sends bytes that are not
// DNS, one that answers SERVFAIL.

import (
	"encoding/json"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/shell/testenv"
)

// dnsRecordsZone is the zone both dnsmasq instances serve.
const dnsRecordsZone = "192.0.2.10 www.sockshell.test\n2001:db8::10 www.sockshell.test\n"

// dnsRecordArgs give dnsmasq a record of each type under sockshell.test.
func dnsRecordArgs() []string {
	args := []string{
		"--local=/sockshell.test/", "--local=/2.0.192.in-addr.arpa/",
		"--mx-host=sockshell.test,mail.sockshell.test,10",
		"--txt-record=sockshell.test,v=spf1 -all",
		"--srv-host=_http._tcp.sockshell.test,www.sockshell.test,80,0,5",
		"--cname=alias.sockshell.test,www.sockshell.test",
		"--ptr-record=10.2.0.192.in-addr.arpa,www.sockshell.test",
		"--caa-record=sockshell.test,0,issue,ca.example",
	}
	// Eight TXT records of 251 bytes: more than EDNSSize (1232), so the
	// UDP answer is truncated and the question asked again over TCP.
	for i := range 8 {
		args = append(args, "--txt-record=big.sockshell.test,"+string(rune('1'+i))+strings.Repeat("x", 250))
	}
	return args
}

// dnsAuthServer is dnsmasq authoritative for sockshell.test (AA, an SOA,
// NS in the authority section).
func dnsAuthServer(t *testing.T) string {
	return testenv.Dnsmasq(t, dnsRecordsZone, append(dnsRecordArgs(),
		"--auth-server=ns.sockshell.test,127.0.0.1", "--auth-zone=sockshell.test",
		"--auth-soa=2026120101,hostmaster.sockshell.test")...)
}

// dnsUDPServer answers each datagram on a loopback UDP socket with what
// reply returns for it (nil: nothing), until the test ends.
func dnsUDPServer(t *testing.T, reply func(query []byte) []byte) string {
	pc := testenv.ListenPacket(t, "udp")
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if b := reply(buf[:n]); b != nil {
				pc.WriteTo(b, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

func TestDNSRecordTypes(t *testing.T) {
	server := dnsAuthServer(t)
	tm := newTerm(t)
	tm.MustExec("set timeout 10")
	for _, c := range []struct{ line, want string }{
		{"dns www.sockshell.test", "| answer    | www.sockshell.test. | 600 | IN    | A    | 192.0.2.10 "},
		{"dns AAAA www.sockshell.test", "| AAAA | 2001:db8::10"},
		{"dns alias.sockshell.test", "| answer    | alias.sockshell.test. | 600 | IN    | CNAME | www.sockshell.test. |"},
		{"dns CNAME alias.sockshell.test", "| CNAME | www.sockshell.test. |"},
		{"dns MX sockshell.test", "| MX   | 10 mail.sockshell.test. |"},
		{"dns txt sockshell.test", `| TXT  | "v=spf1 -all"`},
		{"dns NS sockshell.test", "| answer  | sockshell.test. | 600 | IN    | NS   | ns.sockshell.test. |"},
		{"dns SOA sockshell.test", "| SOA  | ns.sockshell.test. hostmaster.sockshell.test. 2026120101 "},
		{"dns SRV _http._tcp.sockshell.test", "| SRV  | 0 5 80 www.sockshell.test. |"},
		{"dns CAA sockshell.test", `| CAA  | 0 issue "ca.example" |`},
	} {
		out := tm.MustExec(c.line + " --server " + server)
		if !strings.Contains(out, c.want) {
			t.Errorf("%s: want a row %q in\n%s", c.line, c.want, out)
		}
		// The authoritative server: AA, and its NS in the authority section.
		if !strings.Contains(out, "# server "+server+" (udp, from --server), NOERROR, flags AA RD, ") {
			t.Errorf("%s: the note should name the server, the rcode and the flags:\n%s", c.line, out)
		}
		if !strings.HasPrefix(c.line, "dns NS") && !strings.Contains(out, "| authority | sockshell.test. ") {
			t.Errorf("%s: no authority section:\n%s", c.line, out)
		}
	}
}

// TestDNSPlainResolver: a non-authoritative dnsmasq (RA, no authority
// section), set dns as the server, PTR from an address, truncation, ANY.
func TestDNSPlainResolver(t *testing.T) {
	server := testenv.Dnsmasq(t, dnsRecordsZone, dnsRecordArgs()...)
	tm := newTerm(t)
	tm.MustExec("set timeout 10")
	tm.MustExec("set dns " + server)
	out := tm.MustExec("dns www.sockshell.test")
	if !strings.Contains(out, "| answer  | www.sockshell.test. |") || strings.Contains(out, "authority") ||
		!strings.Contains(out, "# server "+server+" (udp, from set dns), NOERROR, flags AA RD RA, ") {
		t.Errorf("dns with set dns:\n%s", out)
	}
	for _, line := range []string{"dns 192.0.2.10", "dns PTR 192.0.2.10"} {
		out := tm.MustExec(line)
		if !strings.Contains(out, "| answer  | 10.2.0.192.in-addr.arpa. | 0   | IN    | PTR  | www.sockshell.test. |") ||
			!strings.Contains(out, "# 10.2.0.192.in-addr.arpa. is the reverse name of 192.0.2.10") {
			t.Errorf("%s:\n%s", line, out)
		}
	}
	out = tm.MustExec("dns TXT big.sockshell.test")
	if strings.Count(out, "| TXT  |") != 8 || !strings.Contains(out, "(tcp, from set dns)") ||
		!strings.Contains(out, "# the UDP answer came back truncated (TC set), so the question was asked again over TCP") {
		t.Errorf("a truncated answer should be asked again over TCP:\n%s", out)
	}
	out = tm.MustExec("dns TXT sockshell.test --tcp")
	if !strings.Contains(out, "(tcp, from set dns)") || strings.Contains(out, "truncated") {
		t.Errorf("--tcp:\n%s", out)
	}
	out = tm.MustExec("dns ANY sockshell.test")
	if !strings.Contains(out, "RFC 8482") || !strings.Contains(out, "need not be every record") {
		t.Errorf("ANY should say what RFC 8482 allows:\n%s", out)
	}
}

func TestDNSFailures(t *testing.T) {
	auth := dnsAuthServer(t)
	plain := testenv.Dnsmasq(t, dnsRecordsZone, dnsRecordArgs()...)
	silent := testenv.ListenPacket(t, "udp").LocalAddr().String()
	garbage := dnsUDPServer(t, func([]byte) []byte { return []byte("this is not DNS\r\n") })
	servfail := dnsUDPServer(t, func(q []byte) []byte {
		m := new(dns.Msg)
		if m.Unpack(q) != nil {
			return nil
		}
		r := new(dns.Msg)
		r.SetRcode(m, dns.RcodeServerFailure)
		b, _ := r.Pack()
		return b
	})
	closed := net.JoinHostPort("127.0.0.1", strconv.Itoa(testenv.ClosedPort(t, "udp")))
	_, fullPort := testenv.FullListener(t)
	full := net.JoinHostPort("127.0.0.1", strconv.Itoa(fullPort))
	tm := newTerm(t)
	tm.MustExec("set timeout 1")
	for _, c := range []struct{ line, want, hint string }{
		{"dns nx.sockshell.test --server " + auth, "dns.resolver.NXDOMAIN: The DNS query name does not exist: nx.sockshell.test.",
			"NXDOMAIN (rcode 3): no record of any type exists for this name; the authority section's SOA of sockshell.test. lets resolvers cache this for 600 s"},
		{"dns MX www.sockshell.test --server " + plain, "dns.resolver.NoAnswer: The DNS response does not contain an answer to the question: www.sockshell.test. IN MX",
			"NOERROR with no MX record (NODATA)"},
		{"dns other.example --server " + plain, "dns.resolver.NoNameservers: All nameservers failed to answer the query other.example. IN A: Server " + plain + " answered REFUSED",
			"REFUSED (rcode 5)"},
		{"dns www.sockshell.test --server " + servfail, "answered SERVFAIL", "SERVFAIL (rcode 2)"},
		{"dns www.sockshell.test --server " + silent, "dns.resolver.LifetimeTimeout: The resolution lifetime expired after", "nothing came back"},
		{"dns www.sockshell.test --server " + garbage, "Server " + garbage + " sent a malformed reply: b'this is not DNS\\r\\n'",
			"17 bytes came back that do not parse as a DNS message"},
		{"dns www.sockshell.test --server " + closed, "answered ConnectionRefusedError: [Errno 111] Connection refused", "ICMP port unreachable"},
		// Over TCP, a server whose accept queue is full never completes the handshake.
		{"dns www.sockshell.test --tcp --server " + full, "dns.resolver.LifetimeTimeout: The resolution lifetime expired after", "nothing came back"},
	} {
		errText := tm.AssertExecError(c.line, c.want)
		if !strings.Contains(errText, c.hint) {
			t.Errorf("%s: want the hint %q in\n%s", c.line, c.hint, errText)
		}
		if n := strings.Count(strings.TrimSpace(errText), "\n"); n != 1 {
			t.Errorf("%s: want one error line and its hint, got\n%s", c.line, errText)
		}
	}
}

func TestDNSInputAndShape(t *testing.T) {
	server := testenv.Dnsmasq(t, dnsRecordsZone, dnsRecordArgs()...)
	tm := newTerm(t)
	tm.MustExec("set timeout 10")
	for _, c := range []struct{ line, want string }{
		{"dns", "UsageError: missing argument; usage: dns [TYPE] NAME"},
		{"dns BOGUS x", "UsageError: TYPE is a record type (A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR, CAA, ANY), not 'BOGUS'"},
		{"dns MX a b", "UsageError: too many arguments"},
		{"dns 'a..b'", "UsageError: NAME must be a domain name"},
		{"dns x --server nope:99999", "UsageError: --server: expected HOST:PORT"},
	} {
		tm.AssertExecError(c.line, c.want)
	}
	// With neither --server nor set dns, the system's resolv.conf names
	// the server: here one that does not exist, so no query leaves.
	resolvConf = filepath.Join(t.TempDir(), "resolv.conf")
	t.Cleanup(func() { resolvConf = "/etc/resolv.conf" })
	tm.AssertExecError("dns www.sockshell.test", "OSError: reading "+resolvConf+": open "+resolvConf+": no such file or directory")

	// explain: dnspython, marked third-party, and the exchange's steps.
	tm.MustExec("explain on")
	out := tm.MustExec("dns MX sockshell.test --server " + server + " --tcp")
	_, port, _ := net.SplitHostPort(server)
	for _, want := range []string{
		">>> import dns.resolver  # dnspython, a third-party module: pip install dnspython",
		">>> r = dns.resolver.Resolver(configure=False)",
		">>> r.nameservers = ['127.0.0.1']; r.port = " + port,
		">>> r.resolve('sockshell.test', 'MX', tcp=True)",
		"# socket(SOCK_STREAM), connect(" + server + ") = 0",
		"# send(2 + ", "MX?)", "# recv() = ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain: want %q in\n%s", want, out)
		}
	}
	tm.MustExec("explain off")

	tm.MustExec("set format json")
	var doc struct {
		Result struct {
			Rcode, Server, Transport string
			Flags                    []string
			Question                 struct{ Name, Type string }
			Answer                   []struct {
				Name, Type, Data string
				TTL              int
			}
			Authority []any
		}
		Python []string
	}
	out = tm.MustExec("dns MX sockshell.test --server " + server)
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	r := doc.Result
	if r.Rcode != "NOERROR" || r.Server != server || r.Transport != "udp" || strings.Join(r.Flags, " ") != "AA RD RA" ||
		r.Question.Name != "sockshell.test." || r.Question.Type != "MX" || len(r.Answer) != 1 ||
		r.Answer[0].Data != "10 mail.sockshell.test." || r.Answer[0].Type != "MX" || r.Authority == nil {
		t.Errorf("json: %+v\n%s", r, out)
	}
	tm.MustExec("set format python")
	if out := tm.MustExec("dns MX sockshell.test --server " + server); !strings.HasPrefix(out, "['10 mail.sockshell.test.']\n# server ") {
		t.Errorf("set format python: %s", out)
	}
}

func TestDNSCompletion(t *testing.T) {
	tm := newTerm(t)
	got, _ := tm.Session.Complete("dns M")
	if !strings.Contains(strings.Join(got, " "), "MX") {
		t.Errorf("dns M completes %q, want MX", got)
	}
	got, _ = tm.Session.Complete("dns --t")
	if !strings.Contains(strings.Join(got, " "), "--tcp") {
		t.Errorf("dns --t completes %q, want --tcp", got)
	}
}

// TestDNSCtrlC: Ctrl-C ends a query a silent server leaves waiting, as
// Python's KeyboardInterrupt, and the next query runs.
func TestDNSCtrlC(t *testing.T) {
	asked := make(chan struct{}, 10)
	silent := dnsUDPServer(t, func([]byte) []byte { asked <- struct{}{}; return nil })
	tm := newTerm(t)
	tm.MustExec("set timeout none")
	run := tm.Start("dns www.sockshell.test --server " + silent)
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		t.Fatal("the query never reached the server")
	}
	tm.Session.Interrupt()
	select {
	case errs := <-run.Done():
		if !strings.HasPrefix(errs, "KeyboardInterrupt") {
			t.Errorf("Ctrl-C: %q, want KeyboardInterrupt", errs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ctrl-C did not end the query")
	}
}
