package commands

// Tests of tls, connect --tls, cert and the TLS data path against real
// peers: openssl s_server with a chain the test makes with openssl req and
// x509, socat OPENSSL-LISTEN, and python3's ssl module as the reference for
// every error's text.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// tlsFiles are the certificates a test made: a CA and a leaf it signed
// (localhost, 127.0.0.1), an expired leaf, a self-signed leaf.
type tlsFiles struct {
	dir                                            string
	ca, leaf, leafKey, expired, self, selfKey, bad string
}

// makeTLSFiles makes the chain with openssl req and openssl x509.
func makeTLSFiles(t *testing.T) tlsFiles {
	t.Helper()
	ossl := testenv.NeedPeer(t, "openssl", "openssl")
	d := t.TempDir()
	f := tlsFiles{dir: d, ca: filepath.Join(d, "ca.pem"), leaf: filepath.Join(d, "leaf.pem"), leafKey: filepath.Join(d, "leaf.key"),
		expired: filepath.Join(d, "expired.pem"), self: filepath.Join(d, "self.pem"), selfKey: filepath.Join(d, "self.key"), bad: filepath.Join(d, "bad.pem")}
	ext := filepath.Join(d, "ext.cnf")
	if err := os.WriteFile(ext, []byte("subjectAltName=DNS:localhost,IP:127.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.bad, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(ossl, args...)
		cmd.Dir = d
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run(append(append([]string{"req", "-x509"}, ec...), "-keyout", "ca.key", "-out", f.ca, "-days", "30", "-subj", "/CN=Test CA")...)
	run(append(append([]string{"req"}, ec...), "-keyout", f.leafKey, "-out", "leaf.csr", "-subj", "/CN=localhost")...)
	run("x509", "-req", "-in", "leaf.csr", "-CA", f.ca, "-CAkey", "ca.key", "-CAcreateserial", "-out", f.leaf, "-days", "10", "-extfile", ext)
	run("x509", "-req", "-in", "leaf.csr", "-CA", f.ca, "-CAkey", "ca.key", "-out", f.expired, "-days", "-1", "-extfile", ext)
	run(append(append([]string{"req", "-x509"}, ec...), "-keyout", f.selfKey, "-out", f.self, "-days", "10", "-subj", "/CN=localhost",
		"-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")...)
	return f
}

// sServer starts openssl s_server on loopback with args (it reverses each
// line it gets, -rev) and returns its port.
func sServer(t *testing.T, args ...string) int {
	t.Helper()
	ossl := testenv.NeedPeer(t, "openssl", "openssl")
	_, port := testenv.ListeningPeer(t, "tcp", ossl, func(port int) []string {
		return append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port), "-rev", "-quiet"}, args...)
	})
	return port
}

// pyTLSError is what python3's ssl raises connecting to port with host as
// server_hostname and cafile, as "module.Class: message", without the
// C source position OpenSSL's texts end with; after a handshake that
// succeeds, what the first recv raises; "ok" when nothing.
func pyTLSError(t *testing.T, port int, host, cafile string) string {
	t.Helper()
	out := pyRun(t, fmt.Sprintf(`
import socket, ssl
ctx = ssl.create_default_context(cafile=%q)
s = socket.create_connection(('127.0.0.1', %d))
s.settimeout(10)
try:
    t = ctx.wrap_socket(s, server_hostname=%q)
    t.sendall(b'abc\n')
    t.recv(100)
    print('ok')
except Exception as e:
    c = type(e)
    name = c.__qualname__ if c.__module__ == 'builtins' else c.__module__ + '.' + c.__qualname__
    print(name + ': ' + str(e))
`, cafile, port, host))
	return regexp.MustCompile(` \(_ssl\.c:\d+\)`).ReplaceAllString(strings.TrimSpace(out), "")
}

// errorLine is the first line of an error the shell printed, without the
// "-c:1:" position.
func errorLine(stderr string) string {
	line, _, _ := strings.Cut(stderr, "\n")
	return strings.TrimSpace(regexp.MustCompile(`^(\S+:\d+:(\d+:)? )`).ReplaceAllString(line, ""))
}

// Each verification failure, and the client certificate a server requires,
// is named as python3's ssl module names it, against the same s_server.
func TestTLSErrorsAsPython(t *testing.T) {
	f := makeTLSFiles(t)
	cases := []struct {
		name, host, ca string
		server         []string
		hint           string // a part of the hint
	}{
		{"valid", "localhost", f.ca, []string{"-cert", f.leaf, "-key", f.leafKey}, ""},
		{"self-signed", "localhost", f.ca, []string{"-cert", f.self, "-key", f.selfKey}, "signed itself"},
		{"expired", "localhost", f.ca, []string{"-cert", f.expired, "-key", f.leafKey}, "was valid until"},
		{"wrong name", "wrong.example", f.ca, []string{"-cert", f.leaf, "-key", f.leafKey}, "names localhost, 127.0.0.1, not wrong.example"},
		{"wrong address", "127.0.0.2", f.ca, []string{"-cert", f.leaf, "-key", f.leafKey}, "not 127.0.0.2"},
		{"unknown CA", "localhost", f.self, []string{"-cert", f.leaf, "-key", f.leafKey}, "did not send its issuer (CN=Test CA)"},
		{"self-signed in chain", "localhost", f.self, []string{"-cert", f.leaf, "-key", f.leafKey, "-cert_chain", f.ca}, "ends at a root (CN=Test CA)"},
		{"client cert required", "localhost", f.ca, []string{"-cert", f.leaf, "-key", f.leafKey, "-Verify", "1", "-CAfile", f.ca}, "requires a client certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := sServer(t, tc.server...)
			want := pyTLSError(t, port, tc.host, tc.ca)
			ss := newSockSession(t)
			_, stderr := ss.Exec(fmt.Sprintf("connect --tls 127.0.0.1 %d --sni %s --ca %s", port, tc.host, tc.ca))
			got := "ok"
			if stderr == "" {
				_, stderr = ss.Exec(`sendall s1 "abc\n"`)
				if stderr == "" {
					_, stderr = ss.Exec("recv s1 100")
				}
			}
			if stderr != "" {
				got = errorLine(stderr)
			}
			if got != want {
				t.Errorf("sockshell: %s\npython3:   %s", got, want)
			}
			if tc.hint != "" && !strings.Contains(stderr, tc.hint) {
				t.Errorf("hint lacks %q:\n%s", tc.hint, stderr)
			}
		})
	}
}
