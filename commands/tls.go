// TLS on a session socket: tls (wrap a connected socket, as Python's
// ctx.wrap_socket does), connect --tls, and the handshake told as steps for
// explain. The connection runs Go's crypto/tls over the socket's own data
// calls (commands/tlsx), so every byte still goes through the socket's
// counters, trace and events. tls_io.go is the data path on a TLS socket;
// cert.go the cert command.
package commands

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/tlsx"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// The TLS events, under the socket's name: a handshake done (fields
// version, cipher, alpn, sni, verified, peer), or failed (error).
const (
	eventTLSHandshake shell.EventKind = "tls_handshake"
	eventTLSFailed    shell.EventKind = "tls_failed"
)

// tlsFlags are tls's options, which connect --tls takes too.
var tlsFlags = []shell.Flag{
	{Name: "sni", Value: true, Meta: "NAME", Help: "server_hostname: the name sent as SNI and checked against the certificate (default: the HOST connected to, or the peer's address)", Kind: hostArg},
	{Name: "alpn", Value: true, Meta: "LIST", Help: "offer these application protocols, comma-separated (h2,http/1.1)", Kind: shell.Choices("ALPN list", "h2,http/1.1", "http/1.1", "h2")},
	{Name: "ca", Value: true, Meta: "FILE", Help: "trust the CA certificates of this PEM file instead of the system's", Kind: shell.FileArg},
	{Name: "insecure", Help: "do not verify the certificate or the host name (check_hostname False, CERT_NONE)"},
}

// connectTLSFlags are connect's: --tls and tls's options.
func connectTLSFlags() []shell.Flag {
	return append([]shell.Flag{{Name: "tls", Help: "upgrade the connection to TLS at once, as tls SOCK does (the TLS options go with it)"}}, tlsFlags...)
}

func tlsCommands() []*shell.Command {
	return []*shell.Command{
		{
			Name: "tls", Group: groupSockets,
			Summary: "Upgrade a connected TCP socket to TLS (handshake, certificate and host name verified).",
			Help: "As Python's ssl.create_default_context() and ctx.wrap_socket(s, server_hostname=…):\n" +
				"TLS 1.2 or 1.3, the chain verified against the system's CA certificates (or --ca FILE's)\n" +
				"and the name checked (--sni NAME, else the peer's address). Failures are named as\n" +
				"Python's ssl module names them. The socket keeps its name: send, sendall, recv,\n" +
				"shutdown and close then go through TLS, and `cert SOCK` shows the peer's chain.\n" +
				"explain shows the handshake's records. close sends no close_notify, as Python's\n" +
				"close() does not; shutdown drops the TLS layer, as Python's SSLSocket.shutdown does.",
			Python:   "s = ssl.create_default_context().wrap_socket(s, server_hostname=host)",
			Examples: []string{"tls s1", "tls s1 --sni localhost --ca ca.pem", "tls s1 --insecure --alpn h2,http/1.1"},
			Args: []shell.Arg{shell.Req("SOCK", sockArg), shell.OptFlag("sni"), shell.OptFlag("alpn"),
				shell.OptFlag("ca"), shell.OptFlag("insecure")},
			Flags: tlsFlags,
			Run: func(c *shell.Call) (any, error) {
				s, name := sockAt(c, 0)
				return upgradeTLS(c, s, name, "")
			},
		},
		certCommand(),
	}
}

// tlsOf is the socket's TLS connection, or nil for a plain socket.
func tlsOf(s *bsd.Socket) *tlsx.Conn {
	t, _ := s.Layer().(*tlsx.Conn)
	return t
}

// tlsConfig reads tls's options into a client configuration; host is the
// host connected to ("" when unknown: the peer's address is the name).
func tlsConfig(c *shell.Call, s *bsd.Socket, host string) (tlsx.ClientConfig, error) {
	cfg := tlsx.ClientConfig{Insecure: c.Has("insecure")}
	if sni, ok := c.Flag("sni"); ok {
		if sni == "" {
			return cfg, c.UsageError("--sni needs a NAME")
		}
		cfg.ServerName = sni
	} else if host != "" {
		cfg.ServerName = host
	} else if pa, err := s.PeerName(); err == nil && pa.Addr().IsValid() {
		cfg.ServerName = pa.Addr().Unmap().String()
	}
	if list, ok := c.Flag("alpn"); ok {
		for _, p := range strings.Split(list, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.ALPN = append(cfg.ALPN, p)
			}
		}
		if len(cfg.ALPN) == 0 {
			return cfg, c.UsageError("--alpn takes a comma-separated list of protocols (h2,http/1.1)")
		}
	}
	if ca, ok := c.Flag("ca"); ok {
		cfg.CAFile = ca
	}
	return cfg, nil
}

