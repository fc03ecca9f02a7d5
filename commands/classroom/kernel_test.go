package classroom

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

// TestProcTableTimeWait: a real loopback connection closed by this side
// first is in the kernel's table in TIME_WAIT, by its two ends.
func TestProcTableTimeWait(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	local := netip.MustParseAddrPort(c.LocalAddr().String())
	remote := netip.MustParseAddrPort(c.RemoteAddr().String())
	tab := ProcTable("/proc")
	if st, err := tab.Lookup(local, remote); err != nil || st != "ESTABLISHED" {
		t.Fatalf("open connection: %q %v", st, err)
	}
	c.Close()
	s.Close()
	// The FINs cross on loopback at once; a guard, not a timing.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := tab.Lookup(local, remote)
		if err == nil && st == "TIME_WAIT" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after both closed: %q %v", st, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Its other end is gone from the table.
	if st, err := tab.Lookup(remote, local); !errors.Is(err, ErrNotInTable) {
		t.Errorf("the passive end after close: %q %v", st, err)
	}
}

// TestVisible: only a loopback address keeps the page on this machine.
func TestVisible(t *testing.T) {
	for a, want := range map[string]bool{"127.0.0.1": false, "127.0.0.2": false, "::1": false, "::ffff:127.0.0.1": false,
		"0.0.0.0": true, "::": true, "192.0.2.1": true, "2001:db8::1": true} {
		if got := Visible(netip.MustParseAddr(a)); got != want {
			t.Errorf("Visible(%s) = %v", a, got)
		}
	}
}
