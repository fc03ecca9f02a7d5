// This file holds what Python's ssl module raises for what went wrong in
// a TLS connection, with a hint that says, truly, what it means.

package tlsx

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/sockshell/sockshell/shell/pyerr"
)

// Error is a TLS failure as Python's ssl module raises it.
type Error struct {
	Class string // "ssl.SSLCertVerificationError", "ssl.SSLError", "ssl.SSLEOFError", "TimeoutError"
	Msg   string // "[SSL: WRONG_VERSION_NUMBER] wrong version number"
	Hint  string
	Err   error
}

func (e *Error) Error() string { return e.Class + ": " + e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Op is the operation an error happened in, for Python's timeout texts.
type Op string

const (
	OpHandshake Op = "handshake"
	OpRead      Op = "read"
	OpWrite     Op = "write"
)

// PythonError turns an error of the connection into what Python raises,
// or returns it unchanged when Python raises the socket's own error for
// it (a reset: ConnectionResetError) and it is not the TLS layer's.
func PythonError(err error, op Op, peerName string) error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) {
		return te // the server's first flight, refused as OpenSSL refuses it
	}
	var ve *VerifyError
	if errors.As(err, &ve) {
		return &Error{Class: "ssl.SSLCertVerificationError", Msg: ve.Error(), Hint: verifyHint(ve, peerName), Err: err}
	}
	if isTimeout(err) {
		return &Error{Class: "TimeoutError", Msg: fmt.Sprintf("The %s operation timed out", op), Err: err}
	}
	var pe *pauseError
	if errors.As(err, &pe) {
		return pe.err // a cancel: the shell's KeyboardInterrupt
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return &Error{Class: "ssl.SSLError", Msg: "[SSL: WRONG_VERSION_NUMBER] wrong version number", Err: err,
			Hint: fmt.Sprintf("the server's record header %s is not one this connection takes (%s)", bytesRepr(rh.RecordHeader[:]), strings.TrimPrefix(rh.Msg, "tls: "))}
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" {
		if d, ok := goRemoteAlerts()[oe.Err.Error()]; ok {
			code, text, known := alertReason(d)
			msg := fmt.Sprintf("[SSL: %s] %s", code, text)
			if !known {
				msg = "[SSL] unknown error" // OpenSSL has no reason for this alert
			}
			return &Error{Class: "ssl.SSLError", Msg: msg, Hint: alertHint(d, op), Err: err}
		}
	}
	if errors.As(err, &oe) && oe.Op == "local error" {
		return localError(oe, err)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "tls: server selected unsupported protocol version "); ok {
		return &Error{Class: "ssl.SSLError", Msg: "[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol", Err: err,
			Hint: "the server's ServerHello chose the version 0x" + msg + ", which this side did not offer (TLS 1.2 and 1.3, as Python's default context)"}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		hint := "the peer closed the connection in the middle of a TLS record"
		if op == OpHandshake {
			hint = "the server closed the connection during the handshake without sending an alert: it may not speak TLS on this port, or it dropped the ClientHello (a TLS version, SNI name or cipher it will not take)"
		}
		return &Error{Class: "ssl.SSLEOFError", Msg: "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol", Hint: hint, Err: err}
	}
	if msg, ok := strings.CutPrefix(err.Error(), "tls: "); ok {
		return &Error{Class: "ssl.SSLError", Msg: msg, Err: err,
			Hint: "this is Go's crypto/tls's wording, which sockshell runs; OpenSSL's reason (Python's) has other words for it"}
	}
	return err
}

