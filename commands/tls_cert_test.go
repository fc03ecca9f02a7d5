package commands

// What cert tells of the server's certificate, compared with python3:
// names and dates, ALPN, a stapled OCSP response.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

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
