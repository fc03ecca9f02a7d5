package capture

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

// A capture on loopback filtered to one listener's port sees that
// connection's handshake, and never a second connection between ports
// the filter does not name.
func TestCaptureLoopbackFiltered(t *testing.T) {
	lo, _, err := LoopbackIndex()
	if err != nil {
		t.Fatal(err)
	}
	h, err := Open(lo, true)
	if errors.Is(err, ErrPermission) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	mine, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	other, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	port := uint16(mine.Addr().(*net.TCPAddr).Port)
	if err := h.SetFilter([]Endpoint{{Proto: ProtoTCP, Addr: netip.MustParseAddr("127.0.0.1"), Port: port}}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []net.Listener{other, mine} {
		c, err := net.Dial("tcp4", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		s.Close()
	}
	var got []*Packet
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		h.Drain(func(f Frame) {
			p, err := Parse(f)
			if err != nil {
				t.Errorf("parse: %v", err)
				return
			}
			if !f.Outgoing {
				t.Errorf("an arriving copy on loopback came through")
			}
			if p.Proto == ProtoTCP {
				got = append(got, p)
			}
		})
		if len(got) >= 3 {
			break
		}
		h.Wait(50 * time.Millisecond)
	}
	if len(got) < 3 {
		t.Fatalf("saw %d packets, want at least the handshake", len(got))
	}
	for _, p := range got {
		if p.Src.Port() != port && p.Dst.Port() != port {
			t.Errorf("a packet of another connection came through the filter: %v → %v", p.Src, p.Dst)
		}
	}
	want := []string{"SYN", "SYN,ACK", "ACK"}
	for i, w := range want {
		if f := FlagNames(got[i].Flags); f != w {
			t.Errorf("packet %d: flags %s, want %s", i, f, w)
		}
	}
	if got[0].Dst.Port() != port || len(got[0].Options) == 0 || got[0].Options[0][:3] != "mss" {
		t.Errorf("the SYN: %+v", got[0])
	}
	if st := h.Stats(); st.Packets < uint64(len(got)) {
		t.Errorf("the kernel counted %d packets, the ring gave %d", st.Packets, len(got))
	}
}
