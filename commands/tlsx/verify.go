// This file holds verification as OpenSSL does it for Python's default
// context, in OpenSSL's order (a chain to a trusted root, then the host
// name, then every certificate's dates), each failure with OpenSSL's
// words, which Python's ssl.SSLCertVerificationError carries.

package tlsx

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"
)

// VerifyError is a failed verification, as Python's
// ssl.SSLCertVerificationError names it.
type VerifyError struct {
	Reason string // OpenSSL's words: "self-signed certificate"
	Kind   string // "self-signed", "self-signed-chain", "unknown-ca", "expired", "not-yet-valid", "hostname", "ip", "other"
	Cert   *x509.Certificate
	Name   string // the name checked, for a mismatch
	Err    error  // Go's own verification error, for "other"
}

func (e *VerifyError) Error() string {
	return "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: " + e.Reason
}

// systemBundles are where Debian, Fedora and Alpine keep the trusted roots
// (the files OpenSSL's default paths lead to).
var systemBundles = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}

// SystemRoots reads the system's trusted roots.
func SystemRoots() []*x509.Certificate {
	for _, f := range systemBundles {
		if data, err := os.ReadFile(f); err == nil {
			if certs, _ := ParsePEM(data); len(certs) > 0 {
				return certs
			}
		}
	}
	return nil
}

// ParsePEM reads every CERTIFICATE block of a PEM file.
func ParsePEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE in it")
	}
	return certs, nil
}

type verifier struct {
	roots []*x509.Certificate
	name  string // server_hostname; "" checks no name
	now   func() time.Time
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

// issuedBy reports whether parent signed c.
func issuedBy(c, parent *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, parent.RawSubject) && c.CheckSignatureFrom(parent) == nil
}

// verify checks the chain the server presented.
func (v *verifier) verify(chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return &VerifyError{Reason: "unable to get local issuer certificate", Kind: "unknown-ca"}
	}
	leaf := chain[0]
	path, err := v.trust(chain)
	if err != nil {
		return err
	}
	if err := v.checkName(leaf); err != nil {
		return err
	}
	now := v.now()
	for _, c := range path {
		if now.After(c.NotAfter) {
			return &VerifyError{Reason: "certificate has expired", Kind: "expired", Cert: c}
		}
		if now.Before(c.NotBefore) {
			return &VerifyError{Reason: "certificate is not yet valid", Kind: "not-yet-valid", Cert: c}
		}
	}
	// The rest of what a verifier checks (key usage, constraints), by Go.
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, r := range v.roots {
		roots.AddCert(r)
	}
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now}); err != nil {
		return &VerifyError{Reason: err.Error(), Kind: "other", Cert: leaf, Err: err}
	}
	return nil
}

// trust builds the path from the leaf to a trusted root, as OpenSSL
// would fail to: the leaf itself self-signed and untrusted, a self-signed
// certificate in the chain untrusted, or no issuer found.
func (v *verifier) trust(chain []*x509.Certificate) ([]*x509.Certificate, error) {
	cur := chain[0]
	path := []*x509.Certificate{cur}
	for depth := 0; depth < 10; depth++ {
		for _, r := range v.roots {
			if r.Equal(cur) {
				return path, nil
			}
		}
		for _, r := range v.roots {
			if issuedBy(cur, r) {
				return append(path, r), nil
			}
		}
		if selfSigned(cur) {
			if depth == 0 {
				return nil, &VerifyError{Reason: "self-signed certificate", Kind: "self-signed", Cert: cur}
			}
			return nil, &VerifyError{Reason: "self-signed certificate in certificate chain", Kind: "self-signed-chain", Cert: cur}
		}
		var next *x509.Certificate
		for _, c := range chain[1:] {
			if c != cur && issuedBy(cur, c) {
				next = c
				break
			}
		}
		if next == nil {
			return nil, &VerifyError{Reason: "unable to get local issuer certificate", Kind: "unknown-ca", Cert: cur}
		}
		cur = next
		path = append(path, cur)
	}
	return nil, &VerifyError{Reason: "certificate chain too long", Kind: "other", Cert: cur}
}

// checkName checks the server name as OpenSSL's X509_check_host and
// X509_check_ip do for Python: an IP address against the IP SANs; a name
// against the DNS SANs (a wildcard only as the whole left-most label), and
// against the subject's CN when there are no DNS SANs.
func (v *verifier) checkName(leaf *x509.Certificate) error {
	if v.name == "" {
		return nil
	}
	if ip, err := netip.ParseAddr(v.name); err == nil {
		for _, a := range leaf.IPAddresses {
			if b, ok := netip.AddrFromSlice(a); ok && b.Unmap() == ip.Unmap() {
				return nil
			}
		}
		return &VerifyError{Reason: fmt.Sprintf("IP address mismatch, certificate is not valid for '%s'.", v.name), Kind: "ip", Cert: leaf, Name: v.name}
	}
	names := leaf.DNSNames
	if len(names) == 0 && leaf.Subject.CommonName != "" {
		names = []string{leaf.Subject.CommonName}
	}
	for _, n := range names {
		if nameMatches(n, v.name) {
			return nil
		}
	}
	return &VerifyError{Reason: fmt.Sprintf("Hostname mismatch, certificate is not valid for '%s'.", v.name), Kind: "hostname", Cert: leaf, Name: v.name}
}

func nameMatches(pattern, host string) bool {
	pattern, host = strings.ToLower(strings.TrimSuffix(pattern, ".")), strings.ToLower(strings.TrimSuffix(host, "."))
	if pattern == host {
		return true
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok || !strings.Contains(rest, ".") {
		return false
	}
	_, hostRest, ok := strings.Cut(host, ".")
	return ok && hostRest == rest
}

func isIP(s string) bool { _, err := netip.ParseAddr(s); return err == nil }
