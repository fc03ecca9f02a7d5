package commands

// The name-service commands against a real DNS server: dnsmasq on loopback
// answers for a small .test zone, and transcripts in testdata/dns run with
// `set dns 127.0.0.1:$PORT`.

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell/testenv"
)

// dnsZoneHosts is dnsmasq's addn-hosts file: names with both A/AAAA and PTR
// records. The addresses are documentation ranges, used only as data;
// v6only has ::1 alone, and dual.test loopback addresses of both families,
// for tests that connect to both.
const dnsZoneHosts = "192.0.2.10 withptr.sockshell.test\n2001:db8::10 withptr.sockshell.test\n192.0.2.11 second.sockshell.test\n" +
	"::1 v6only.sockshell.test\n127.0.0.1 dual.test\n::1 dual.test\n"

// startDNSMasq runs dnsmasq on 127.0.0.1 (testenv.Dnsmasq), answering for
// sockshell.test: withptr (A, AAAA, PTR), second (A, PTR), v6only (AAAA ::1
// only), alias (a CNAME to
// withptr), noptr and names under it (A 192.0.2.88, no PTR); every other name
// under .test is NXDOMAIN. It returns the port; dnsmasq is killed on cleanup.
func startDNSMasq(t *testing.T) string {
	t.Helper()
	addr := testenv.Dnsmasq(t, dnsZoneHosts,
		"--address=/noptr.sockshell.test/192.0.2.88",
		"--cname=alias.sockshell.test,withptr.sockshell.test",
		"--local=/test/", "--local=/2.0.192.in-addr.arpa/", "--local=/8.b.d.0.1.0.0.2.ip6.arpa/")
	_, port, _ := net.SplitHostPort(addr)
	return port
}

func TestDNSTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/dns/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/dns")
	}
	port := startDNSMasq(t)
	// SILENT is a DNS server that never answers (a bound UDP socket nobody
	// reads); CLOSED a port where nothing listens (the kernel refuses).
	silent := testenv.ListenPacket(t, "udp")
	vars := map[string]string{"PORT": port, "CLOSED": fmt.Sprint(testenv.ClosedPort(t, "udp")),
		"SILENT": fmt.Sprint(testenv.Port(silent.LocalAddr()))}
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
	netdb.SetServicesPath(missing)
	t.Cleanup(func() { netdb.SetServicesPath("") })
	runTranscript(t, "testdata/services/embedded.txt", map[string]string{"SERVICES": missing})
}
