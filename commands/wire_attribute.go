package commands

import (
	"net/netip"

	"github.com/sockshell/sockshell/commands/capture"
)

// The wire's packets matched to the session's sockets: a frame from a ring, the socket it is of and its direction, the packets kept.

// frame takes one packet from a ring.
func (w *wire) frame(i *wireIface, f capture.Frame) {
	if i.loopback && !f.Outgoing {
		// Loopback shows each packet twice, leaving and arriving; the
		// kernel filter takes only the leaving copy (capture.Program).
		return
	}
	// The packet is parsed into its record: no allocation of its own.
	wp := i.record()
	wp.Iface = i.name
	err := i.parser.ParseInto(&wp.pkt, f, wireKeepBytes)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.filtered++
		return
	}
	p := &wp.pkt
	ws, dir := w.attributeLocked(p)
	if ws == nil {
		w.filtered++
		return
	}
	if ws.name == "" {
		ws.name = w.nameOf(ws.s)
	}
	wp.Packet, wp.Sock, wp.sock, wp.Dir = p, ws.name, ws, dir
	w.captured++
	w.keepLocked(wp)
	w.showLocked(wp)
}

func (w *wire) keepLocked(wp *wirePacket) {
	if len(w.pkts) >= wireKeep {
		n := wireKeep / 8
		w.pkts = append(w.pkts[:0], w.pkts[n:]...)
		w.forgot += n
	}
	w.pkts = append(w.pkts, wp)
}

// attributeLocked finds the socket a packet is of, and whether that
// socket sent it ("out") or received it ("in"): an exact match of both
// addresses before a socket that only has its own (a listener, an
// unconnected UDP socket); the sender before the receiver when both are
// the session's.
func (w *wire) attributeLocked(p *capture.Packet) (*wireSock, string) {
	proto, src, dst := p.Proto, p.Src, p.Dst
	icmp := p.Proto == capture.ProtoICMP || p.Proto == capture.ProtoICMPv6
	if icmp {
		if p.InnerProto == 0 {
			return nil, ""
		}
		// An error about a datagram the socket sent: it comes in.
		proto, src, dst = p.InnerProto, p.InnerDst, p.InnerSrc
	}
	var best *wireSock
	bestDir, bestScore := "", 0
	for _, ws := range w.socks {
		if ws.proto != proto {
			continue
		}
		for _, d := range []string{"out", "in"} {
			mine, other := src, dst
			if d == "in" {
				mine, other = dst, src
			}
			score := 0
			if ws.local.IsValid() && ws.local.Port() == mine.Port() && sameAddr(ws.local.Addr(), mine.Addr(), true) {
				if ws.peer.IsValid() && ws.peer.Port() != 0 {
					if ws.peer.Port() == other.Port() && sameAddr(ws.peer.Addr(), other.Addr(), false) {
						score = 3
					}
				} else {
					score = 2
				}
			} else if ws.pending[netip.AddrPortFrom(other.Addr().Unmap(), other.Port())] &&
				(!ws.local.IsValid() || ws.local.Port() == 0 || ws.local.Port() == mine.Port()) {
				score = 1
			}
			if icmp && d == "out" {
				score = 0
			}
			if score > 0 && (bestScore == 0 || d == "out" && bestDir == "in" || d == bestDir && score > bestScore) {
				best, bestDir, bestScore = ws, d, score
			}
		}
	}
	return best, bestDir
}

// sameAddr compares a socket's address with a packet's; a wildcard
// (0.0.0.0, ::) matches any when wild.
func sameAddr(sock, pkt netip.Addr, wild bool) bool {
	sock, pkt = sock.Unmap(), pkt.Unmap()
	return sock == pkt || wild && sock.IsUnspecified()
}

// wireRecs is how many packet records an interface makes at a time.
const wireRecs = 64

// record is a new record for a packet of the interface's.
func (i *wireIface) record() *wirePacket {
	if len(i.recs) == 0 {
		i.recs = make([]wirePacket, wireRecs)
	}
	wp := &i.recs[0]
	i.recs = i.recs[1:]
	return wp
}
