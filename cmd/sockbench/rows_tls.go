package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// tlsBytes is row 6's transfer: 100 MiB (less when -bulk or -short asks
// for less).
func tlsBytes(c *config) int64 { return min(c.bulk, 100<<20) }

// tlsCert makes a throwaway self-signed certificate for localhost (and
// 127.0.0.1) in dir with openssl; every client trusts it as its CA and
// checks the name, so each handshake verifies a chain as a real one does.
func tlsCert(openssl, dir string) (cert, key string, err error) {
	cert, key = filepath.Join(dir, "tls-cert.pem"), filepath.Join(dir, "tls-key.pem")
	out, err := exec.Command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
		"-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
		"-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1").CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("openssl req: %v: %s", err, out)
	}
	return cert, key, nil
}

// sServer runs `openssl s_server` on a free loopback port, in dir, with
// extra options; its stdin is a pipe that never speaks (s_server reads its
// stdin and sends it to the client), its stdout is discarded.
func sServer(openssl, dir, cert, key string, extra ...string) (port int, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := append([]string{"s_server", "-accept", fmt.Sprintf("127.0.0.1:%d", port), "-cert", cert, "-key", key, "-quiet"}, extra...)
	cmd := exec.Command(openssl, args...)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	stop = func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() }
	for i := 0; i < 200; i++ {
		if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			conn.Close()
			return port, stop, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return 0, nil, fmt.Errorf("openssl s_server did not start listening on 127.0.0.1:%d", port)
}

// tlsFile writes (once) the file row 6 moves, of varied bytes.
func tlsFile(c *config) (string, error) {
	p := filepath.Join(c.tmp, "tls.bin")
	n := tlsBytes(c)
	if st, err := os.Stat(p); err == nil && st.Size() == n {
		return p, nil
	}
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i*131 + i>>8)
	}
	for k := int64(0); k < n; k += int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), n-k)]); err != nil {
			f.Close()
			return "", err
		}
	}
	return p, f.Close()
}

// rowTLS is row 6: a verified handshake and then 100 MiB through TLS, both
// ways, by connect --tls, openssl s_client and python3's ssl, against one
// openssl s_server on loopback.
func rowTLS(c *config) error {
	openssl, ok := have("openssl")
	if !ok {
		skip("6", "TLS handshake + transfer", "openssl is not installed (Debian: openssl)")
		return nil
	}
	if !hasCommand(c, "tls") {
		return notBuilt("6", "TLS handshake + transfer", "connect --tls is not in this sockshell")
	}
	dir := filepath.Join(c.tmp, "tls")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cert, key, err := tlsCert(openssl, dir)
	if err != nil {
		return err
	}
	file, err := tlsFile(c)
	if err != nil {
		return err
	}
	n := tlsBytes(c)
	// Upload: s_server writes what it receives to its stdout (discarded).
	up, stopUp, err := sServer(openssl, dir, cert, key)
	if err != nil {
		return err
	}
	defer stopUp()
	// Download: s_server -WWW answers GET /tls.bin with the file, then
	// sends its close_notify.
	if err := os.Link(file, filepath.Join(dir, "tls.bin")); err != nil && !os.IsExist(err) {
		return err
	}
	down, stopDown, err := sServer(openssl, dir, cert, key, "-WWW")
	if err != nil {
		return err
	}
	defer stopDown()
	out := filepath.Join(c.tmp, "tls.out")
	get := `GET /tls.bin HTTP/1.0\r\n\r\n`
	verify := fmt.Sprintf("-CAfile %s -servername localhost -verify_hostname localhost -verify_return_error -quiet", q(cert))
	ourConnect := func(port int) string {
		return fmt.Sprintf("connect --tls 127.0.0.1 %d --ca %s --sni localhost", port, cert)
	}
	py, hasPy := have("python3")
	pyHead := func(port int) string {
		return fmt.Sprintf(`%s -c "import socket, ssl
ctx = ssl.create_default_context(cafile='%s')
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', %d)), server_hostname='localhost')
`, py, cert, port)
	}
	for _, way := range []struct {
		name      string
		ours      proc
		sclient   proc
		python    proc
		checkSize bool
	}{
		{name: "send",
			ours:    proc{name: "connect --tls + sendall --file", line: c.ss + " -c " + q(fmt.Sprintf("%s; sendall s1 --file %s", ourConnect(up), file))},
			sclient: proc{name: "openssl s_client", line: fmt.Sprintf("%s s_client -connect 127.0.0.1:%d %s -no_ign_eof -nocommands < %s", openssl, up, verify, q(file)), shell: true},
			python: proc{name: "python3 ssl", line: pyHead(up) + fmt.Sprintf(`f = open('%s', 'rb')
while True:
    b = f.read(65536)
    if not b: break
    s.sendall(b)
s.close()"`, file)}},
		{name: "recv", checkSize: true,
			ours: proc{name: "connect --tls + recv --out", line: c.ss + " -c " + q(fmt.Sprintf("%s; sendall s1 '%s'; recv s1 --out %s --force", ourConnect(down), get, out)), shell: true},
			sclient: proc{name: "openssl s_client", line: fmt.Sprintf("printf '%s' | %s s_client -connect 127.0.0.1:%d %s > %s",
				get, openssl, down, verify, q(out)), shell: true},
			python: proc{name: "python3 ssl", line: pyHead(down) + fmt.Sprintf(`s.sendall(b'%s')
f = open('%s', 'wb')
while True:
    b = s.recv(65536)
    if not b: break
    f.write(b)
f.close(); s.close()"`, get, out)}},
	} {
		cmds := []proc{way.ours, way.sclient}
		if hasPy {
			cmds = append(cmds, way.python)
		}
		t, err := c.timer.time(cmds)
		if err != nil {
			return err
		}
		rss := peakRSS(way.ours)
		if way.checkSize {
			// The answer is the file behind s_server's HTTP header.
			if st, err := os.Stat(out); err != nil || st.Size() < n {
				return fmt.Errorf("recv --out over TLS wrote %v, want %d bytes and a header (%v)", st, n, err)
			}
			os.Remove(out)
		}
		what := fmt.Sprintf("TLS handshake + %s %s vs ", size(n), way.name)
		compare("6", what+"openssl s_client", t[way.ours.name], t[way.sclient.name], 1, seconds, rss)
		if hasPy {
			compare("6", what+"python3 ssl", t[way.ours.name], t[way.python.name], 1, seconds, rss)
		}
	}
	if !hasPy {
		skip("6", "TLS vs python3 ssl", "python3 is not installed (Debian: python3)")
	}
	return nil
}
