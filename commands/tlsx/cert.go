// This file holds the facts of a certificate as `cert` shows them, spelled
// as `openssl x509 -text` spells them where it can.

package tlsx

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"time"
)

// CertFacts are one certificate's facts.
type CertFacts struct {
	Subject, Issuer     string
	SANs                []string // "DNS:localhost", "IP Address:127.0.0.1", as openssl prints them
	NotBefore, NotAfter time.Time
	DaysLeft            int // whole days until NotAfter (negative once expired)
	Key                 string
	SigAlg              string
	SHA256              string // the fingerprint, AB:CD:… as openssl x509 -fingerprint -sha256
}

// Facts reads a certificate's facts at time now.
func Facts(c *x509.Certificate, now time.Time) CertFacts {
	f := CertFacts{Subject: c.Subject.String(), Issuer: c.Issuer.String(), NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
		Key: KeyName(c), SigAlg: sigAlgName(c.SignatureAlgorithm), SHA256: Fingerprint(c.Raw)}
	f.DaysLeft = int(c.NotAfter.Sub(now).Hours() / 24)
	if c.NotAfter.Before(now) {
		f.DaysLeft = -int(now.Sub(c.NotAfter).Hours()/24) - 1
	}
	for _, n := range c.DNSNames {
		f.SANs = append(f.SANs, "DNS:"+n)
	}
	for _, ip := range c.IPAddresses {
		f.SANs = append(f.SANs, "IP Address:"+ip.String())
	}
	for _, e := range c.EmailAddresses {
		f.SANs = append(f.SANs, "email:"+e)
	}
	for _, u := range c.URIs {
		f.SANs = append(f.SANs, "URI:"+u.String())
	}
	return f
}

// Fingerprint is the SHA-256 of a certificate's DER bytes, AB:CD:….
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// KeyName is the public key's type and size: "EC P-256", "RSA 2048", "Ed25519".
func KeyName(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return c.PublicKeyAlgorithm.String()
}

// sigAlgName is OpenSSL's name of a signature algorithm.
func sigAlgName(a x509.SignatureAlgorithm) string {
	names := map[x509.SignatureAlgorithm]string{
		x509.SHA1WithRSA: "sha1WithRSAEncryption", x509.SHA256WithRSA: "sha256WithRSAEncryption",
		x509.SHA384WithRSA: "sha384WithRSAEncryption", x509.SHA512WithRSA: "sha512WithRSAEncryption",
		x509.SHA256WithRSAPSS: "rsassaPss", x509.SHA384WithRSAPSS: "rsassaPss", x509.SHA512WithRSAPSS: "rsassaPss",
		x509.ECDSAWithSHA1: "ecdsa-with-SHA1", x509.ECDSAWithSHA256: "ecdsa-with-SHA256",
		x509.ECDSAWithSHA384: "ecdsa-with-SHA384", x509.ECDSAWithSHA512: "ecdsa-with-SHA512",
		x509.PureEd25519: "ED25519",
	}
	if n, ok := names[a]; ok {
		return n
	}
	return a.String()
}

// PEM is the certificates in PEM, as openssl s_client -showcerts prints them.
func PEM(certs []*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}
