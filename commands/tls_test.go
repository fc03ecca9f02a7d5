package commands

// Tests of tls, connect --tls, cert and the TLS data path against real
// peers: openssl s_server with a chain the test makes with openssl req and
// x509, socat OPENSSL-LISTEN, and python3's ssl module as the reference for
// every error's text.

import (
	"context"
	"encoding/json"
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
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
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

// normRepr blanks a repr's descriptor and ports, which differ between
// processes.
func normRepr(s string) string {
	s = regexp.MustCompile(`fd=\d+`).ReplaceAllString(s, "fd=N")
	return regexp.MustCompile(`, (\d+)\)`).ReplaceAllString(s, ", P)")
}

// serve echo --tls with the session's certificate: openssl s_client sees
// the fingerprint serve printed and gets its echo; our own connect --tls
// sends and receives through TLS; the repr is python3's; sockets, cert,
// JSON and the timeline say TLS.
func TestServeEchoTLS(t *testing.T) {
	ossl := testenv.NeedPeer(t, "openssl", "openssl")
	ss := newSockSession(t)
	out, _ := ss.Exec("serve echo --tls")
	fp := regexp.MustCompile(`SHA-256 ([0-9A-F:]{95})`).FindStringSubmatch(out)
	if fp == nil || !strings.Contains(out, "ECDSA") && !strings.Contains(out, "EC P-256") || !strings.Contains(out, "IP Address:127.0.0.1") {
		t.Fatalf("serve echo --tls says no certificate: %q", out)
	}
	port := serverPort(t, ss.Session, "echo1")
	addr := "127.0.0.1:" + strconv.Itoa(port)

	// openssl s_client: its chain's fingerprint, and the echo.
	if got := sClientEcho(t, ossl, addr, "ping over tls"); !strings.Contains(got, "ping over tls") {
		t.Fatalf("s_client got %q", got)
	}
	show := exec.Command(ossl, "s_client", "-connect", addr, "-showcerts")
	show.Stdin = strings.NewReader("")
	pemOut, _ := show.Output()
	x := exec.Command(ossl, "x509", "-noout", "-fingerprint", "-sha256")
	x.Stdin = strings.NewReader(string(pemOut))
	fpOut, err := x.Output()
	if err != nil || !strings.Contains(string(fpOut), fp[1]) {
		t.Errorf("openssl sees %q, serve printed %s (%v)", fpOut, fp[1], err)
	}

	// Our own client, through TLS.
	repr := ss.MustExec(fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port))
	py := pyRun(t, fmt.Sprintf(`
import socket, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
print(repr(ctx.wrap_socket(socket.create_connection(('127.0.0.1', %d)), server_hostname='127.0.0.1')))`, port))
	if r := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(repr, "\n", 2)[0], "s1  ")); normRepr(r) != normRepr(strings.TrimSpace(py)) {
		t.Errorf("repr %q, python3 %q", r, py)
	}
	ss.AssertExec(`sendall s1 "hello tls\n"`, "10\n")
	ss.AssertExec("recv s1", "b'hello tls\\n'\n")
	if row := ss.sockRow("s1"); !strings.Contains(row["state"], "TLSv1.3") {
		t.Errorf("sockets: state %q", row["state"])
	}
	certOut := ss.MustExec("cert s1")
	for _, want := range []string{fp[1], "CN=sockshell session", "ecdsa-with-SHA256", "EC P-256", "DNS:localhost", "version TLSv1.3", "OCSP staple no", "resumed no"} {
		if !strings.Contains(certOut, want) {
			t.Errorf("cert s1 lacks %q:\n%s", want, certOut)
		}
	}
	if pem := ss.MustExec("cert s1 --pem"); !strings.HasPrefix(pem, "-----BEGIN CERTIFICATE-----") {
		t.Errorf("cert --pem: %q", pem)
	}
	ss.MustExec("set format json")
	var doc struct {
		Result struct {
			Chain   []map[string]any `json:"chain"`
			Session map[string]any   `json:"session"`
		} `json:"result"`
	}
	js := ss.MustExec("cert s1")
	if err := json.Unmarshal([]byte(js), &doc); err != nil || len(doc.Result.Chain) != 1 || doc.Result.Chain[0]["sha256"] != fp[1] ||
		doc.Result.Session["version"] != "TLSv1.3" || doc.Result.Session["verified"] != false || doc.Result.Session["sni"] != nil {
		t.Errorf("cert in json: %v %s", err, js)
	}
	ss.MustExec("set format python")
	if tl := ss.MustExec("timeline s1"); !strings.Contains(tl, "tls_handshake") {
		t.Errorf("timeline lacks the handshake:\n%s", tl)
	}
	// shutdown drops the layer as Python's SSLSocket.shutdown does.
	if out := ss.MustExec("shutdown s1 wr"); !strings.Contains(out, "plain socket from now on") {
		t.Errorf("shutdown: %q", out)
	}
	ss.MustExec("close s1")
}

