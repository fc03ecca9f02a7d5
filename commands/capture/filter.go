package capture

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Endpoint is one side of the traffic to capture: a protocol (6 TCP, 17
// UDP), an address (the zero Addr for any, as a socket bound to 0.0.0.0
// has) and a port. A packet matches when its source or its destination
// is the endpoint.
type Endpoint struct {
	Proto uint8
	Addr  netip.Addr
	Port  uint16
}

// maxInstructions is the kernel's limit on a classic BPF program
// (BPF_MAXINSNS).
const maxInstructions = 4096

// takeAll is the program that takes every packet (but loopback's
// arriving copies): the caller filters.
func takeAll(outgoingOnly bool) []bpf.Instruction {
	if !outgoingOnly {
		return []bpf.Instruction{bpf.RetConstant{Val: accept}}
	}
	return []bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtType},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipFalse: 1},
		bpf.RetConstant{Val: accept},
		bpf.RetConstant{Val: 0}}
}

// accept is what the filter returns for a packet it takes: how many of
// its bytes the kernel copies into the ring (the headers and the
// payload's start; not a whole 64 KiB loopback segment).
const accept = Snaplen

// Program is the classic BPF program that takes the packets of the
// endpoints (the packet starts at its IP header, as on a SOCK_DGRAM packet
// socket), and every ICMP destination-unreachable and ICMPv6 error of
// type 1, which carry a datagram's refusal and are matched to a socket by
// the caller. IP fragments after the first (no ports) are not taken.
//
// On loopback (outgoingOnly), where the kernel shows each packet twice,
// leaving and arriving, only the leaving copy is taken, as tcpdump shows
// one: the ring then holds each packet once.
//
// A program longer than the kernel takes (many sockets) checks ports
// only; longer still, it takes every packet, and the caller sorts.
func Program(eps []Endpoint, outgoingOnly bool) []bpf.Instruction {
	p := program(eps, outgoingOnly)
	if len(p) <= maxInstructions {
		return p
	}
	seen := map[Endpoint]bool{}
	var wide []Endpoint
	for _, e := range eps {
		e.Addr = netip.Addr{}
		if !seen[e] {
			seen[e] = true
			wide = append(wide, e)
		}
	}
	if p := program(wide, outgoingOnly); len(p) <= maxInstructions {
		return p
	}
	return takeAll(outgoingOnly)
}

func program(eps []Endpoint, outgoingOnly bool) []bpf.Instruction {
	var v4, v6 []Endpoint
	for _, e := range eps {
		a := e.Addr.Unmap()
		e.Addr = a
		switch {
		case !a.IsValid():
			v4, v6 = append(v4, e), append(v6, e)
		case a.Is4():
			v4 = append(v4, e)
		default:
			v6 = append(v6, e)
		}
	}
	if len(eps) == 0 {
		return []bpf.Instruction{bpf.RetConstant{Val: 0}}
	}
	sec4 := section4(v4)
	sec6 := section6(v6)
	var p []bpf.Instruction
	if outgoingOnly {
		p = append(p,
			bpf.LoadExtension{Num: bpf.ExtType},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipTrue: 1},
			bpf.RetConstant{Val: 0})
	}
	p = append(p,
		bpf.LoadAbsolute{Off: 0, Size: 1},
		bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 4, SkipTrue: 1},
		bpf.Jump{Skip: uint32(len(sec4))})
	p = append(p, sec4...)
	p = append(p,
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 6, SkipTrue: 1},
		bpf.RetConstant{Val: 0})
	return append(p, sec6...)
}

// block is a run of tests that each skip to the block's end when they
// fail, and a final accept.
func block(tests ...[]bpf.Instruction) []bpf.Instruction {
	var b []bpf.Instruction
	for _, t := range tests {
		b = append(b, t...)
	}
	b = append(b, bpf.RetConstant{Val: accept})
	for i, ins := range b {
		if j, ok := ins.(bpf.JumpIf); ok && j.Cond == bpf.JumpNotEqual {
			j.SkipTrue = uint8(len(b) - i - 1)
			b[i] = j
		}
	}
	return b
}

func ne(load bpf.Instruction, v uint32) []bpf.Instruction {
	return []bpf.Instruction{load, bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: v}}
}

// section4 is the IPv4 part; it ends with a return.
func section4(eps []Endpoint) []bpf.Instruction {
	s := []bpf.Instruction{
		// Fragments after the first carry no ports: not taken.
		bpf.LoadAbsolute{Off: 6, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x1fff, SkipFalse: 1},
		bpf.RetConstant{Val: 0},
		bpf.LoadMemShift{Off: 0},
	}
	// ICMP destination unreachable (type 3).
	s = append(s, block(ne(bpf.LoadAbsolute{Off: 9, Size: 1}, 1), ne(bpf.LoadIndirect{Off: 0, Size: 1}, 3))...)
	for _, e := range eps {
		for _, dst := range []bool{false, true} {
			addrOff, portOff := uint32(12), uint32(0)
			if dst {
				addrOff, portOff = 16, 2
			}
			tests := [][]bpf.Instruction{ne(bpf.LoadAbsolute{Off: 9, Size: 1}, uint32(e.Proto))}
			if e.Addr.IsValid() {
				a := e.Addr.As4()
				tests = append(tests, ne(bpf.LoadAbsolute{Off: addrOff, Size: 4}, binary.BigEndian.Uint32(a[:])))
			}
			tests = append(tests, ne(bpf.LoadIndirect{Off: portOff, Size: 2}, uint32(e.Port)))
			s = append(s, block(tests...)...)
		}
	}
	return append(s, bpf.RetConstant{Val: 0})
}

// section6 is the IPv6 part (a TCP or UDP header right after the fixed
// header, no extension headers); it ends with a return.
func section6(eps []Endpoint) []bpf.Instruction {
	// ICMPv6 destination unreachable (type 1).
	s := block(ne(bpf.LoadAbsolute{Off: 6, Size: 1}, 58), ne(bpf.LoadAbsolute{Off: 40, Size: 1}, 1))
	for _, e := range eps {
		for _, dst := range []bool{false, true} {
			addrOff, portOff := uint32(8), uint32(40)
			if dst {
				addrOff, portOff = 24, 42
			}
			tests := [][]bpf.Instruction{ne(bpf.LoadAbsolute{Off: 6, Size: 1}, uint32(e.Proto))}
			if e.Addr.IsValid() {
				a := e.Addr.As16()
				for w := 0; w < 4; w++ {
					tests = append(tests, ne(bpf.LoadAbsolute{Off: addrOff + uint32(4*w), Size: 4}, binary.BigEndian.Uint32(a[4*w:])))
				}
			}
			tests = append(tests, ne(bpf.LoadAbsolute{Off: portOff, Size: 2}, uint32(e.Port)))
			s = append(s, block(tests...)...)
		}
	}
	return append(s, bpf.RetConstant{Val: 0})
}
