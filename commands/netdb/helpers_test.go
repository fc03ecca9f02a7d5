package netdb

// Test helpers shared by this package's test files: dnsmasq on loopback with
// a small .test zone, and the check of an error's Python class and errno. The
// sandbox that keeps lookups off the machine's DNS server is sandbox_test.go.

import (
	"errors"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// startDNS runs dnsmasq on 127.0.0.1 (testenv.Dnsmasq) and returns "127.0.0.1:PORT".
// The zone: withptr.test has A 192.0.2.1, AAAA 2001:db8::1 and PTRs for both;
// alias.test is a CNAME for it; v6only.test has AAAA 2001:db8::6 alone (an A
// query for it is answered NODATA); noptr.test (and names under it) has A 192.0.2.2
// and no PTR; everything else under .test is NXDOMAIN. The addresses are
// documentation ranges used only as data: no traffic is ever sent to them.
func startDNS(t *testing.T) string {
	t.Helper()
	return testenv.Dnsmasq(t, "192.0.2.1 withptr.test\n2001:db8::1 withptr.test\n2001:db8::6 v6only.test\n",
		"--address=/noptr.test/192.0.2.2", "--cname=alias.test,withptr.test",
		"--local=/test/", "--local=/2.0.192.in-addr.arpa/", "--local=/8.b.d.0.1.0.0.2.ip6.arpa/")
}

func wantPyErr(t *testing.T, what string, err error, class string, errno int) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Errorf("%s: got %v, want %s [Errno %d]", what, err, class, errno)
		return
	}
	if x := pe.Python(); x.Class != class || x.Errno != errno || !x.HasErrno {
		t.Errorf("%s: got %v, want %s [Errno %d]", what, pe, class, errno)
	}
}
