package commands

// Issue 14: the terminal is safe, for what was built after the first
// terminal test (harden_terminal_test.go): a certificate's fields (its
// subject and issuer with every byte value, its SANs) in cert's tables
// and in the errors and events of a handshake, DNS answers in every
// format, the watcher's notice of a datagram from a hostile Unix path,
// the wire view. File names and recordings are in
// harden_terminal_files_test.go, the classroom page in
// harden_classroom_test.go. Nothing a peer or a file chose reaches the
// terminal as a control character, nor starts a line of its own.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// attackLine is attack() without line ends, NUL or '/', for places that
// take one line or one file name.
func attackLine() string {
	return strings.NewReplacer("\n", "", "\t", "", "\x00", "", "/", "").Replace(attack())
}

// checkSafe fails when text holds a character a terminal acts on.
func checkSafe(t *testing.T, what, text string) {
	t.Helper()
	if r, bad := terminalUnsafe(text); bad {
		t.Errorf("%s wrote %U:\n%q", what, r, text)
	}
	// Nor does a line end a peer sent start a line of its own: a fake
	// prompt at the start of a line.
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimLeft(l, " "); strings.HasPrefix(l, ">>> close all") || strings.HasPrefix(l, `\>\>\> close all`) {
			t.Errorf("%s wrote a line of the peer's: %q\n%s", what, l, text)
		}
	}
}

// hostileCert is a self-signed certificate whose subject and issuer hold
// every byte value (a T61String, which Go's parser takes byte for byte,
// as OpenSSL does) and the attack sequences, and whose SANs hold control
// characters.
func hostileCert(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for i := range 256 {
		all = append(all, byte(i))
	}
	name := pkix.Name{
		CommonName:         "\u009b31m\u202e\u2066\x1b[2J\x1b[H\x7f",
		Organization:       []string{"\x1b]0;owned\x07\u202e\u2066\u009b"},
		OrganizationalUnit: []string{"\r>>> close all", "\n>>> close all"},
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 7}, // localityName
			Value: asn1.RawValue{Tag: asn1.TagT61String, Bytes: all}}},
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: name, Issuer: name,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames:       []string{"\x1b]52;c;aGk=\x07.example", "\x1b[2J\r>>> .example", "\n>>> close all.example"},
		EmailAddresses: []string{"\x1b[10A@\x07"},
		IsCA:           true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, der
}

// hostileTLSServer serves the hostile certificate on loopback and echoes.
func hostileTLSServer(t *testing.T) (int, []byte) {
	cert, der := hostileCert(t)
	port := sockGoPeer(t, func(c *net.TCPConn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		buf := make([]byte, 1024)
		for {
			n, err := tc.Read(buf)
			if err != nil {
				return
			}
			tc.Write(buf[:n])
		}
	})
	return port, der
}

func TestTerminalSafeCertFields(t *testing.T) {
	port, der := hostileTLSServer(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_, otherDER := hostileCert(t)
	otherCA := filepath.Join(t.TempDir(), "other.pem")
	os.WriteFile(otherCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: otherDER}), 0o600)
	ss := newSockSession(t)
	ss.MustExec("set timeout 10")
	shown := ""
	for _, format := range []string{"python", "table", "json"} {
		ss.MustExec("set format " + format)
		for _, line := range []string{
			// Verification failures quote the subject and the SANs.
			fmt.Sprintf("connect --tls 127.0.0.1 %d --sni localhost", port),
			fmt.Sprintf("connect --tls 127.0.0.1 %d --sni localhost --ca %s", port, otherCA),
			fmt.Sprintf("connect --tls 127.0.0.1 %d --sni localhost --ca %s", port, ca),
			fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port),
		} {
			out, errs := ss.Exec(line)
			checkSafe(t, format+": "+line, out+errs)
			shown += out + errs
		}
		name := openSockets(ss.Session)[0]
		for _, line := range []string{"cert " + name, "cert " + name + " --pem", "sockets", "timeline", "close " + name} {
			out, errs := ss.Exec(line)
			checkSafe(t, format+": "+line, out+errs)
			shown += out + errs
		}
		checkSafe(t, format+": the event lines", strings.Join(ss.Events(), "\n"))
	}
	// The fields are shown, escaped, not dropped.
	for _, want := range []string{`]0\;owned`, `close all`, "]52;c;aGk="} {
		if !strings.Contains(shown, want) {
			t.Errorf("the certificate's fields are not shown (%q):\n%s", want, shown)
		}
	}
}

// dnsEvil is a reply to q whose names and record data hold the attack
// bytes: TXT strings, a CNAME target, HINFO, CAA, and an answer name.
func dnsEvil(q *dns.Msg) []byte {
	r := new(dns.Msg)
	r.SetReply(q)
	r.Extra = nil
	evil := attack()
	h := func(name string, typ uint16) dns.RR_Header {
		return dns.RR_Header{Name: name, Rrtype: typ, Class: dns.ClassINET, Ttl: 60}
	}
	qn := q.Question[0].Name
	var txt []string
	for i := 0; i < len(evil); i += 200 {
		txt = append(txt, evil[i:min(i+200, len(evil))])
	}
	// A label is any 63 bytes; the name's text escapes them as \DDD.
	label := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s) && i < 63; i++ {
			fmt.Fprintf(&b, "\\%03d", s[i])
		}
		return b.String()
	}
	target := label(evil[:63]) + "." + label(evil[128:191]) + "." + label(evil[len(evil)-63:]) + "."
	r.Answer = []dns.RR{
		&dns.TXT{Hdr: h(qn, dns.TypeTXT), Txt: txt},
		&dns.CNAME{Hdr: h(qn, dns.TypeCNAME), Target: target},
		&dns.TXT{Hdr: h(target, dns.TypeTXT), Txt: []string{"\x1b]0;owned\x07"}},
		&dns.HINFO{Hdr: h(qn, dns.TypeHINFO), Cpu: evil[100:250], Os: "\r>>> "},
		&dns.CAA{Hdr: h(qn, dns.TypeCAA), Tag: "issue", Value: evil[150:256]},
	}
	b, _ := r.Pack()
	return b
}

