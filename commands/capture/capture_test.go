package capture

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/net/bpf"
)

// A capture on loopback filtered to one listener's port sees that
// connection's handshake, and never a second connection between ports
// the filter does not name.
func TestCaptureLoopbackFiltered(t *testing.T) {
	h := openLoopback(t)
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

// The filter program, run on real packet bytes by x/net/bpf's VM: it
// takes an endpoint's packets either way, an ICMP port unreachable, and
// nothing else; on loopback only the leaving copy (the VM has no packet
// type, so that part is left to the capture test). Many endpoints still
// fit the kernel's limit.
func TestFilterProgram(t *testing.T) {
	mine := Endpoint{Proto: ProtoTCP, Addr: netip.MustParseAddr("127.0.0.1"), Port: 7007}
	any6 := Endpoint{Proto: ProtoUDP, Port: 53}
	vm, err := bpf.NewVM(Program([]Endpoint{mine, any6}, false))
	if err != nil {
		t.Fatal(err)
	}
	tcp4 := func(src, dst string, sport, dport uint16) []byte {
		b := make([]byte, 40)
		b[0], b[9] = 0x45, 6
		copy(b[12:16], netip.MustParseAddr(src).AsSlice())
		copy(b[16:20], netip.MustParseAddr(dst).AsSlice())
		binary.BigEndian.PutUint16(b[20:], sport)
		binary.BigEndian.PutUint16(b[22:], dport)
		return b
	}
	udp6 := func(sport, dport uint16) []byte {
		b := make([]byte, 48)
		b[0], b[6] = 0x60, 17
		binary.BigEndian.PutUint16(b[40:], sport)
		binary.BigEndian.PutUint16(b[42:], dport)
		return b
	}
	icmp := make([]byte, 56)
	icmp[0], icmp[9], icmp[20], icmp[21] = 0x45, 1, 3, 3
	for _, c := range []struct {
		name string
		pkt  []byte
		take bool
	}{
		{"to the endpoint", tcp4("127.0.0.1", "127.0.0.1", 40000, 7007), true},
		{"from the endpoint", tcp4("127.0.0.1", "127.0.0.1", 7007, 40000), true},
		{"the port on another address", tcp4("127.0.0.2", "127.0.0.3", 7007, 40000), false},
		{"another port", tcp4("127.0.0.1", "127.0.0.1", 7008, 40000), false},
		{"UDP over IPv6 to any address's port", udp6(5000, 53), true},
		{"UDP over IPv6 elsewhere", udp6(5000, 54), false},
		{"ICMP port unreachable", icmp, true},
	} {
		n, err := vm.Run(c.pkt)
		if err != nil {
			t.Fatal(err)
		}
		if (n > 0) != c.take {
			t.Errorf("%s: the filter returned %d", c.name, n)
		}
	}
	var many []Endpoint
	for p := 1; p <= 600; p++ {
		many = append(many, Endpoint{Proto: ProtoTCP, Addr: netip.MustParseAddr("127.0.0.1"), Port: uint16(p)})
	}
	if p := Program(many, true); len(p) > maxInstructions {
		t.Errorf("%d endpoints make %d instructions, over the kernel's %d", len(many), len(p), maxInstructions)
	}
}
