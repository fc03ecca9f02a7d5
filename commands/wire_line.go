// The wire's lines: a packet as one line in the style of tcpdump and
// Wireshark (direction, flags, relative sequence numbers, window, options,
// length, the payload's start), and the folding of a bulk transfer into a
// few summary lines.
package commands

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/capture"
	"github.com/sockshell/sockshell/shell"
)

// flowKey names a connection (or a UDP pair) whichever way its packet goes.
type flowKey struct {
	proto uint8
	a, b  netip.AddrPort
}

func keyOf(p *capture.Packet) flowKey {
	a, b := p.Src, p.Dst
	if b.Compare(a) < 0 {
		a, b = b, a
	}
	return flowKey{p.Proto, a, b}
}

// wireFlow is a connection's state for its lines: where each side's
// sequence numbers start, and the burst being folded.
type wireFlow struct {
	sock  *wireSock
	base  map[netip.AddrPort]uint32 // each sender's first sequence number
	synAk map[netip.AddrPort]bool   // the sender's last packet was a SYN,ACK
	burst int                       // data segments since the flow began or went quiet
	last  time.Time
	fold  *wireFold
}

// wireFold counts the packets of a burst not shown one by one.
type wireFold struct {
	first, last time.Time
	segs, acks  [2]int // [out, in]
	bytes       [2]int64
	pkts        int
}

func dirIndex(d string) int {
	if d == "in" {
		return 1
	}
	return 0
}

// arrow is how a line shows a direction: → out, ← in.
func arrow(dir string) string {
	if dir == "in" {
		return "←"
	}
	return "→"
}

// showLocked works out the packet's relative numbers and logs it, one
// line, or adds it to the burst being folded.
func (w *wire) showLocked(wp *wirePacket) {
	p := wp.Packet
	k := keyOf(p)
	if p.Proto == capture.ProtoICMP || p.Proto == capture.ProtoICMPv6 {
		k = flowKey{p.InnerProto, p.InnerSrc, p.InnerDst}
		if k.b.Compare(k.a) < 0 {
			k.a, k.b = k.b, k.a
		}
	}
	f := w.flows[k]
	if f == nil {
		f = &wireFlow{base: map[netip.AddrPort]uint32{}, synAk: map[netip.AddrPort]bool{}}
		w.flows[k] = f
	}
	f.sock, f.last = wp.sock, p.Time
	if p.Proto == capture.ProtoTCP {
		if p.Flags&capture.SYN != 0 {
			f.base[p.Src] = p.Seq
			wp.flowNew = true
		} else if _, ok := f.base[p.Src]; !ok {
			f.base[p.Src] = p.Seq
		}
		wp.RelSeq = p.Seq - f.base[p.Src]
		wp.RelAck = p.Ack
		if b, ok := f.base[p.Dst]; ok {
			wp.RelAck, wp.ackKnown = p.Ack-b, true
		}
	}
	control := p.Proto != capture.ProtoTCP && p.Proto != capture.ProtoUDP ||
		p.Flags&(capture.SYN|capture.FIN|capture.RST) != 0
	if !control {
		if f.fold != nil {
			f.fold.add(wp)
			return
		}
		if p.PayloadLen > 0 || p.Proto == capture.ProtoUDP {
			f.burst++
			if f.burst > foldAfter {
				f.fold = &wireFold{first: p.Time}
				f.fold.add(wp)
				return
			}
		}
	} else if f.fold != nil {
		w.flushFoldLocked(f)
	}
	synAck := f.synAk[p.Dst]
	f.synAk[p.Src] = p.Flags&(capture.SYN|capture.ACK) == capture.SYN|capture.ACK
	wp.Shown = true
	wp.Line = w.lineLocked(wp, synAck)
	w.sess.Emit(w.packetEvent(wp))
}

func (fo *wireFold) add(wp *wirePacket) {
	d := dirIndex(wp.Dir)
	if wp.PayloadLen > 0 || wp.Proto == capture.ProtoUDP {
		fo.segs[d]++
		fo.bytes[d] += int64(wp.PayloadLen)
	} else {
		fo.acks[d]++
	}
	fo.pkts++
	fo.last = wp.Time
}

// flushFoldLocked logs the summary of the flow's burst, if it has one.
func (w *wire) flushFoldLocked(f *wireFlow) {
	fo := f.fold
	if fo == nil {
		return
	}
	f.fold = nil
	var parts []string
	for d, dir := range []string{"out", "in"} {
		var what []string
		if fo.segs[d] > 0 {
			unit := "segments"
			if f.sock != nil && f.sock.proto == capture.ProtoUDP {
				unit = "datagrams"
			}
			what = append(what, fmt.Sprintf("%s %s, %s", thousands(int64(fo.segs[d])), unit, humanBytes(fo.bytes[d])))
		}
		if fo.acks[d] > 0 {
			what = append(what, thousands(int64(fo.acks[d]))+" ACKs")
		}
		if len(what) > 0 {
			parts = append(parts, arrow(dir)+" "+strings.Join(what, " and "))
		}
	}
	took := fo.last.Sub(fo.first)
	if len(parts) > 0 {
		parts[0] += " in " + spanText(took)
	}
	msg := strings.Join(parts, "; ")
	name := ""
	if f.sock != nil {
		name = f.sock.name
	}
	w.sess.Emit(shell.Event{Time: fo.last, Kind: eventPacketsFolded, Resource: name, Message: msg, Note: true, Under: true, Attrs: []shell.Attr{
		{Key: "segments_out", Value: fo.segs[0]}, {Key: "bytes_out", Value: fo.bytes[0]}, {Key: "acks_out", Value: fo.acks[0]},
		{Key: "segments_in", Value: fo.segs[1]}, {Key: "bytes_in", Value: fo.bytes[1]}, {Key: "acks_in", Value: fo.acks[1]},
		{Key: "packets", Value: fo.pkts}, {Key: "duration", Value: took}}})
}

