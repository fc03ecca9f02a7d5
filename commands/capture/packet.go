package capture

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// The protocols a Packet can be.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// TCP flag bits, as the header has them.
const (
	FIN = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
	ECE
	CWR
)

// Packet is one captured IP packet, parsed.
type Packet struct {
	Time time.Time
	Data []byte // the packet from its IP header on, as captured (at most Snaplen bytes)
	Len  int    // its whole length

	Proto    uint8 // ProtoTCP, ProtoUDP, ProtoICMP, ProtoICMPv6
	Src, Dst netip.AddrPort

	// TCP
	Flags    uint8
	Seq, Ack uint32
	Win      uint16
	Options  []string // as tcpdump spells them: "mss 65495", "sackOK", "TS", "wscale 7"

	// TCP and UDP: the payload's length (from the headers, whatever was
	// captured) and its first bytes.
	PayloadLen int
	Payload    []byte // at most 64 bytes

	// ICMP and ICMPv6 errors: type, code and the datagram they are about
	// (its protocol and addresses, from the header it quotes).
	ICMPType, ICMPCode uint8
	InnerProto         uint8
	InnerSrc, InnerDst netip.AddrPort

	// optBuf holds Options when they are few (a data segment has "TS",
	// and a SACK), so that reading them allocates nothing.
	optBuf [2]string
}

// Parser parses captured packets, one goroutine at a time (each interface
// has its own). What it keeps of each packet (Data, and Payload when the
// kept bytes do not hold it) it copies into a shared block of memory that
// holds no pointers: a bulk transfer's tens of thousands of packets are a
// few hundred blocks to allocate, and nothing for the garbage collector to
// scan. A block lives as long as one packet copied into it is kept.
type Parser struct {
	block []byte // the rest of the current block
}

// parserBlock is the size of one block of a Parser's copies: 256 packets'
// worth at the wire's 256 bytes a packet.
const parserBlock = 64 << 10

// NewParser makes a Parser.
func NewParser() *Parser { return &Parser{} }

// Parse parses a captured network-layer packet; it keeps a copy of data.
func Parse(f Frame) (*Packet, error) { return NewParser().Parse(f, len(f.Data)) }

// copyOf is a copy of b in the parser's block (a new block when the rest
// is too short), its capacity its length: an append to it copies.
func (ps *Parser) copyOf(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if len(b) > len(ps.block) {
		if len(b) > parserBlock/4 {
			return append([]byte(nil), b...)
		}
		ps.block = make([]byte, parserBlock)
	}
	c := ps.block[:len(b):len(b)]
	copy(c, b)
	ps.block = ps.block[len(b):]
	return c
}

// The IP protocol numbers of the headers Parse reads besides the ones a
// Packet can be.
const (
	protoIPIP      = 4  // IPv4 in IP
	protoIPv6      = 41 // IPv6 in IP
	protoHopByHop  = 0  // IPv6's hop-by-hop options, the one extension header read (skipped)
	maxNestedHdrIP = 4  // IP in IP at most this deep
)

// Parse parses a captured network-layer packet and keeps a copy of its
// first keep bytes. The ring captures from the IP header on (the
// AF_PACKET socket is SOCK_DGRAM: the kernel strips the link header), so
// there is no link header to read. An IPv4 fragment, or an IPv6 packet
// with an extension header other than hop-by-hop, stops the parse: it
// is not a TCP, UDP or ICMP packet to the wire view.
func (ps *Parser) Parse(f Frame, keep int) (*Packet, error) {
	p := new(Packet)
	if err := ps.ParseInto(p, f, keep); err != nil {
		return nil, err
	}
	return p, nil
}

// ParseInto is Parse into a Packet the caller has (a field of its own
// record of the packet: one allocation a packet, not two); p is
// overwritten whole.
func (ps *Parser) ParseInto(p *Packet, f Frame, keep int) error {
	*p = Packet{Time: f.Time, Len: f.Len}
	if len(f.Data) == 0 {
		return fmt.Errorf("empty packet")
	}
	err := p.parseIP(f.Data)
	kept := f.Data[:min(len(f.Data), keep)]
	p.Data = ps.copyOf(kept)
	if n := len(p.Payload); n > 0 {
		// Payload is still a slice of f.Data (parseTCP, parseUDP): where
		// it starts is how much shorter its capacity is than the frame's.
		if at := cap(f.Data) - cap(p.Payload); at >= 0 && at+n <= len(kept) {
			p.Payload = p.Data[at : at+n : at+n]
		} else {
			p.Payload = ps.copyOf(p.Payload)
		}
	} else {
		p.Payload = nil
	}
	if !p.Src.IsValid() {
		if err == nil {
			err = fmt.Errorf("not a TCP, UDP or ICMP packet")
		}
		return err
	}
	return nil
}

