package tlsx

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// The record log reads records split across reads, handshake messages in
// the clear, and stops reading bodies after a ChangeCipherSpec.
func TestRecordLog(t *testing.T) {
	l := &recordLog{handshaking: true}
	hello := []byte{22, 3, 1, 0, 8, 1, 0, 0, 4, 'a', 'b', 'c', 'd'}
	l.add(true, hello[:3])
	l.add(true, hello[3:])
	// Two messages in one record: Certificate and ServerHelloDone.
	l.add(false, []byte{22, 3, 3, 0, 9, 11, 0, 0, 1, 'x', 14, 0, 0, 0})
	l.add(false, []byte{20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 2, 9, 9})
	l.add(false, []byte{21, 3, 3, 0, 2, 2, 40})
	got := l.list()
	if len(got) != 5 {
		t.Fatalf("records: %+v", got)
	}
	if !got[0].Out || strings.Join(got[0].Messages, ",") != "ClientHello" || got[0].Len != 8 {
		t.Errorf("ClientHello: %+v", got[0])
	}
	if strings.Join(got[1].Messages, ",") != "Certificate,ServerHelloDone" {
		t.Errorf("two messages: %+v", got[1])
	}
	if got[2].Type != 20 || !got[3].Encrypted || len(got[3].Messages) != 0 {
		t.Errorf("after ChangeCipherSpec: %+v %+v", got[2], got[3])
	}
	if got[4].Alert != nil {
		t.Errorf("an alert after ChangeCipherSpec is encrypted: %+v", got[4])
	}
	l.setHandshaking(false)
	l.add(true, hello)
	if len(l.list()) != 5 {
		t.Error("records read after the handshake")
	}
}

func TestLooksLikeTLS(t *testing.T) {
	for in, want := range map[string]string{
		"\x15\x03\x03\x00\x02\x02\x0a": "a TLS alert record: fatal unexpected_message (10)",
		"\x16\x03\x01\x02\x00\x01\x00": "a TLS handshake record (a ClientHello)",
		"\x16\x03\x03\x00\x40\x02\x00": "a TLS handshake record (a ServerHello)",
		"SSH-2.0-OpenSSH\r\n":          "",
		"\x16\x04\x01\x00\x05hello":    "",
		"\x17\x03\x03\x00\x05hello":    "",
		"\x15\x03":                     "",
	} {
		if got := LooksLikeTLS([]byte(in)); got != want {
			t.Errorf("LooksLikeTLS(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, host string
		ok            bool
	}{
		{"localhost", "LOCALHOST", true},
		{"*.example.org", "www.example.org", true},
		{"*.example.org", "a.b.example.org", false},
		{"*.example.org", "example.org", false},
		{"*.org", "example.org", false},
		{"w*.example.org", "www.example.org", false},
	} {
		if got := nameMatches(c.pattern, c.host); got != c.ok {
			t.Errorf("nameMatches(%q, %q) = %v", c.pattern, c.host, got)
		}
	}
}

// makeCert makes a certificate for the verifier tests: signed by parent
// (itself when nil), valid from notBefore to notAfter.
func makeCert(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, notBefore, notAfter time.Time, dns ...string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: dns, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		BasicConstraintsValid: true, IsCA: parent == nil, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent, parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// OpenSSL's order: the chain's trust first, then the name, then the dates.
func TestVerifyOrder(t *testing.T) {
	now := time.Now()
	ca, caKey := makeCert(t, "Test CA", nil, nil, now.Add(-time.Hour), now.Add(time.Hour))
	expired, _ := makeCert(t, "localhost", ca, caKey, now.Add(-2*time.Hour), now.Add(-time.Hour), "localhost")
	other, _ := makeCert(t, "Other CA", nil, nil, now.Add(-time.Hour), now.Add(time.Hour))
	check := func(roots []*x509.Certificate, name string, chain []*x509.Certificate, want string) {
		t.Helper()
		v := &verifier{roots: roots, name: name, now: time.Now}
		err := v.verify(chain)
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Kind != want {
			t.Errorf("%s: got %v, want %s", name, err, want)
		}
	}
	check([]*x509.Certificate{ca}, "wrong.example", []*x509.Certificate{expired}, "hostname")
	check([]*x509.Certificate{ca}, "127.0.0.2", []*x509.Certificate{expired}, "ip")
	check([]*x509.Certificate{ca}, "localhost", []*x509.Certificate{expired}, "expired")
	check([]*x509.Certificate{other}, "wrong.example", []*x509.Certificate{expired}, "unknown-ca")
	check([]*x509.Certificate{other}, "localhost", []*x509.Certificate{expired, ca}, "self-signed-chain")
	check([]*x509.Certificate{other}, "localhost", []*x509.Certificate{ca}, "self-signed")
	if err := (&verifier{roots: []*x509.Certificate{ca}, name: "localhost", now: time.Now}).verify([]*x509.Certificate{ca}); err == nil {
		// ca has no DNS name; CN "Test CA" is not localhost.
		t.Error("a certificate for Test CA verified as localhost")
	}
}
