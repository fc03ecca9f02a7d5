package commands

// The name-service commands against a real DNS server: dnsmasq on loopback
// answers for a small .test zone (startDNSMasq, in helpers_test.go), and
// transcripts in testdata/dns run with `set dns 127.0.0.1:$PORT`.

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell/testenv"
)

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