// parseIP reads the IP header at the start of b (IPv6 if its version is
// 6, IPv4 otherwise) and then the header it carries.
func (p *Packet) parseIP(b []byte) error {
	six := b[0]>>4 == 6
	for range maxNestedHdrIP {
		var src, dst netip.Addr
		var proto uint8
		var payload []byte
		var ipLen, hdrLen int
		if six {
			if len(b) < 40 {
				return fmt.Errorf("IPv6 header truncated: %d bytes, less than 40", len(b))
			}
			length := int(binary.BigEndian.Uint16(b[4:6]))
			proto = b[6]
			src = netip.AddrFrom16([16]byte(b[8:24]))
			dst = netip.AddrFrom16([16]byte(b[24:40]))
			ipLen, hdrLen = 40+length, 40
			if length == 0 {
				return fmt.Errorf("IPv6 payload length 0 (a jumbogram is not read)")
			}
			payload = b[40:min(len(b), 40+length)]
			if proto == protoHopByHop {
				if len(payload) < 2 || len(payload) < 8+int(payload[1])*8 {
					return fmt.Errorf("IPv6 hop-by-hop header truncated")
				}
				proto = payload[0]
				payload = payload[8+int(payload[1])*8:]
			}
		} else {
			if len(b) < 20 {
				return fmt.Errorf("IPv4 header truncated: %d bytes, less than 20", len(b))
			}
			ihl := int(b[0]&0xf) * 4
			length := int(binary.BigEndian.Uint16(b[2:4]))
			if length == 0 { // TCP segmentation offload leaves it 0
				length = len(b)
			}
			switch {
			case length < 20:
				return fmt.Errorf("IPv4 total length %d less than 20", length)
			case ihl < 20:
				return fmt.Errorf("IPv4 header length %d less than 20", ihl)
			case ihl > length:
				return fmt.Errorf("IPv4 header length %d more than its total length %d", ihl, length)
			case ihl > len(b):
				return fmt.Errorf("IPv4 header truncated")
			}
			proto = b[9]
			src = netip.AddrFrom4([4]byte(b[12:16]))
			dst = netip.AddrFrom4([4]byte(b[16:20]))
			ipLen, hdrLen = length, ihl
			payload = b[ihl:min(len(b), length)]
			if frag := binary.BigEndian.Uint16(b[6:8]); frag&0x2000 != 0 || frag&0x1fff != 0 {
				p.Proto = proto
				return nil // a fragment: its transport header is not read
			}
		}
		p.Proto = proto
		switch proto {
		case protoIPIP, protoIPv6:
			if len(payload) == 0 {
				return nil
			}
			b, six = payload, proto == protoIPv6
			continue
		case ProtoTCP:
			return p.parseTCP(payload, src, dst, ipLen-hdrLen)
		case ProtoUDP:
			return p.parseUDP(payload, src, dst)
		case ProtoICMP:
			if len(payload) < 8 {
				return fmt.Errorf("ICMP header truncated: %d bytes, less than 8", len(payload))
			}
			p.Src, p.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
			p.ICMPType, p.ICMPCode = payload[0], payload[1]
			p.quoted(payload[8:])
		case ProtoICMPv6:
			if len(payload) < 4 {
				return fmt.Errorf("ICMPv6 header truncated: %d bytes, less than 4", len(payload))
			}
			p.Src, p.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
			p.ICMPType, p.ICMPCode = payload[0], payload[1]
			if len(payload) >= 8 {
				p.quoted(payload[8:]) // after the unused word
			}
		}
		return nil
	}
	return nil
}

// parseTCP reads a TCP header; ipPayload is the segment's length as the
// IP header gives it.
func (p *Packet) parseTCP(b []byte, src, dst netip.Addr, ipPayload int) error {
	if len(b) < 20 {
		return fmt.Errorf("TCP header truncated: %d bytes, less than 20", len(b))
	}
	off := int(b[12]>>4) * 4
	if off < 20 {
		return fmt.Errorf("TCP data offset %d less than 20", off)
	}
	if off > len(b) {
		return fmt.Errorf("TCP header truncated: data offset %d beyond %d bytes", off, len(b))
	}
	opts, err := tcpOptions(p.optBuf[:0], b[20:off])
	if err != nil {
		return err
	}
	p.Src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(b[0:2]))
	p.Dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:4]))
	p.Seq = binary.BigEndian.Uint32(b[4:8])
	p.Ack = binary.BigEndian.Uint32(b[8:12])
	p.Flags = b[13]
	p.Win = binary.BigEndian.Uint16(b[14:16])
	p.Options = opts
	p.PayloadLen = max(ipPayload-off, 0)
	p.Payload = b[off:][:min(64, p.PayloadLen, len(b)-off)] // copied by ParseInto
	return nil
}

