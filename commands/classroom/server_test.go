package classroom

import (
	"net/netip"
	"testing"
)

// TestVisible: only a loopback address keeps the page on this machine.
func TestVisible(t *testing.T) {
	for a, want := range map[string]bool{"127.0.0.1": false, "127.0.0.2": false, "::1": false, "::ffff:127.0.0.1": false,
		"0.0.0.0": true, "::": true, "192.0.2.1": true, "2001:db8::1": true} {
		if got := Visible(netip.MustParseAddr(a)); got != want {
			t.Errorf("Visible(%s) = %v", a, got)
		}
	}
}