// loadRoots reads the --ca file (raising what Python's
// create_default_context(cafile=…) raises) or the system's roots.
func loadRoots(cfg *tlsx.ClientConfig) error {
	if cfg.CAFile == "" {
		cfg.Roots = tlsx.SystemRoots()
		return nil
	}
	data, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		e := shell.Classify(err)
		var pe *os.PathError
		if errors.As(err, &pe) {
			// As Python says it: the file's name is not in the message.
			if errno, ok := pe.Err.(unix.Errno); ok {
				e = shell.ErrnoError(errno, "")
			}
		}
		e.Hint = fmt.Sprintf("--ca %s: the PEM file of the CA certificates to trust", shell.StrRepr(cfg.CAFile))
		return e
	}
	roots, err := tlsx.ParsePEM(data)
	if err != nil {
		return &shell.Error{Class: "ssl.SSLError", Msg: "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found",
			Hint: fmt.Sprintf("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----): %v", shell.StrRepr(cfg.CAFile), err)}
	}
	cfg.Roots = roots
	return nil
}

// pyTLSContext records the Python that makes the context the options ask for.
func pyTLSContext(c *shell.Call, cfg tlsx.ClientConfig) {
	if cfg.CAFile != "" {
		c.Python("ctx = ssl.create_default_context(cafile=%s)", shell.StrRepr(cfg.CAFile))
	} else {
		c.Python("ctx = ssl.create_default_context()")
	}
	if cfg.Insecure {
		c.Python("ctx.check_hostname = False")
		c.Python("ctx.verify_mode = ssl.CERT_NONE")
	}
	if len(cfg.ALPN) > 0 {
		items := make([]string, len(cfg.ALPN))
		for i, p := range cfg.ALPN {
			items[i] = shell.StrRepr(p)
		}
		c.Python("ctx.set_alpn_protocols([%s])", strings.Join(items, ", "))
	}
}

// upgradeTLS runs the handshake on a connected socket and, when it is
// done, keeps the connection with the socket. host is the host the
// socket was connected to by this command ("" for tls SOCK).
func upgradeTLS(c *shell.Call, s *bsd.Socket, name, host string) (any, error) {
	cfg, err := tlsConfig(c, s, host)
	if err != nil {
		return nil, err
	}
	if t := tlsOf(s); t != nil {
		return nil, shell.Errorf("ValueError", "%s is a TLS socket already (%s); one TLS layer is what a socket takes here", name, tlsx.VersionName(t.State().Version))
	}
	if s.Type() != unix.SOCK_STREAM {
		pyTLSContext(c, cfg)
		c.Python("ctx.wrap_socket(%s)", name) // raises the same
		return nil, &shell.Error{Class: "NotImplementedError", Msg: "only stream sockets are supported",
			Hint: "TLS runs over a TCP stream; over UDP the protocol is DTLS, which Python's ssl module does not offer"}
	}
	if !s.Connected() {
		return nil, shell.ErrnoError(unix.ENOTCONN, fmt.Sprintf("%s is not connected: connect it first (connect %s HOST PORT), then tls %s; or connect --tls HOST PORT does both (Python's wrap_socket would wrap it unconnected and shake hands at its connect; here tls upgrades a connected socket)", name, name, name))
	}
	if _, given := c.Flag("sni"); !given && host == "" && cfg.ServerName != "" {
		c.Note("no --sni: server_hostname is the peer's address %s, so no SNI is sent and the certificate must name that address", cfg.ServerName)
	}
	if cfg.ServerName == "" && !cfg.Insecure {
		pyTLSContext(c, cfg)
		c.Python("%s = ctx.wrap_socket(%s)", name, name) // raises the same
		return nil, &shell.Error{Class: "ValueError", Msg: "check_hostname requires server_hostname",
			Hint: fmt.Sprintf("%s has no peer address to check the certificate against: give the name with --sni NAME (or --insecure to check nothing)", name)}
	}
	if err := loadRoots(&cfg); err != nil {
		pyTLSContext(c, cfg)
		return nil, err
	}
	pyTLSContext(c, cfg)
	sniExpr := "None"
	if cfg.ServerName != "" {
		sniExpr = shell.StrRepr(cfg.ServerName)
	}
	c.Python("%s = ctx.wrap_socket(%s, server_hostname=%s)", name, name, sniExpr)
	local, peer := netAddr(s, false), netAddr(s, true)
	tc := tlsx.Client(s, local, peer, cfg)
	done := traceSock(c, s)
	start := time.Now()
	err = tc.Handshake(c.Ctx)
	c.Timing("TLS handshake", time.Since(start))
	done()
	if tracing(c) {
		c.Syscalls(tc.Steps(err)...)
	}
	if err != nil {
		// As in Python: wrap_socket detached the socket into the
		// SSLSocket, which closes when its handshake fails.
		s.Close()
		c.Session.Remove(name)
		markClosed(c, name)
		c.Note("%s is closed: a failed wrap_socket closes the socket it took over, as in Python", name)
		err = tlsx.PythonError(err, tlsx.OpHandshake, name)
		c.Session.Emit(shell.Event{Kind: eventTLSFailed, Resource: name, Quiet: true,
			Message: "TLS handshake failed: " + shell.Classify(err).Error(),
			Attrs:   []shell.Attr{{Key: "fd", Value: s.FD()}, {Key: "sni", Value: cfg.ServerName}, {Key: "error", Value: shell.Classify(err).Error()}}})
		return nil, err
	}
	s.SetLayer(tc)
	st := tc.State()
	verified := "verified"
	if cfg.Insecure {
		verified = "not verified (--insecure)"
	}
	attrs := []shell.Attr{{Key: "fd", Value: s.FD()}, {Key: "version", Value: tlsx.VersionName(st.Version)},
		{Key: "cipher", Value: tlsx.CipherName(st.CipherSuite)}, {Key: "alpn", Value: st.NegotiatedProtocol},
		{Key: "sni", Value: cfg.ServerName}, {Key: "verified", Value: !cfg.Insecure}}
	if len(st.PeerCertificates) > 0 {
		attrs = append(attrs, shell.Attr{Key: "peer", Value: st.PeerCertificates[0].Subject.String()})
	}
	c.Session.Emit(shell.Event{Kind: eventTLSHandshake, Resource: name, Quiet: true, Attrs: attrs,
		Message: fmt.Sprintf("TLS handshake done: %s, %s, certificate %s", tlsx.VersionName(st.Version), tlsx.CipherName(st.CipherSuite), verified)})
	c.Note("%s, %s; certificate %s", tlsx.VersionName(st.Version), tlsx.CipherName(st.CipherSuite), verifiedWhat(cfg, st.PeerCertificates))
	return sslRepr(name, s), nil
}

