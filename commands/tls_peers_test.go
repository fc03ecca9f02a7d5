package commands

// The shell's TLS servers and other TLS peers: serve echo --tls with
// openssl s_client, serve gopher --tls with curl, socat OPENSSL-LISTEN.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

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
