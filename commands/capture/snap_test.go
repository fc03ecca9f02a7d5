package capture

import (
	"bytes"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"
)

// A big segment on loopback reaches the ring as its first Snaplen bytes
// only (the filter's return value), with its whole length beside them,
// and still parses: the headers and the payload's start are there.
func TestCaptureCopiesSnaplen(t *testing.T) {
	h := openLoopback(t)
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := uint16(l.Addr().(*net.TCPAddr).Port)
	if err := h.SetFilter([]Endpoint{{Proto: ProtoTCP, Addr: netip.MustParseAddr("127.0.0.1"), Port: port}}); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp4", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	go io.Copy(io.Discard, s)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 2048) // 32 KiB
	if _, err := c.Write(payload); err != nil {
		t.Fatal(err)
	}
	var big *Packet
	var bigData int
	deadline := time.Now().Add(10 * time.Second)
	for big == nil && time.Now().Before(deadline) {
		h.Wait(50 * time.Millisecond)
		h.Drain(func(f Frame) {
			if len(f.Data) > Snaplen {
				t.Errorf("the ring holds %d bytes of a %d-byte packet, more than Snaplen %d", len(f.Data), f.Len, Snaplen)
			}
			p, err := Parse(f)
			if err == nil && big == nil && p.PayloadLen > Snaplen {
				big, bigData = p, len(f.Data)
			}
		})
	}
	if big == nil {
		t.Fatal("no segment bigger than Snaplen came through")
	}
	if bigData != Snaplen || big.Len <= Snaplen {
		t.Errorf("a %d-byte segment: %d bytes in the ring, want Snaplen %d", big.Len, bigData, Snaplen)
	}
	if len(big.Payload) != 64 || !bytes.Equal(big.Payload, payload[:64]) {
		t.Errorf("payload's start %q, want %q", big.Payload, payload[:64])
	}
}

// What a Parser keeps is its own copy: the frame's memory (the ring's,
// reused by the kernel) can change after, packets parsed one after the
// other share the parser's block without overlapping, and an append to
// one packet's bytes does not write into the next's.
func TestParserKeepsCopies(t *testing.T) {
	frame := func(port uint16, fill byte) []byte {
		b := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2,
			byte(port >> 8), byte(port), 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0x18, 2, 0, 0, 0, 0, 0,
			1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}
		b = append(b, bytes.Repeat([]byte{fill}, 100)...)
		b[2], b[3] = byte(len(b)>>8), byte(len(b))
		return b
	}
	ps := NewParser()
	ring := make([]byte, 200)
	var pkts []*Packet
	var want [][]byte
	for i := range 600 { // more than one block's worth of 256-byte copies
		f := frame(uint16(40000+i), byte('a'+i%26))
		want = append(want, f)
		n := copy(ring, f)
		var p Packet
		if err := ps.ParseInto(&p, Frame{Data: ring[:n], Len: n}, 256); err != nil {
			t.Fatal(err)
		}
		clear(ring) // the kernel reuses the frame
		pkts = append(pkts, &p)
	}
	for i, p := range pkts {
		if !bytes.Equal(p.Data, want[i]) {
			t.Fatalf("packet %d: Data %x, want %x", i, p.Data, want[i])
		}
		if p.Src.Port() != uint16(40000+i) || len(p.Options) != 1 || p.Options[0] != "TS" {
			t.Fatalf("packet %d: %v options %q", i, p.Src, p.Options)
		}
		if !bytes.Equal(p.Payload, want[i][52:52+64]) {
			t.Fatalf("packet %d: payload %q", i, p.Payload)
		}
		_ = append(p.Data, 'X')
		_ = append(p.Payload, 'X')
	}
	for i, p := range pkts {
		if !bytes.Equal(p.Data, want[i]) {
			t.Fatalf("after appends, packet %d: Data %x, want %x", i, p.Data, want[i])
		}
	}
}
