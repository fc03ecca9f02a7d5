package netdb

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestParseAddrIsNetip: parseAddr, which refuses a host name without
// asking netip, agrees with netip.ParseAddr on literals, names and random
// strings made of the bytes addresses have and a few others.
func TestParseAddrIsNetip(t *testing.T) {
	inputs := []string{"", "localhost", "127.0.0.1", "::1", "fe80::1%lo", "fe80::1%", "::ffff:1.2.3.4",
		"1.2.3", "01.2.3.4", "cafe::", "CAFE::1", "cafe", "face.b00c", "a.b", "%lo", "1.2.3.4%x", "::g"}
	const alphabet = "0123456789abcdefABCDEF.:%glx-_ "
	r := rand.New(rand.NewPCG(13, 15))
	for range 50000 {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for _, s := range inputs {
		want, err := netip.ParseAddr(s)
		got, ok := parseAddr(s)
		if ok != (err == nil) || got != want {
			t.Fatalf("parseAddr(%q) = %v, %v; netip.ParseAddr: %v, %v", s, got, ok, want, err)
		}
	}
}