// parseUDP reads a UDP header.
func (p *Packet) parseUDP(b []byte, src, dst netip.Addr) error {
	if len(b) < 8 {
		return fmt.Errorf("UDP header truncated: %d bytes, less than 8", len(b))
	}
	length := int(binary.BigEndian.Uint16(b[4:6]))
	var payload []byte
	switch {
	case length >= 8:
		payload = b[8:min(length, len(b))]
	case length == 0: // a jumbogram: the rest
		payload = b[8:]
	default:
		return fmt.Errorf("UDP length %d less than 8", length)
	}
	p.Src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(b[0:2]))
	p.Dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:4]))
	p.PayloadLen = max(length-8, 0)
	p.Payload = payload[:min(64, p.PayloadLen, len(payload))] // copied by ParseInto
	return nil
}

// quoted reads the header an ICMP error quotes: an IP header and the
// first 8 bytes of its datagram (the ports).
func (p *Packet) quoted(b []byte) {
	if len(b) < 1 {
		return
	}
	var src, dst netip.Addr
	var rest []byte
	switch b[0] >> 4 {
	case 4:
		ihl := int(b[0]&0xf) * 4
		if len(b) < ihl+4 || ihl < 20 {
			return
		}
		p.InnerProto = b[9]
		src, _ = netip.AddrFromSlice(b[12:16])
		dst, _ = netip.AddrFromSlice(b[16:20])
		rest = b[ihl:]
	case 6:
		if len(b) < 44 {
			return
		}
		p.InnerProto = b[6]
		src, _ = netip.AddrFromSlice(b[8:24])
		dst, _ = netip.AddrFromSlice(b[24:40])
		rest = b[40:]
	default:
		return
	}
	p.InnerSrc = netip.AddrPortFrom(src, binary.BigEndian.Uint16(rest[0:2]))
	p.InnerDst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(rest[2:4]))
}

// FlagNames are the flags as Wireshark writes them, SYN first:
// "SYN,ACK", "PSH,ACK", "FIN,ACK", "RST,ACK".
func FlagNames(f uint8) string {
	var names []string
	for _, n := range []struct {
		bit  uint8
		name string
	}{{SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {URG, "URG"}, {ACK, "ACK"}, {ECE, "ECE"}, {CWR, "CWR"}} {
		if f&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}

// tcpOptions reads a TCP header's options, named as tcpdump names them,
// appended to out (nil when there are none); an option whose length runs
// past the header is an error.
func tcpOptions(out []string, b []byte) ([]string, error) {
	for len(b) > 0 {
		kind := b[0]
		if kind == 0 { // end of the list
			break
		}
		if kind == 1 { // no-operation, padding
			b = b[1:]
			continue
		}
		if len(b) < 2 {
			return nil, fmt.Errorf("TCP option %d truncated", kind)
		}
		n := int(b[1])
		if n < 2 || n > len(b) {
			return nil, fmt.Errorf("TCP option %d has a bad length %d", kind, n)
		}
		data := b[2:n]
		switch kind {
		case 2:
			if len(data) == 2 {
				out = append(out, fmt.Sprintf("mss %d", binary.BigEndian.Uint16(data)))
			}
		case 4:
			out = append(out, "sackOK")
		case 8:
			out = append(out, "TS")
		case 3:
			if len(data) == 1 {
				out = append(out, fmt.Sprintf("wscale %d", data[0]))
			}
		case 5:
			out = append(out, fmt.Sprintf("sack %d", len(data)/8))
		default:
			out = append(out, fmt.Sprintf("opt-%d", kind))
		}
		b = b[n:]
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// PortUnreachable reports whether the packet is an ICMP or ICMPv6 "port
// unreachable", the answer to a UDP datagram no socket was bound for.
func (p *Packet) PortUnreachable() bool {
	return p.Proto == ProtoICMP && p.ICMPType == 3 && p.ICMPCode == 3 ||
		p.Proto == ProtoICMPv6 && p.ICMPType == 1 && p.ICMPCode == 4
}