// spanText is a burst's length: "0.9 s", "12 ms".
func spanText(d time.Duration) string {
	if d >= 100*time.Millisecond {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// foldIdleLocked ends the bursts that have been quiet for foldIdle.
func (w *wire) foldIdleLocked(now time.Time) {
	for _, f := range w.flows {
		if now.Sub(f.last) >= foldIdle {
			w.flushFoldLocked(f)
			f.burst = 0
		}
	}
}

// packetEvent is the packet as the session's event.
func (w *wire) packetEvent(wp *wirePacket) shell.Event {
	p := wp.Packet
	proto, flags := "tcp", capture.FlagNames(p.Flags)
	switch p.Proto {
	case capture.ProtoUDP:
		proto, flags = "udp", "UDP"
	case capture.ProtoICMP, capture.ProtoICMPv6:
		proto, flags = "icmp", icmpName(p)
	}
	seq, ack := wp.RelSeq, wp.RelAck
	if w.abs {
		seq, ack = p.Seq, p.Ack
	}
	return shell.Event{Time: p.Time, Kind: eventPacket, Resource: wp.Sock, Message: wp.Line, Note: true, Under: true, Attrs: []shell.Attr{
		{Key: "dir", Value: wp.Dir}, {Key: "flags", Value: flags}, {Key: "seq", Value: int64(seq)}, {Key: "ack", Value: int64(ack)},
		{Key: "len", Value: p.PayloadLen}, {Key: "src", Value: p.Src}, {Key: "dst", Value: p.Dst}, {Key: "proto", Value: proto}}}
}

// icmpName says what an ICMP error is.
func icmpName(p *capture.Packet) string {
	if p.PortUnreachable() {
		if p.Proto == capture.ProtoICMPv6 {
			return "ICMPv6 port unreachable"
		}
		return "ICMP port unreachable"
	}
	if p.Proto == capture.ProtoICMPv6 {
		return fmt.Sprintf("ICMPv6 destination unreachable (code %d)", p.ICMPCode)
	}
	return fmt.Sprintf("ICMP destination unreachable (code %d)", p.ICMPCode)
}

// lineLocked is the packet's line: "→ SYN        seq=0 win=65495 <mss
// 65495,sackOK,TS,wscale 7>". A pure ACK shows no seq (as tcpdump), but
// for the one that ends a handshake; the window shows on SYNs (where it is
// not scaled) and when it is zero; options on SYNs.
func (w *wire) lineLocked(wp *wirePacket, afterSynAck bool) string {
	p := wp.Packet
	var b strings.Builder
	b.WriteString(arrow(wp.Dir) + " ")
	switch p.Proto {
	case capture.ProtoUDP:
		fmt.Fprintf(&b, "%-10s len=%d", "UDP", p.PayloadLen)
	case capture.ProtoICMP, capture.ProtoICMPv6:
		fmt.Fprintf(&b, "%s (for UDP %s → %s)", icmpName(p), p.InnerSrc, p.InnerDst)
		return b.String()
	default:
		fmt.Fprintf(&b, "%-10s", capture.FlagNames(p.Flags))
		seq, ack := wp.RelSeq, wp.RelAck
		if w.abs {
			seq, ack = p.Seq, p.Ack
		}
		var f []string
		pureAck := p.Flags&(capture.SYN|capture.FIN|capture.RST) == 0 && p.PayloadLen == 0
		if !pureAck || afterSynAck {
			f = append(f, fmt.Sprintf("seq=%d", seq))
		}
		if p.Flags&capture.ACK != 0 {
			f = append(f, fmt.Sprintf("ack=%d", ack))
		}
		if p.Flags&capture.SYN != 0 || p.Win == 0 && p.Flags&capture.RST == 0 {
			f = append(f, fmt.Sprintf("win=%d", p.Win))
		}
		if p.Flags&capture.SYN != 0 && len(p.Options) > 0 {
			f = append(f, "<"+strings.Join(p.Options, ",")+">")
		}
		if p.PayloadLen > 0 {
			f = append(f, fmt.Sprintf("len=%d", p.PayloadLen))
		}
		b.WriteString(" " + strings.Join(f, " "))
	}
	if p.PayloadLen > 0 {
		b.WriteString("  " + payloadRepr(p.Payload, p.PayloadLen))
	}
	return b.String()
}

// maxReprWidth bounds the payload's repr on a line.
const maxReprWidth = 32

// payloadRepr is the payload's first bytes as Python's bytes repr, at
// most maxReprWidth characters of it, with … when there is more.
func payloadRepr(p []byte, total int) string {
	n := len(p)
	for n > 1 && len(shell.BytesRepr(p[:n])) > maxReprWidth {
		n--
	}
	r := shell.BytesRepr(p[:n])
	if n < total {
		r += "…"
	}
	return r
}

// humanBytes is a size as the summary lines write it: "512 B", "1.5 KiB",
// "1.0 GiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, units := float64(n)/unit, []string{"KiB", "MiB", "GiB", "TiB"}
	i := 0
	for v >= unit && i < len(units)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}