// sClientEcho sends line to addr with openssl s_client and returns what
// came back once the line has (or s_client ended), keeping s_client's
// input open until then: an echo server answers only while it is.
func sClientEcho(t *testing.T, ossl, addr, line string) string {
	t.Helper()
	cmd := exec.Command(ossl, "s_client", "-connect", addr, "-quiet")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	timer := time.AfterFunc(sockPeerTimeout, func() { cmd.Process.Kill() })
	defer timer.Stop()
	fmt.Fprintln(in, line)
	var got []byte
	buf := make([]byte, 4096)
	for !strings.Contains(string(got), line) {
		n, err := outPipe.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	in.Close()
	return string(got)
}

// serve gopher DIR --tls: curl fetches over gophers with the CA given
// (--cacert), with -k for the session's own certificate, and refuses the
// session's certificate without -k, as it must.
func TestServeGophersCurl(t *testing.T) {
	curl := testenv.NeedPeer(t, "curl", "curl")
	f := makeTLSFiles(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello over gophers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("serve gopher %s --tls --cert %s --key %s", dir, f.leaf, f.leafKey))
	withCA := serverPort(t, ss.Session, "gopher1")
	ss.MustExec("serve gopher " + dir + " --tls")
	own := serverPort(t, ss.Session, "gopher2")
	fetch := func(port int, args ...string) (string, error) {
		args = append(args, "-sS", "--max-time", "20", fmt.Sprintf("gophers://localhost:%d/0/hello.txt", port))
		out, err := exec.Command(curl, args...).CombinedOutput()
		return string(out), err
	}
	if out, err := fetch(withCA, "--cacert", f.ca); err != nil || out != "hello over gophers\n" {
		t.Errorf("curl --cacert: %v %q", err, out)
	}
	if out, err := fetch(own, "-k"); err != nil || out != "hello over gophers\n" {
		t.Errorf("curl -k: %v %q", err, out)
	}
	if out, err := fetch(own); err == nil {
		t.Errorf("curl trusted the session's self-signed certificate without -k: %q", out)
	}
}

// socat OPENSSL-LISTEN as the server: verified with --ca, data both ways.
func TestTLSSocatPeer(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	f := makeTLSFiles(t)
	_, port := testenv.ListeningPeer(t, "tcp", socat, func(port int) []string {
		return []string{fmt.Sprintf("OPENSSL-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork,cert=%s,key=%s,verify=0", port, f.leaf, f.leafKey), "PIPE"}
	})
	ss := newSockSession(t)
	out := ss.MustExec(fmt.Sprintf("connect --tls localhost %d --ca %s --alpn h2,http/1.1", port, f.ca))
	if !strings.Contains(out, "<ssl.SSLSocket") || !strings.Contains(out, "verified: CN=localhost") {
		t.Fatalf("connect --tls: %q", out)
	}
	ss.AssertExec(`send s1 "through socat\n"`, "14\n")
	ss.AssertExec("recv s1", "b'through socat\\n'\n")
	if c := ss.MustExec("cert s1"); !strings.Contains(c, "SNI sent 'localhost'") || !strings.Contains(c, "offered h2,http/1.1") {
		t.Errorf("cert: %s", c)
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

// sendall --file, sendfile and recv --out go through TLS (sendfile(2)
// would bypass it): a TLS echo returns the file's bytes.
func TestTLSFiles(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("serve echo --tls")
	port := serverPort(t, ss.Session, "echo1")
	dir := t.TempDir()
	data := []byte(strings.Repeat("0123456789abcdef", 6000)) // 96000 bytes: several records
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ss.MustExec(fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port))
	ss.AssertExec("sendall s1 --file "+in, "96000\n")
	out := filepath.Join(dir, "out.bin")
	ss.MustExec(fmt.Sprintf("recv s1 --out %s --max 96000", out))
	testenv.WantFile(t, out, string(data))
	if got := ss.MustExec("sendfile s1 " + in); !strings.HasPrefix(got, "96000\n") || !strings.Contains(got, "falls back to send") {
		t.Errorf("sendfile: %q", got)
	}
	out2 := filepath.Join(dir, "out2.bin")
	ss.MustExec(fmt.Sprintf("recv s1 --out %s --max 96000", out2))
	testenv.WantFile(t, out2, string(data))
}

// cert's subject names, SANs and dates are what python3's getpeercert()
// says of the same server's certificate; a failed handshake is an event.
func TestCertAsPython(t *testing.T) {
	f := makeTLSFiles(t)
	port := sServer(t, "-cert", f.leaf, "-key", f.leafKey, "-cert_chain", f.ca)
	py := pyRun(t, fmt.Sprintf(`
import socket, ssl, time
ctx = ssl.create_default_context(cafile=%q)
t = ctx.wrap_socket(socket.create_connection(('127.0.0.1', %d)), server_hostname='localhost')
c = t.getpeercert()
utc = lambda s: time.strftime('%%Y-%%m-%%d %%H:%%M:%%S', time.gmtime(ssl.cert_time_to_seconds(s)))
print(', '.join(k + ':' + v for k, v in c['subjectAltName']))
print(utc(c['notBefore']))
print(utc(c['notAfter']))
print(dict(x[0] for x in c['subject'])['commonName'])
print(dict(x[0] for x in c['issuer'])['commonName'])
print(t.version())
`, f.ca, port))
	want := strings.Split(strings.TrimSpace(py), "\n")
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("connect --tls localhost %d --ca %s", port, f.ca))
	ss.MustExec("set format json")
	var doc struct {
		Result struct {
			Chain   []map[string]any `json:"chain"`
			Session map[string]any   `json:"session"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(ss.MustExec("cert s1")), &doc); err != nil || len(doc.Result.Chain) != 2 {
		t.Fatalf("cert: %v %+v", err, doc)
	}
	leaf := doc.Result.Chain[0]
	var sans []string
	for _, v := range leaf["sans"].([]any) {
		sans = append(sans, v.(string))
	}
	iso := func(s string) string { // python's "2026-12-01 11:32:52" as RFC 3339
		return strings.Replace(s, " ", "T", 1) + "Z"
	}
	got := []any{strings.Join(sans, ", "), leaf["not_before"], leaf["not_after"], leaf["subject"], leaf["issuer"], doc.Result.Session["version"]}
	for i, w := range []string{want[0], iso(want[1]), iso(want[2]), "CN=" + want[3], "CN=" + want[4], want[5]} {
		if got[i] != w {
			t.Errorf("cert field %d: %v, python3 %q", i, got[i], w)
		}
	}
	if ca := doc.Result.Chain[1]; ca["subject"] != "CN=Test CA" || len(ca["sans"].([]any)) != 0 {
		t.Errorf("the CA's row: %v", ca)
	}
	// The table shows the same dates.
	ss.MustExec("set format table")
	if tbl := ss.MustExec("cert s1"); !strings.Contains(tbl, want[1]) || !strings.Contains(tbl, want[2]) || !strings.Contains(tbl, want[0]) {
		t.Errorf("table lacks python3's %q:\n%s", want[:3], tbl)
	}

	// A failed handshake: the tls_failed event, and the socket closed.
	ss.MustExec("set format python")
	ss.MustExec("close s1") // s_server serves one connection at a time
	if _, stderr := ss.Exec(fmt.Sprintf("connect --tls localhost %d", port)); !strings.Contains(stderr, "self-signed certificate in certificate chain") {
		t.Errorf("against the system's roots: %s", stderr)
	}
	var failed bool
	for _, e := range ss.Session.Events().Recent(50) {
		if e.Kind == eventTLSFailed && e.Resource == "s2" {
			failed = true
		}
	}
	if !failed {
		t.Error("no tls_failed event for s2")
	}
	ss.AssertExecError("send s2 x", "s2 was closed")
}

// --alpn offers protocols; the server's choice is what python3's
// selected_alpn_protocol() gets from the same server.
func TestTLSALPN(t *testing.T) {
	f := makeTLSFiles(t)
	port := sServer(t, "-cert", f.leaf, "-key", f.leafKey, "-alpn", "http/1.1")
	want := strings.TrimSpace(pyRun(t, fmt.Sprintf(`
import socket, ssl
ctx = ssl.create_default_context(cafile=%q)
ctx.set_alpn_protocols(['h2', 'http/1.1'])
t = ctx.wrap_socket(socket.create_connection(('127.0.0.1', %d)), server_hostname='localhost')
print(repr(t.selected_alpn_protocol()))
`, f.ca, port)))
	ss := newSockSession(t)
	ss.MustExec("explain on")
	out := ss.MustExec(fmt.Sprintf("connect --tls localhost %d --ca %s --alpn h2,http/1.1", port, f.ca))
	if !strings.Contains(out, "ctx.set_alpn_protocols(['h2', 'http/1.1'])") || !strings.Contains(out, "ALPN h2,http/1.1") {
		t.Errorf("explain:\n%s", out)
	}
	ss.MustExec("explain off")
	if c := ss.MustExec("cert s1"); !strings.Contains(c, "ALPN "+want+";") {
		t.Errorf("cert says %s, python3 %s", c, want)
	}
}

// An OCSP response the server staples (s_server -status_file, the
// response made by openssl ocsp for the test's CA) is seen by cert.
func TestTLSOCSPStaple(t *testing.T) {
	ossl := testenv.NeedPeer(t, "openssl", "openssl")
	f := makeTLSFiles(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(ossl, args...)
		cmd.Dir = f.dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	serial := strings.TrimSpace(strings.TrimPrefix(run("x509", "-in", f.leaf, "-noout", "-serial"), "serial="))
	index := fmt.Sprintf("V\t%s\t\t%s\tunknown\t/CN=localhost\n", time.Now().UTC().Add(240*time.Hour).Format("060102150405Z"), serial)
	if err := os.WriteFile(filepath.Join(f.dir, "index.txt"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	run("ocsp", "-issuer", f.ca, "-cert", f.leaf, "-reqout", "req.der", "-no_nonce")
	run("ocsp", "-index", "index.txt", "-rsigner", f.ca, "-rkey", "ca.key", "-CA", f.ca, "-reqin", "req.der", "-respout", "resp.der", "-ndays", "1")
	st, err := os.Stat(filepath.Join(f.dir, "resp.der"))
	if err != nil {
		t.Fatal(err)
	}
	port := sServer(t, "-cert", f.leaf, "-key", f.leafKey, "-status_file", filepath.Join(f.dir, "resp.der"))
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("connect --tls localhost %d --ca %s", port, f.ca))
	if c := ss.MustExec("cert s1"); !strings.Contains(c, fmt.Sprintf("OCSP staple yes (%d bytes)", st.Size())) {
		t.Errorf("cert:\n%s", c)
	}
}

// streamOf, the data path a pass-through takes, goes through TLS on a TLS
// socket, and a read and a write may run at once on it.
func TestTLSStreamConcurrent(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("serve echo --tls")
	port := serverPort(t, ss.Session, "echo1")
	ss.MustExec(fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port))
	st := streamOf(ss.sock("s1"))
	if _, plain := st.(*bsd.Socket); plain {
		t.Fatal("streamOf of a TLS socket is the raw socket")
	}
	ctx, cancel := context.WithTimeout(context.Background(), sockPeerTimeout)
	defer cancel()
	const chunks, size = 20, 1000
	got := make(chan int, 1)
	go func() {
		n := 0
		for n < chunks*size {
			p, err := st.Recv(ctx, 4096)
			if err != nil || len(p) == 0 {
				break
			}
			n += len(p)
		}
		got <- n
	}()
	chunk := []byte(strings.Repeat("x", size))
	for range chunks {
		if _, err := st.SendAll(ctx, chunk); err != nil {
			t.Fatal(err)
		}
	}
	if n := sockWait(t, got, "the echo"); n != chunks*size {
		t.Errorf("echoed %d bytes, want %d", n, chunks*size)
	}
	ss.MustExec("socket tcp")
	if _, plain := streamOf(ss.sock("s2")).(*bsd.Socket); !plain {
		t.Error("streamOf of a plain socket is not the socket")
	}
}

// export python of a TLS session imports ssl, and the script does what
// the session did against the same server.
func TestTLSExportPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	f := makeTLSFiles(t)
	port := sServer(t, "-cert", f.leaf, "-key", f.leafKey, "-cert_chain", f.ca)
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("connect --tls localhost %d --ca %s", port, f.ca))
	ss.MustExec(`sendall s1 "abc\n"`)
	ss.AssertExec("recv s1", "b'cba\\n'\n")
	ss.MustExec("close s1") // s_server serves one connection at a time
	script := filepath.Join(t.TempDir(), "session.py")
	ss.MustExec("export python " + script)
	out, err := exec.Command(py, script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "b'cba\\n'") {
		t.Errorf("python3 %s: %v\n%s", script, err, out)
	}
}