// localError is an alert this side (crypto/tls) sent because the
// server's handshake was bad: Python's class, and OpenSSL's reason where
// it names the same fault.
func localError(oe *net.OpError, err error) error {
	alert := strings.TrimPrefix(oe.Err.Error(), "tls: ")
	switch alert {
	case "error decoding message":
		return &Error{Class: "ssl.SSLError", Msg: "[SSL: LENGTH_MISMATCH] length mismatch", Err: err,
			Hint: "a handshake message of the server's does not parse: its fields do not fit its length (this side sent the alert decode_error)"}
	case "unexpected message":
		return &Error{Class: "ssl.SSLError", Msg: "[SSL: UNEXPECTED_MESSAGE] unexpected message", Err: err,
			Hint: "the server sent a record or handshake message this side did not expect at this point of the handshake (this side sent the alert unexpected_message)"}
	}
	return &Error{Class: "ssl.SSLError", Msg: alert, Err: err,
		Hint: "this side (Go's crypto/tls, which sockshell runs) found the server's handshake bad and sent the alert " + alert + "; OpenSSL's reason (Python's) has other words for it"}
}

func bytesRepr(p []byte) string {
	var b strings.Builder
	b.WriteString("b'")
	for _, c := range p {
		switch {
		case c == '\\' || c == '\'':
			b.WriteString(`\` + string(c))
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	b.WriteString("'")
	return b.String()
}

func verifyHint(e *VerifyError, peer string) string {
	subj := ""
	if e.Cert != nil {
		subj = e.Cert.Subject.String()
	}
	switch e.Kind {
	case "self-signed":
		return fmt.Sprintf("the server's certificate (%s) signed itself and is not among the trusted roots; trust it with --ca FILE (connect with --insecure, and cert SOCK --pem prints its PEM), or skip verification with --insecure", subj)
	case "self-signed-chain":
		return fmt.Sprintf("the chain the server sent ends at a root (%s) that is not among the trusted roots; give that root's PEM with --ca FILE", subj)
	case "unknown-ca":
		issuer := ""
		if e.Cert != nil {
			issuer = e.Cert.Issuer.String()
		}
		return fmt.Sprintf("no trusted root signed the certificate of %s, and the server did not send its issuer (%s): give that CA's PEM with --ca FILE", subj, issuer)
	case "expired":
		return fmt.Sprintf("the certificate of %s was valid until %s; the server must renew it (--insecure skips the check)", subj, e.Cert.NotAfter.UTC().Format("2006-01-02 15:04:05 UTC"))
	case "not-yet-valid":
		return fmt.Sprintf("the certificate of %s is valid only from %s: check this machine's clock, or the server's certificate", subj, e.Cert.NotBefore.UTC().Format("2006-01-02 15:04:05 UTC"))
	case "hostname", "ip":
		names := append([]string(nil), e.Cert.DNSNames...)
		for _, ip := range e.Cert.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 {
			names = []string{"(no subjectAltName; CN " + e.Cert.Subject.CommonName + ")"}
		}
		return fmt.Sprintf("the certificate names %s, not %s; connect by one of those names, or give it with --sni NAME", strings.Join(names, ", "), e.Name)
	}
	return ""
}

func alertHint(d byte, op Op) string {
	switch d {
	case 116:
		return "the server requires a client certificate and this context has none (Python: ctx.load_cert_chain(certfile, keyfile)); with TLS 1.3 this side's handshake is done once it has sent its (empty) certificate, before the server has checked it, so the server's alert arrives on the first read"
	case 40:
		if op == OpHandshake {
			return "the server refused the handshake: no TLS version or cipher both sides take, or (TLS 1.2) a client certificate it requires"
		}
	case 42, 46, 48:
		return "the server refused the certificate this side sent (or its lack of one)"
	case 112:
		return "the server has no certificate for the name sent as SNI; give another with --sni NAME"
	case 120:
		return "the server supports none of the protocols offered with --alpn"
	case 70:
		return "the server does not take the TLS versions offered (TLS 1.2 and 1.3, as Python's default context)"
	}
	if _, _, known := alertReason(d); !known {
		return fmt.Sprintf("the peer sent a fatal alert of description %d (%s), which OpenSSL has no reason for, and ended the connection", d, AlertName(d))
	}
	return fmt.Sprintf("the peer sent the TLS alert %s (%d) and ended the connection", AlertName(d), d)
}

// Python is what Python raises (pyerr.Error).
func (e *Error) Python() pyerr.Exception {
	return pyerr.Exception{Class: e.Class, Msg: e.Msg, Hint: e.Hint}
}