// verifiedWhat says what the verification checked, for the note after tls.
func verifiedWhat(cfg tlsx.ClientConfig, chain []*x509.Certificate) string {
	if cfg.Insecure {
		return "NOT verified (--insecure): anyone on the path could have answered"
	}
	subj := "?"
	if len(chain) > 0 {
		subj = chain[0].Subject.String()
	}
	roots := "the system's CA certificates"
	if cfg.CAFile != "" {
		roots = shell.StrRepr(cfg.CAFile)
	}
	name := "no name checked"
	if cfg.ServerName != "" {
		name = "valid for " + shell.StrRepr(cfg.ServerName)
	}
	return fmt.Sprintf("verified: %s, %s, trusted through %s", subj, name, roots)
}

// netAddr is the socket's own (or peer's) address as a net.Addr.
func netAddr(s *bsd.Socket, peer bool) net.Addr {
	var a bsd.SockAddr
	var err error
	if peer {
		a, err = s.PeerName()
	} else {
		a, err = s.SockName()
	}
	if err != nil {
		return &net.TCPAddr{}
	}
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(a.Addr().Unmap(), a.Port()))
}

// sslRepr is a TLS socket's repr, as Python 3 prints an ssl.SSLSocket:
// family, type as numbers.
func sslRepr(name string, s *bsd.Socket) shell.Repr {
	var b strings.Builder
	fmt.Fprintf(&b, "<ssl.SSLSocket fd=%d, family=%d, type=%d, proto=%d", s.FD(), s.Family(), s.Type(), s.Proto())
	obj := map[string]any{"name": name, "class": "ssl.SSLSocket", "fd": s.FD(), "family": bsd.FamilyName(s.Family()), "type": bsd.TypeName(s.Type()), "proto": s.Proto()}
	if la, err := s.SockName(); err == nil {
		fmt.Fprintf(&b, ", laddr=%s", la.Tuple())
		obj["laddr"] = addrValue(la)
	}
	if ra, err := s.PeerName(); err == nil {
		fmt.Fprintf(&b, ", raddr=%s", ra.Tuple())
		obj["raddr"] = addrValue(ra)
	}
	if t := tlsOf(s); t != nil {
		obj["tls"] = tlsx.VersionName(t.State().Version)
	}
	b.WriteString(">")
	return shell.Repr{Text: name + "  " + b.String(), JSON: obj}
}

// tlsFlagsAlone refuses tls's options on a connect without --tls.
func tlsFlagsAlone(c *shell.Call) error {
	if c.Has("tls") {
		return nil
	}
	for _, f := range tlsFlags {
		if c.Has(f.Name) {
			return c.UsageError("--" + f.Name + " goes with --tls")
		}
	}
	return nil
}

// usesSSL reports whether a session's commands recorded Python that uses
// the ssl module, for export's imports.
func usesSSL(entries []shell.CommandEntry) bool {
	for _, e := range entries {
		py, _ := e.Attr("python")
		lines, _ := py.([]string)
		for _, l := range lines {
			if strings.Contains(l, "ssl.") {
				return true
			}
		}
	}
	return false
}
