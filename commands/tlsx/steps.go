// This file tells a handshake as steps, for explain: the records that
// crossed the socket, what was in the clear, what the protocol says the
// encrypted ones carried, and the verification.

package tlsx

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
)

// cipherNames are OpenSSL's names of the TLS 1.2 suites Go offers, which
// Python's SSLSocket.cipher() reports; TLS 1.3 suites have one name.
var cipherNames = map[uint16]string{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       "ECDHE-ECDSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       "ECDHE-ECDSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         "ECDHE-RSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         "ECDHE-RSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   "ECDHE-RSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:          "ECDHE-ECDSA-AES128-SHA",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:          "ECDHE-ECDSA-AES256-SHA",
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:            "ECDHE-RSA-AES128-SHA",
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:            "ECDHE-RSA-AES256-SHA",
}

// CipherName is the suite as Python's SSLSocket.cipher()[0] names it.
func CipherName(id uint16) string {
	if n, ok := cipherNames[id]; ok {
		return n
	}
	return tls.CipherSuiteName(id)
}

// Steps tells the handshake (err: how it ended) as lines for explain.
func (c *Conn) Steps(err error) []string {
	st := c.tc.ConnectionState()
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	tls13 := st.Version == tls.VersionTLS13
	var encIn, encInBytes int
	flushIn := func() {
		if encIn == 0 {
			return
		}
		what := ""
		if tls13 && err == nil {
			msgs := []string{"EncryptedExtensions"}
			if c.askedClientCert {
				msgs = append(msgs, "CertificateRequest")
			}
			if !st.DidResume {
				msgs = append(msgs, "Certificate", "CertificateVerify")
			}
			msgs = append(msgs, "Finished")
			what = ": TLS 1.3 encrypts the rest of the server's handshake, " + strings.Join(msgs, ", ")
		}
		add("TLS ← %d encrypted %s (%d bytes)%s", encIn, plural(encIn, "record"), encInBytes, what)
		encIn, encInBytes = 0, 0
	}
	var ve *VerifyError
	failedVerify := errors.As(err, &ve)
	records := c.w.records.list()
	lastOut := -1
	for i, r := range records {
		if r.Out {
			lastOut = i
		}
	}
	for i, r := range records {
		if !r.Out && r.Encrypted && !(!tls13 && r.Type == 22) {
			encIn++
			encInBytes += r.Len
			continue
		}
		flushIn()
		arrow := "←"
		if r.Out {
			arrow = "→"
		}
		switch {
		case r.Alert != nil:
			add("TLS %s alert %s", arrow, r.Alert)
		case r.Type == 20:
			note := ""
			if tls13 {
				note = " (in TLS 1.3 a compatibility record only, RFC 8446 D.4)"
			}
			add("TLS %s ChangeCipherSpec%s", arrow, note)
		case r.Encrypted && !r.Out: // TLS 1.2: the server's Finished, after its ChangeCipherSpec
			add("TLS ← Finished (encrypted), %d bytes", r.Len)
		case r.Encrypted && r.Out && failedVerify && i == lastOut:
			add("TLS → alert (encrypted), %d bytes: crypto/tls sends bad_certificate (42) when the verification fails", r.Len)
		case r.Encrypted && r.Out:
			what := "encrypted record"
			if err == nil && (tls13 || r.Type == 22) {
				what = "Finished (encrypted)"
				if tls13 && c.askedClientCert {
					what = "Certificate (empty: this side has none), Finished (encrypted)"
				}
			}
			add("TLS → %s, %d bytes", what, r.Len)
		case len(r.Messages) > 0:
			add("TLS %s %s (%d bytes)%s", arrow, strings.Join(r.Messages, ", "), r.Len, c.detail(r, st))
		default:
			add("TLS %s %s record, %d bytes", arrow, TypeName(r.Type), r.Len)
		}
	}
	flushIn()
	if failedVerify {
		add("TLS verification failed: %s", ve.Reason)
	}
	if err != nil {
		return out
	}
	if n := len(st.PeerCertificates); n > 0 {
		names := make([]string, n)
		for i, cert := range st.PeerCertificates {
			names[i] = cert.Subject.String()
		}
		add("TLS certificates received: %d (%s)", n, strings.Join(names, " ← issued by "))
	}
	switch {
	case c.cfg.Insecure:
		add("TLS certificate not verified (--insecure)")
	default:
		name := "no name"
		if c.cfg.ServerName != "" {
			name = "the name " + quote(c.cfg.ServerName)
		}
		add("TLS verified: a chain to a trusted root, %s, and the dates", name)
	}
	return out
}

// detail says what a record in the clear chose or offered.
func (c *Conn) detail(r Record, st tls.ConnectionState) string {
	switch r.Messages[0] {
	case "ClientHello":
		parts := []string{"offers TLS 1.3 and 1.2"}
		if c.cfg.ServerName != "" && !isIP(c.cfg.ServerName) {
			parts = append(parts, "SNI "+quote(c.cfg.ServerName))
		} else {
			parts = append(parts, "no SNI")
		}
		if len(c.cfg.ALPN) > 0 {
			parts = append(parts, "ALPN "+strings.Join(c.cfg.ALPN, ","))
		}
		return ": " + strings.Join(parts, ", ")
	case "ServerHello":
		s := fmt.Sprintf(": the server chose %s, %s", VersionName(st.Version), CipherName(st.CipherSuite))
		if st.CurveID != 0 {
			s += ", key exchange " + st.CurveID.String()
		}
		return s
	}
	return ""
}

func plural(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return unit + "s"
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
