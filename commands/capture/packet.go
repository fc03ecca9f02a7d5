package capture

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
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
}

// Parser parses captured packets, reusing its decoders from one packet
// to the next (one goroutine at a time).
type Parser struct {
	ip4     layers.IPv4
	ip6     layers.IPv6
	tcp     layers.TCP
	udp     layers.UDP
	icmp4   layers.ICMPv4
	icmp6   layers.ICMPv6
	payload gopacket.Payload
	p4, p6  *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

// NewParser makes a Parser.
func NewParser() *Parser {
	ps := &Parser{}
	ls := []gopacket.DecodingLayer{&ps.ip4, &ps.ip6, &ps.tcp, &ps.udp, &ps.icmp4, &ps.icmp6, &ps.payload}
	ps.p4 = gopacket.NewDecodingLayerParser(layers.LayerTypeIPv4, ls...)
	ps.p6 = gopacket.NewDecodingLayerParser(layers.LayerTypeIPv6, ls...)
	ps.p4.IgnoreUnsupported, ps.p6.IgnoreUnsupported = true, true
	return ps
}

// Parse parses a captured network-layer packet; it keeps a copy of data.
func Parse(f Frame) (*Packet, error) { return NewParser().Parse(f, len(f.Data)) }

// Parse parses a captured network-layer packet and keeps a copy of its
// first keep bytes.
func (ps *Parser) Parse(f Frame, keep int) (*Packet, error) {
	if len(f.Data) == 0 {
		return nil, fmt.Errorf("empty packet")
	}
	p := &Packet{Time: f.Time, Len: f.Len}
	parser := ps.p4
	if f.Data[0]>>4 == 6 {
		parser = ps.p6
	}
	ip4, ip6, tcp, udp, icmp4, icmp6 := &ps.ip4, &ps.ip6, &ps.tcp, &ps.udp, &ps.icmp4, &ps.icmp6
	err := parser.DecodeLayers(f.Data, &ps.decoded)
	decoded := ps.decoded
	var src, dst netip.Addr
	ipLen, hdrLen := 0, 0
	for _, lt := range decoded {
		switch lt {
		case layers.LayerTypeIPv4:
			src, _ = netip.AddrFromSlice(ip4.SrcIP.To4())
			dst, _ = netip.AddrFromSlice(ip4.DstIP.To4())
			p.Proto = uint8(ip4.Protocol)
			ipLen, hdrLen = int(ip4.Length), int(ip4.IHL)*4
		case layers.LayerTypeIPv6:
			src, _ = netip.AddrFromSlice(ip6.SrcIP)
			dst, _ = netip.AddrFromSlice(ip6.DstIP)
			p.Proto = uint8(ip6.NextHeader)
			ipLen, hdrLen = 40+int(ip6.Length), 40
		case layers.LayerTypeTCP:
			p.Src, p.Dst = netip.AddrPortFrom(src, uint16(tcp.SrcPort)), netip.AddrPortFrom(dst, uint16(tcp.DstPort))
			p.Seq, p.Ack, p.Win = tcp.Seq, tcp.Ack, tcp.Window
			p.Flags = tcpFlags(tcp)
			p.Options = tcpOptions(tcp.Options)
			p.PayloadLen = max(ipLen-hdrLen-int(tcp.DataOffset)*4, 0)
			p.Payload = clip(tcp.Payload, 64)
		case layers.LayerTypeUDP:
			p.Src, p.Dst = netip.AddrPortFrom(src, uint16(udp.SrcPort)), netip.AddrPortFrom(dst, uint16(udp.DstPort))
			p.PayloadLen = max(int(udp.Length)-8, 0)
			p.Payload = clip(udp.Payload, 64)
		case layers.LayerTypeICMPv4:
			p.Src, p.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
			p.ICMPType, p.ICMPCode = icmp4.TypeCode.Type(), icmp4.TypeCode.Code()
			p.quoted(icmp4.Payload)
		case layers.LayerTypeICMPv6:
			p.Src, p.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
			p.ICMPType, p.ICMPCode = icmp6.TypeCode.Type(), icmp6.TypeCode.Code()
			if len(icmp6.Payload) >= 4 {
				p.quoted(icmp6.Payload[4:]) // after the unused word
			}
		}
	}
	if len(p.Payload) > p.PayloadLen {
		p.Payload = p.Payload[:p.PayloadLen]
	}
	p.Data = clip(f.Data, keep)
	if !p.Src.IsValid() {
		if err == nil {
			err = fmt.Errorf("not a TCP, UDP or ICMP packet")
		}
		return nil, err
	}
	return p, nil
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

func tcpFlags(t *layers.TCP) uint8 {
	var f uint8
	for _, b := range []struct {
		on  bool
		bit uint8
	}{{t.FIN, FIN}, {t.SYN, SYN}, {t.RST, RST}, {t.PSH, PSH}, {t.ACK, ACK}, {t.URG, URG}, {t.ECE, ECE}, {t.CWR, CWR}} {
		if b.on {
			f |= b.bit
		}
	}
	return f
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

func tcpOptions(opts []layers.TCPOption) []string {
	var out []string
	for _, o := range opts {
		switch o.OptionType {
		case layers.TCPOptionKindMSS:
			if len(o.OptionData) == 2 {
				out = append(out, fmt.Sprintf("mss %d", binary.BigEndian.Uint16(o.OptionData)))
			}
		case layers.TCPOptionKindSACKPermitted:
			out = append(out, "sackOK")
		case layers.TCPOptionKindTimestamps:
			out = append(out, "TS")
		case layers.TCPOptionKindWindowScale:
			if len(o.OptionData) == 1 {
				out = append(out, fmt.Sprintf("wscale %d", o.OptionData[0]))
			}
		case layers.TCPOptionKindSACK:
			out = append(out, fmt.Sprintf("sack %d", len(o.OptionData)/8))
		case layers.TCPOptionKindNop, layers.TCPOptionKindEndList:
		default:
			out = append(out, fmt.Sprintf("opt-%d", o.OptionType))
		}
	}
	return out
}

// PortUnreachable reports whether the packet is an ICMP or ICMPv6 "port
// unreachable", the answer to a UDP datagram no socket was bound for.
func (p *Packet) PortUnreachable() bool {
	return p.Proto == ProtoICMP && p.ICMPType == 3 && p.ICMPCode == 3 ||
		p.Proto == ProtoICMPv6 && p.ICMPType == 1 && p.ICMPCode == 4
}

// clip copies at most n bytes of b.
func clip(b []byte, n int) []byte {
	return append([]byte(nil), b[:min(len(b), n)]...)
}
