package commands

// Tests of tls, connect --tls and cert against openssl s_server, with a
// chain the test makes with openssl req and x509 (the helpers the other
// tls_*_test.go files share): python3's ssl module as the reference for
// every error's text, a plain peer on a TLS socket, explain, bad input and
// completion.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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
		{"client cert required, TLS 1.2", "localhost", f.ca, []string{"-cert", f.leaf, "-key", f.leafKey, "-Verify", "1", "-CAfile", f.ca, "-tls1_2"}, "a client certificate it requires"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each its own server and session
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

// A plain server on a TLS connect, and TLS bytes on a plain recv (a
// server's alert, a client's ClientHello), each with its hint; the
// plain-server error is python3's.
func TestTLSPlainMismatch(t *testing.T) {
	ossl := testenv.NeedPeer(t, "openssl", "openssl")
	f := makeTLSFiles(t)
	plain := sockGoPeer(t, func(c *net.TCPConn) {
		c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
		buf := make([]byte, 4096)
		c.Read(buf)
	})
	want := pyTLSError(t, plain, "localhost", f.ca)
	ss := newSockSession(t)
	_, stderr := ss.Exec(fmt.Sprintf("connect --tls 127.0.0.1 %d --sni localhost --ca %s", plain, f.ca))
	if got := errorLine(stderr); got != want {
		t.Errorf("sockshell: %s\npython3:   %s", got, want)
	}
	if !strings.Contains(stderr, `b'SSH-2'`) || !strings.Contains(stderr, "not a TLS record") {
		t.Errorf("hint: %s", stderr)
	}

	// Plain bytes that look like a record to a TLS server: its alert.
	tlsPort := sServer(t, "-cert", f.leaf, "-key", f.leafKey)
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", tlsPort))
	ss.MustExec(`send s2 b'\x16\x03\x01\x00\x05hello'`)
	if out := ss.MustExec("recv s2"); !strings.Contains(out, `b'\x15\x03`) || !strings.Contains(out, "a TLS alert record: fatal") {
		t.Errorf("recv of an alert: %q", out)
	}

	// A TLS client on a plain listening socket: its ClientHello.
	ss.MustExec("socket tcp")
	ss.MustExec("bind s3 127.0.0.1 0")
	ss.MustExec("listen s3")
	port := ss.sock("s3")
	la, _ := port.SockName()
	cmd := exec.Command(ossl, "s_client", "-connect", fmt.Sprintf("127.0.0.1:%d", la.Port()))
	cmd.Stdin = strings.NewReader("")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	ss.MustExec("accept s3")
	if out := ss.MustExec("recv s4"); !strings.Contains(out, "(a ClientHello)") || !strings.Contains(out, "TLS client") {
		t.Errorf("recv of a ClientHello: %q", out)
	}
}

// explain tells the handshake from the records on the wire: TLS 1.3 (the
// server's handshake encrypted after ServerHello) and TLS 1.2 (every
// server message in the clear, as parsed).
func TestTLSExplainSteps(t *testing.T) {
	f := makeTLSFiles(t)
	for _, tc := range []struct {
		version string
		server  []string
		want    []string
	}{
		{"1.3", nil, []string{"TLS → ClientHello", "offers TLS 1.3 and 1.2, SNI 'localhost'", "TLS ← ServerHello", "the server chose TLSv1.3",
			"encrypted records", "EncryptedExtensions, Certificate, CertificateVerify, Finished", "TLS → Finished (encrypted)",
			"certificates received: 1 (CN=localhost)", "TLS verified"}},
		{"1.2", []string{"-tls1_2"}, []string{"TLS ← ServerHello", "the server chose TLSv1.2, ECDHE-ECDSA-",
			"TLS ← Certificate (", "TLS ← ServerKeyExchange (", "TLS ← ServerHelloDone (", "TLS → ClientKeyExchange",
			"TLS → ChangeCipherSpec\n", "TLS → Finished (encrypted)", "TLS ← ChangeCipherSpec\n", "TLS ← Finished (encrypted)"}},
	} {
		t.Run(tc.version, func(t *testing.T) {
			port := sServer(t, append([]string{"-cert", f.leaf, "-key", f.leafKey}, tc.server...)...)
			ss := newSockSession(t)
			ss.MustExec("explain on")
			out := ss.MustExec(fmt.Sprintf("connect --tls localhost %d --ca %s", port, f.ca))
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("explain lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(out, "ctx = ssl.create_default_context(cafile=") || !strings.Contains(out, "s1 = ctx.wrap_socket(s1, server_hostname='localhost')") {
				t.Errorf("python lines:\n%s", out)
			}
		})
	}
}

// Bad input: one clear error each, and the shell goes on.
func TestTLSBadInput(t *testing.T) {
	f := makeTLSFiles(t)
	port := sServer(t, "-cert", f.leaf, "-key", f.leafKey)
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.AssertExecError("tls s1", "OSError: [Errno 107] Transport endpoint is not connected")
	ss.MustExec("socket udp")
	ss.AssertExecError("tls s2", "NotImplementedError: only stream sockets are supported")
	ss.MustExec("close s2")
	ss.AssertExecError("tls s2", "Bad file descriptor")
	ss.AssertExecError("tls", "missing")
	ss.AssertExecError("tls nosuch", "NameError")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.AssertExecError("tls s1 --ca "+filepath.Join(f.dir, "missing.pem"), "FileNotFoundError: [Errno 2] No such file or directory")
	ss.AssertExecError("tls s1 --ca "+f.bad, "ssl.SSLError: [X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found")
	ss.MustExec("tls s1 --sni localhost --ca " + f.ca)
	ss.AssertExecError("tls s1 --insecure", "ValueError: s1 is a TLS socket already")
	ss.AssertExecError("sendto s1 x 127.0.0.1 9", "ValueError: sendto not allowed on instances of <class 'ssl.SSLSocket'>")
	ss.AssertExecError("recvfrom s1", "ValueError: recvfrom not allowed")
	ss.AssertExecError(fmt.Sprintf("connect 127.0.0.1 %d --insecure", port), "--insecure goes with --tls")
	ss.AssertExecError("cert s1x", "NameError")
	ss.MustExec("socket tcp")
	ss.AssertExecError("cert s3", "AttributeError: 'socket' object has no attribute 'getpeercert'")
	ss.AssertExecError("serve echo --cert "+f.leaf, "--cert and --key go with --tls")
	ss.AssertExecError("serve echo --udp --tls", "TCP only")
	ss.AssertExecError("serve echo --tls --cert "+f.leaf, "--cert FILE and --key FILE go together")
	ss.AssertExecError(fmt.Sprintf("connect --tls 127.0.0.1 %d --ca %s", testenv.ClosedPort(t, "tcp"), f.ca), "ConnectionRefusedError")
	// The shell goes on, and the TLS socket still works.
	ss.AssertExec(`sendall s1 "abc\n"`, "4\n")
	ss.AssertExec("recv s1", "b'cba\\n'\n")
	// A socket with no peer address to check (a socket pair) needs a name, as in Python.
	ss.MustExec("pair")
	ss.AssertExecError("tls s4", "ValueError: check_hostname requires server_hostname")
	ss.AssertExecError("serve echo "+filepath.Join(f.dir, "echo.sock")+" --tls", "serve --tls listens on TCP")
	// A timeout leaves the TLS stream usable, as in Python.
	ss.MustExec("settimeout s1 0.2")
	ss.AssertExecError("recv s1", "TimeoutError: The read operation timed out")
	ss.MustExec("settimeout s1 none")
	ss.AssertExec(`sendall s1 "xyz\n"`, "4\n")
	ss.AssertExec("recv s1", "b'zyx\\n'\n")
}

// Tab completes tls's and cert's sockets and options.
func TestTLSComplete(t *testing.T) {
	tm := newTerm(t)
	tm.MustExec("socket tcp")
	for line, want := range map[string]string{"tls s": "s1", "cert s": "s1", "tls s1 --in": "--insecure", "connect --t": "--tls", "serve echo --t": "--tls", "cert s1 --p": "--pem"} {
		got, _ := tm.Session.Complete(line)
		if !slices.Contains(got, want) {
			t.Errorf("Complete(%q) = %q, want %q among them", line, got, want)
		}
	}
}
