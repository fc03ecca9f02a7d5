// cert: the peer's certificate chain and the TLS session of a TLS socket,
// as a table (or the chain in PEM).
package commands

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/tlsx"
	"github.com/sockshell/sockshell/shell"
)

func certCommand() *shell.Command {
	return &shell.Command{
		Name: "cert", Group: groupSockets,
		Summary: "The peer's certificate chain (subject, issuer, names, dates, key, fingerprint) and the TLS session.",
		Help: "One row a certificate, depth 0 the server's own: subject, issuer, subjectAltName, not before,\n" +
			"not after with the days left, key type and size, signature algorithm (OpenSSL's names)\n" +
			"and SHA-256 fingerprint (as openssl x509 -fingerprint -sha256). The notes under it say\n" +
			"the session: TLS version, cipher suite, ALPN, SNI sent, OCSP staple, resumption.\n" +
			"In json: {\"chain\": [...], \"session\": {...}}, dates in ISO 8601 (UTC). --pem prints\n" +
			"the chain in PEM (Python 3.11's getpeercert(True) gives the first one only).",
		Python:   "s.getpeercert()",
		Examples: []string{"cert s1", "cert s1 --pem"},
		Args:     []shell.Arg{shell.Req("SOCK", sockArg)},
		Flags:    []shell.Flag{{Name: "pem", Help: "print the chain in PEM"}},
		Run:      runCert,
	}
}

func runCert(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	t := tlsOf(s)
	if t == nil {
		c.Python("%s.getpeercert()", name)
		return nil, &shell.Error{Class: "AttributeError", Msg: "'socket' object has no attribute 'getpeercert'",
			Hint: fmt.Sprintf("%s is a plain socket: upgrade it with tls %s, or connect with connect --tls HOST PORT", name, name)}
	}
	st := t.State()
	if c.Has("pem") {
		c.Python("ssl.DER_cert_to_PEM_cert(%s.getpeercert(binary_form=True))", name)
		if len(st.PeerCertificates) == 0 {
			return shell.None, nil
		}
		return shell.Repr{Text: strings.TrimSuffix(tlsx.PEM(st.PeerCertificates), "\n"), JSON: tlsx.PEM(st.PeerCertificates)}, nil
	}
	c.Python("%s.getpeercert()", name)
	c.Python("%s.version(), %s.cipher(), %s.selected_alpn_protocol(), %s.session_reused", name, name, name, name)
	if c.Session.Settings.Format == "json" {
		return certJSON(t, st), nil
	}
	rows := &shell.Rows{Header: []string{"depth", "subject", "issuer", "SANs", "not before", "not after", "days left", "key", "signature", "SHA-256"}}
	now := time.Now()
	for i, cert := range st.PeerCertificates {
		f := tlsx.Facts(cert, now)
		rows.Append(i, f.Subject, f.Issuer, strings.Join(f.SANs, ", "), f.NotBefore.Format(time.DateTime), f.NotAfter.Format(time.DateTime), f.DaysLeft, f.Key, f.SigAlg, f.SHA256)
	}
	if t.Config().Insecure {
		c.Note("not verified (--insecure); Python's getpeercert() returns {} for such a connection, getpeercert(True) the certificate")
	}
	for _, l := range sessionLines(t, st) {
		c.Note("%s", l)
	}
	return rows, nil
}

// sessionLines say the TLS session's facts.
func sessionLines(t *tlsx.Conn, st tls.ConnectionState) []string {
	alpn := "none"
	if len(t.Config().ALPN) > 0 {
		alpn = "none chosen (offered " + strings.Join(t.Config().ALPN, ",") + ")"
	}
	if st.NegotiatedProtocol != "" {
		alpn = shell.StrRepr(st.NegotiatedProtocol)
	}
	sni := "none"
	if n := t.Config().ServerName; n != "" && !isAddrLiteral(n) {
		sni = shell.StrRepr(n)
	} else if n != "" {
		sni = "none (server_hostname " + shell.StrRepr(n) + " is an address, and an address is never sent as SNI)"
	}
	ocsp := "no"
	if len(st.OCSPResponse) > 0 {
		ocsp = fmt.Sprintf("yes (%d bytes)", len(st.OCSPResponse))
	}
	resumed := "no (a full handshake)"
	if st.DidResume {
		resumed = "yes"
	}
	return []string{
		"version " + tlsx.VersionName(st.Version) + ", cipher " + tlsx.CipherName(st.CipherSuite),
		"ALPN " + alpn + "; SNI sent " + sni,
		"OCSP staple " + ocsp + "; resumed " + resumed,
	}
}

func isAddrLiteral(s string) bool { _, err := netip.ParseAddr(s); return err == nil }

// certJSON is cert's result in json: the chain, each certificate's facts
// (SANs a list, dates in ISO 8601 UTC), and the session.
func certJSON(t *tlsx.Conn, st tls.ConnectionState) shell.Repr {
	chain := shell.List{}
	now := time.Now()
	for i, cert := range st.PeerCertificates {
		f := tlsx.Facts(cert, now)
		sans := f.SANs
		if sans == nil {
			sans = []string{}
		}
		chain = append(chain, map[string]any{"depth": i, "subject": f.Subject, "issuer": f.Issuer, "sans": sans,
			"not_before": f.NotBefore.Format(time.RFC3339), "not_after": f.NotAfter.Format(time.RFC3339), "days_left": f.DaysLeft,
			"key": f.Key, "signature": f.SigAlg, "sha256": f.SHA256})
	}
	cfg := t.Config()
	var alpn, sni any
	if st.NegotiatedProtocol != "" {
		alpn = st.NegotiatedProtocol
	}
	if cfg.ServerName != "" && !isAddrLiteral(cfg.ServerName) {
		sni = cfg.ServerName
	}
	offered := cfg.ALPN
	if offered == nil {
		offered = []string{}
	}
	session := map[string]any{"version": tlsx.VersionName(st.Version), "cipher": tlsx.CipherName(st.CipherSuite),
		"alpn": alpn, "alpn_offered": offered, "sni": sni, "server_hostname": cfg.ServerName, "ocsp_staple": len(st.OCSPResponse) > 0,
		"resumed": st.DidResume, "verified": !cfg.Insecure}
	return shell.Repr{JSON: map[string]any{"chain": chain, "session": session}}
}
