// This file holds the client: a TLS connection over a socket made as
// Python's ssl.create_default_context() makes one (TLS 1.2 at least, the
// chain and the host name verified), and what its handshake did.

package tlsx

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"time"
)

// ClientConfig is what `tls` was told.
type ClientConfig struct {
	ServerName string              // server_hostname: the SNI sent (unless an address) and the name checked
	ALPN       []string            // protocols offered (set_alpn_protocols)
	Roots      []*x509.Certificate // trusted roots: the --ca file's, else the system's
	CAFile     string              // the file Roots came from, "" for the system's
	Insecure   bool                // check_hostname False, verify_mode CERT_NONE
}

// Client makes a TLS client over t; nothing is sent until Handshake.
func Client(t Transport, local, peer net.Addr, cfg ClientConfig) *Conn {
	c := &Conn{cfg: cfg, w: &wire{t: t, local: local, peer: peer, records: &recordLog{}}}
	if !cfg.Insecure {
		c.verify = &verifier{roots: cfg.Roots, name: cfg.ServerName, now: time.Now}
	}
	tc := &tls.Config{
		ServerName:         cfg.ServerName,
		NextProtos:         cfg.ALPN,
		MinVersion:         tls.VersionTLS12, // Python 3.10+'s default context
		InsecureSkipVerify: true,             // verified below, in OpenSSL's order and words
		VerifyConnection: func(cs tls.ConnectionState) error {
			if c.verify == nil {
				return nil
			}
			return c.verify.verify(cs.PeerCertificates)
		},
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			c.askedClientCert = true
			return &tls.Certificate{}, nil // none, as Python's context without load_cert_chain
		},
	}
	c.tc = tls.Client(c.w, tc)
	return c
}

// VersionName is a TLS version as Python's SSLSocket.version() says it: "TLSv1.3".
func VersionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return tls.VersionName(v)
}
