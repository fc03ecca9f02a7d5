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
