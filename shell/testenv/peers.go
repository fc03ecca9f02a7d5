// This file starts the peers several packages' tests share: dnsmasq as a
// DNS server for a test zone, gophernicus behind socat as a gopher server.

package testenv

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Dnsmasq runs dnsmasq on 127.0.0.1 answering from hosts (an addn-hosts
// file's text) and nothing upstream; extra adds options (--address=,
// --cname=, --local=). It returns "127.0.0.1:PORT" once the server answers
// a query; dnsmasq is killed when the test ends.
func Dnsmasq(t testing.TB, hosts string, extra ...string) string {
	t.Helper()
	bin := NeedPeer(t, "dnsmasq-base", "dnsmasq", "/usr/sbin/dnsmasq")
	file := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(file, []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	p, port := ListeningPeer(t, "udp+tcp", bin, func(port int) []string {
		args := []string{
			"--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
			"--addn-hosts=" + file, fmt.Sprintf("--port=%d", port),
			"--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=",
			"--log-facility=-",
		}
		if os.Geteuid() == 0 {
			args = append(args, "--user=root")
		}
		return append(args, extra...)
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if !dnsAnswers(addr, p.Done()) {
		t.Fatalf("dnsmasq on %s holds the port but does not answer: %s", addr, p.Stderr.String())
	}
	return addr
}

// dnsAnswers asks addr a question (any answer, even NXDOMAIN, shows a
// server) until it answers, the server exits, or PeerBound passes.
func dnsAnswers(addr string, exited <-chan struct{}) bool {
	// ID 0x5353, recursion desired, one question: "probe." IN A.
	query := []byte{0x53, 0x53, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		5, 'p', 'r', 'o', 'b', 'e', 0, 0, 1, 0, 1}
	c, err := net.Dial("udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	deadline := time.Now().Add(PeerBound)
	buf := make([]byte, 512)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		c.Write(query)
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := c.Read(buf)
		if err == nil && n >= 12 && buf[0] == 0x53 && buf[1] == 0x53 {
			return true
		}
	}
	return false
}

// Gophernicus serves root with gophernicus behind socat on 127.0.0.1 and
// returns the port, which gophernicus writes into its menus (so socat is
// told it, and ListeningPeer checks socat got it). Both are killed when
// the test ends. root must be readable by the user gophernicus runs as
// (nobody, when the test runs as root).
func Gophernicus(t testing.TB, root string) int {
	t.Helper()
	socat := NeedPeer(t, "socat", "socat")
	gophernicus := NeedPeer(t, "gophernicus", "gophernicus", "/usr/sbin/gophernicus")
	_, port := ListeningPeer(t, "tcp", socat, func(port int) []string {
		listen := fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port)
		if os.Geteuid() == 0 {
			listen += ",su=nobody" // gophernicus refuses to run as root
		}
		// -nv: no virtual hosts; -nm: no shared memory; -ns: no syslog;
		// -nx: execute nothing; -nu: no ~user spaces.
		//
		// SYSTEM with "exit 0" rather than EXEC: gophernicus exits with
		// status 1 after an error reply ("File or directory not found"),
		// and socat treats a child's failure as fatal, sometimes before it
		// has passed the reply on; the client then sees an empty reply.
		server := fmt.Sprintf("SYSTEM:%s -h localhost -p %d -r %s -nv -nm -ns -nx -nu; exit 0", gophernicus, port, root)
		return []string{listen, server}
	})
	return port
}

// PublicTempDir is a temporary directory, removed when the test ends, that
// an unprivileged user (gophernicus's) can read.
func PublicTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sockshell-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
