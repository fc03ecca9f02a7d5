// serve --tls: the session's servers over TLS, with a certificate made
// for the session (one for all its servers, its fingerprint printed) or
// the pair given by --cert FILE --key FILE.
package commands

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/tlsx"
	"github.com/sockshell/sockshell/shell"
)

// serveTLSFlags are serve's TLS options.
var serveTLSFlags = []shell.Flag{
	{Name: "tls", Help: "serve over TLS, with a certificate made for the session (ECDSA P-256, for localhost, 127.0.0.1 and ::1) unless --cert and --key are given"},
	{Name: "cert", Value: true, Meta: "FILE", Help: "with --tls: the server's certificate (and chain), PEM", Kind: shell.FileArg},
	{Name: "key", Value: true, Meta: "FILE", Help: "with --tls: the certificate's private key, PEM", Kind: shell.FileArg},
}

// sessionCert is the certificate made for the session's TLS servers, made
// when the first one starts.
var sessionCert = shell.NewStateKey("serve.tls", func() *tls.Certificate { return nil })

// serveTLS reads serve's TLS options: nil when --tls is not given. The
// note says which certificate the server shows, and its fingerprint.
func serveTLS(c *shell.Call, udp bool) (*tls.Config, error) {
	certFile, hasCert := c.Flag("cert")
	keyFile, hasKey := c.Flag("key")
	if !c.Has("tls") {
		if hasCert || hasKey {
			return nil, c.UsageError("--cert and --key go with --tls")
		}
		return nil, nil
	}
	if udp {
		return nil, c.UsageError("--tls runs over TCP only (over UDP it would be DTLS, which is not offered)")
	}
	if hasCert != hasKey {
		return nil, c.UsageError("--cert FILE and --key FILE go together")
	}
	var pair tls.Certificate
	var err error
	how := "made for this session"
	if hasCert {
		pair, err = tlsx.LoadPair(certFile, keyFile)
		if err != nil {
			e := shell.Classify(err)
			if e.Hint == "" {
				e.Hint = fmt.Sprintf("--cert %s --key %s: a PEM certificate and its PEM private key", shell.StrRepr(certFile), shell.StrRepr(keyFile))
			}
			return nil, e
		}
		how = "from " + shell.StrRepr(certFile)
	} else {
		sessionCert.With(c.Session, func(p **tls.Certificate) {
			if *p == nil {
				var made tls.Certificate
				if made, err = tlsx.SessionCertificate(time.Now()); err == nil {
					*p = &made
				}
			}
			if *p != nil {
				pair = **p
			}
		})
		if err != nil {
			return nil, err
		}
	}
	f := tlsx.Facts(pair.Leaf, time.Now())
	c.Note("TLS certificate %s: %s, %s, %s; SHA-256 %s", how, f.Subject, strings.Join(f.SANs, ", "), f.Key, f.SHA256)
	return tlsx.ServerConfig(pair), nil
}

// noteTLSClients says how to reach a TLS server from here and from outside.
func noteTLSClients(c *shell.Call, addr string, own bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return
	}
	trust := "--ca FILE with the certificate's PEM"
	if own {
		trust = "--insecure (the certificate is self-signed: cert s1 shows the fingerprint to compare)"
	}
	c.Note("connect with: connect --tls %s %s %s; or openssl s_client -connect %s", host, port, trust, net.JoinHostPort(host, port))
}
