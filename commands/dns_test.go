package commands

// The name-service commands against a real DNS server: dnsmasq on loopback
// answers for a small .test zone, and transcripts in testdata/dns run with
// `set dns 127.0.0.1:$PORT`.

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
)

// dnsZoneHosts is dnsmasq's addn-hosts file: names with both A/AAAA and PTR
// records. The addresses are documentation ranges, used only as data;
// v6only has ::1 alone, and dual.test loopback addresses of both families,
// for tests that connect to both.
const dnsZoneHosts = "192.0.2.10 withptr.sockshell.test\n2001:db8::10 withptr.sockshell.test\n192.0.2.11 second.sockshell.test\n" +
	"::1 v6only.sockshell.test\n127.0.0.1 dual.test\n::1 dual.test\n"

// startDNSMasq runs dnsmasq on 127.0.0.1 at a free port, answering for
// sockshell.test: withptr (A, AAAA, PTR), second (A, PTR), v6only (AAAA ::1
// only), alias (a CNAME to
// withptr), noptr and names under it (A 192.0.2.88, no PTR); every other name
// under .test is NXDOMAIN. It returns the port; dnsmasq is killed on cleanup.
func startDNSMasq(t *testing.T) string {
	t.Helper()
	bin := needPeer(t, "dnsmasq-base", "dnsmasq", "/usr/sbin/dnsmasq")
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte(dnsZoneHosts), 0o644); err != nil {
		t.Fatal(err)
	}
	for attempt := 1; attempt <= 5; attempt++ {
		port := freeUDPPort(t)
		args := []string{
			"--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
			"--addn-hosts=" + hosts, fmt.Sprintf("--port=%d", port),
			"--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=",
			"--log-facility=-",
			"--address=/noptr.sockshell.test/192.0.2.88",
			"--cname=alias.sockshell.test,withptr.sockshell.test",
			"--local=/test/", "--local=/2.0.192.in-addr.arpa/", "--local=/8.b.d.0.1.0.0.2.ip6.arpa/",
		}
		if os.Geteuid() == 0 {
			args = append(args, "--user=root")
		}
		cmd := exec.Command(bin, args...)
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
		}
		if dnsAnswers(fmt.Sprintf("127.0.0.1:%d", port), exited) {
			t.Cleanup(stop)
			return fmt.Sprint(port)
		}
		stop()
		t.Logf("dnsmasq on port %d (attempt %d) did not answer: %s", port, attempt, log.String())
	}
	t.Fatal("dnsmasq did not start")
	return ""
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// dnsAnswers polls the server through the shell itself until a lookup
// succeeds, dnsmasq exits, or 10 s pass.
func dnsAnswers(addr string, exited <-chan struct{}) bool {
	var out, errs strings.Builder
	s := shell.NewSession(Table(), &out, &errs)
	defer s.CloseAll()
	if err := s.Set("dns", addr); err != nil {
		return false
	}
	if err := s.Set("timeout", "0.3"); err != nil {
		return false
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if s.Exec(context.Background(), "resolve withptr.sockshell.test", "") == nil {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func TestDNSTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/dns/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/dns")
	}
	port := startDNSMasq(t)
	// SILENT is a DNS server that never answers (a bound UDP socket nobody
	// reads); CLOSED a port where nothing listens (the kernel refuses).
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	vars := map[string]string{"PORT": port, "CLOSED": fmt.Sprint(freeUDPPort(t)),
		"SILENT": fmt.Sprint(silent.LocalAddr().(*net.UDPAddr).Port)}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			runTranscript(t, f, vars)
		})
	}
}

// TestEmbeddedServices points the services database at a file that does not
// exist: servport, servname, services, addrinfo and connect's PORT all answer
// from the embedded table (addrinfo once asked the C library, which knew no
// service then), and each says so.
func TestEmbeddedServices(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-services")
	t.Setenv(netdb.ServicesEnv, missing)
	runTranscript(t, "testdata/services/embedded.txt", map[string]string{"SERVICES": missing})
}