func TestTerminalSafeDNSAnswers(t *testing.T) {
	evil := dnsHostile(t, dnsEvil, func(c net.Conn, q *dns.Msg) { tcpReply(c, dnsEvil(q)) })
	nx := dnsHostile(t, func(q *dns.Msg) []byte {
		r := new(dns.Msg)
		r.SetRcode(q, dns.RcodeNameError)
		r.Extra = nil
		r.Ns = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: `\027]0\;owned\007.\226\128\174.`, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 60},
			Ns: `\027[2J.`, Mbox: `\013>>>.`, Minttl: 60}}
		b, _ := r.Pack()
		return b
	}, nil)
	garbage := dnsHostile(t, func(q *dns.Msg) []byte {
		b := dnsHeaderAndQuestion(q, false, 1)
		return append(b, attack()...)
	}, nil)
	tm := newTerm(t)
	tm.MustExec("set timeout 5")
	shown := ""
	for _, format := range []string{"python", "table", "json"} {
		tm.MustExec("set format " + format)
		for _, line := range []string{
			"dns TXT x.sockshell.test --server " + evil,
			"dns ANY x.sockshell.test --server " + evil,
			"dns TXT x.sockshell.test --tcp --server " + evil,
			"explain on", "dns TXT x.sockshell.test --server " + evil, "explain off",
			"dns TXT x.sockshell.test --server " + nx,
			"dns TXT x.sockshell.test --server " + garbage,
			"timeline",
		} {
			out, errs := tm.Exec(line)
			checkSafe(t, format+": "+line, out+errs)
			shown += out + errs
		}
		checkSafe(t, format+": the event lines", strings.Join(tm.Events(), "\n"))
	}
	if !strings.Contains(shown, `]0;owned`) {
		t.Errorf("the answers are not shown:\n%s", shown)
	}
}

// The watcher's notice of a datagram names its source: here a Unix path
// a peer chose, the attack bytes as an abstract name.
func TestTerminalSafeWatcherNotices(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("set notices on")
	ss.MustExec("set timeout 5")
	ss.MustExec("socket unix dgram")
	here := fmt.Sprintf("@sockshell-terminal-%d", time.Now().UnixNano())
	ss.MustExec("bind s1 " + here)
	from := "@" + attackLine()
	if len(from) > 100 {
		from = from[:100] // sun_path holds 108 bytes
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: from, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 3 { // one for each format's recvfrom
		if _, err := c.WriteToUnix([]byte(attack()), &net.UnixAddr{Name: here, Net: "unixgram"}); err != nil {
			t.Fatalf("sending to %s: %v", here, err)
		}
	}
	stop := watchSockets(ss.Session)
	if stop == nil {
		t.Fatal("no watcher for s1")
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(strings.Join(noticeTexts(ss.Session), "\n"), "datagram from") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	ss.Session.FlushEvents()
	notices := strings.Join(ss.Events(), "\n")
	if !strings.Contains(notices, "datagram from '@\\x01\\x02") {
		t.Fatalf("no notice of the datagram from its path:\n%s", notices)
	}
	checkSafe(t, "the watcher's notice", notices)
	for _, format := range []string{"python", "table", "json"} {
		ss.MustExec("set format " + format)
		for _, line := range []string{"sockets", "timeline s1", "recvfrom s1 4096"} {
			out, errs := ss.Exec(line)
			checkSafe(t, format+": "+line, out+errs)
		}
	}
}

// The wire view: the session's own packets, a peer's payload in them, as
// lines under the commands, the ladder of wire SOCK, and its SVG.
func TestTerminalSafeWire(t *testing.T) {
	ss := wireSession(t)
	port := sockGoPeer(t, func(c *net.TCPConn) { io.WriteString(c, attack()); c.CloseWrite(); io.Copy(io.Discard, c) })
	ss.MustExec("set timeout 5")
	svg := filepath.Join(t.TempDir(), "ladder.svg")
	shown := ""
	for _, format := range []string{"python", "table", "json"} {
		ss.MustExec("set format " + format)
		ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
		sock := openSockets(ss.Session)[0]
		for _, line := range []string{"recv " + sock + " 4096", "send " + sock + " " + shellQuote(attackLine()), "wire " + sock,
			"wire " + sock + " --svg " + svg + " --force", "timeline " + sock, "close " + sock} {
			out, errs := ss.Exec(line)
			if errs != "" {
				t.Errorf("%s: %s", line, errs)
			}
			checkSafe(t, format+": "+line, out+errs)
			shown += out + errs
		}
		ss.Session.FlushEvents()
		evs := strings.Join(ss.Events(), "\n")
		checkSafe(t, format+": the wire's lines", evs)
		shown += evs
	}
	if !strings.Contains(shown, `\x1b]0;owned`) {
		t.Errorf("the peer's payload is not shown:\n%s", shown)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "<img") || strings.ContainsAny(string(b), "\x1b\x07") {
		t.Errorf("the SVG holds the peer's markup or control bytes")
	}
}
