// wire SOCK: a socket's life as a ladder diagram, this side and the peer
// in two columns, one arrow a packet, each side's TCP state as the
// packets change it (the RFC 9293 state machine, run on the captured
// packets), the command during which each packet was seen in the margin;
// in the terminal, or as an SVG picture (--svg FILE).
package commands

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sockshell/sockshell/commands/capture"
	"github.com/sockshell/sockshell/shell"
)

// The TCP states, as RFC 9293 names them (with '_' for '-').
const (
	tcpClosed      = "CLOSED"
	tcpListen      = "LISTEN"
	tcpSynSent     = "SYN_SENT"
	tcpSynReceived = "SYN_RECEIVED"
	tcpEstablished = "ESTABLISHED"
	tcpFinWait1    = "FIN_WAIT_1"
	tcpFinWait2    = "FIN_WAIT_2"
	tcpCloseWait   = "CLOSE_WAIT"
	tcpClosing     = "CLOSING"
	tcpLastAck     = "LAST_ACK"
	tcpTimeWait    = "TIME_WAIT"
)

// tcpSide is one end of a connection as its packets show it.
type tcpSide struct {
	state   string
	finEnd  uint32 // the sequence number after its FIN, once it sent one
	sentFin bool
	passive bool // it was listening when the connection began
}

// seqGE reports a >= b in sequence-number arithmetic.
func seqGE(a, b uint32) bool { return int32(a-b) >= 0 }

// send is what sending p does to the side.
func (s *tcpSide) send(p *capture.Packet) {
	switch {
	case p.Flags&capture.RST != 0:
		s.state = tcpClosed
	case p.Flags&(capture.SYN|capture.ACK) == capture.SYN:
		s.state = tcpSynSent
	case p.Flags&capture.SYN != 0: // SYN,ACK: the answer to a SYN received
		s.state = tcpSynReceived
	}
	if p.Flags&capture.FIN != 0 && !s.sentFin {
		s.sentFin = true
		s.finEnd = p.Seq + uint32(p.PayloadLen) + 1
		switch s.state {
		case tcpEstablished, tcpSynReceived:
			s.state = tcpFinWait1
		case tcpCloseWait:
			s.state = tcpLastAck
		}
	}
}

// receive is what receiving p does to the side: its ACK first, then its
// FIN, as RFC 9293's segment processing orders them.
func (s *tcpSide) receive(p *capture.Packet) {
	if p.Flags&capture.RST != 0 {
		switch {
		case s.state == tcpListen:
			// A listener ignores a reset.
		case s.state == tcpSynReceived && s.passive:
			// A passive open goes back to listening.
			s.state = tcpListen
		default:
			s.state = tcpClosed
		}
		return
	}
	if p.Flags&capture.SYN != 0 {
		if p.Flags&capture.ACK == 0 {
			// Only a listener takes a SYN; in CLOSED (no socket) it is
			// answered with a reset.
			if s.state == tcpListen {
				s.state = tcpSynReceived
			}
		} else if s.state == tcpSynSent {
			s.state = tcpEstablished
		}
	}
	if p.Flags&capture.ACK != 0 && p.Flags&capture.SYN == 0 {
		acksFin := s.sentFin && seqGE(p.Ack, s.finEnd)
		switch {
		case s.state == tcpSynReceived:
			s.state = tcpEstablished
		case s.state == tcpFinWait1 && acksFin:
			s.state = tcpFinWait2
		case s.state == tcpClosing && acksFin:
			s.state = tcpTimeWait
		case s.state == tcpLastAck && acksFin:
			s.state = tcpClosed
		}
	}
	if p.Flags&capture.FIN != 0 {
		switch s.state {
		case tcpEstablished, tcpSynReceived:
			s.state = tcpCloseWait
		case tcpFinWait1:
			s.state = tcpClosing
		case tcpFinWait2:
			s.state = tcpTimeWait
		}
	}
}

// ladderRow is one packet of the ladder.
type ladderRow struct {
	Command string // the command during which it was seen; "" after the first of its packets
	Dir     string
	Label   string // flags and numbers
	Local   string // this side's state after it, when it changed
	Peer    string
	pkt     *wirePacket
}

// ladder is a socket's diagram.
type ladder struct {
	Name                  string
	LocalAddr, PeerAddr   string
	TCP                   bool
	StartLocal, StartPeer string
	Rows                  []ladderRow
}

func wireLadder(c *shell.Call, w *wire, name string) (any, error) {
	lad, err := w.ladderOf(c.Session, name)
	if err != nil {
		return nil, err
	}
	if svg, ok := c.Flag("svg"); ok {
		if err := writeWholeFile(c, svg, []byte(lad.svg())); err != nil {
			return nil, err
		}
		return shell.Text(fmt.Sprintf("the ladder of %s (%s) written to %s", name, count(len(lad.Rows), "packet"), svg)), nil
	}
	if c.Session.Settings.Format == "json" {
		rows := make(shell.List, len(lad.Rows))
		for i, r := range lad.Rows {
			rows[i] = map[string]any{"command": r.Command, "dir": r.Dir, "packet": r.Label,
				"local_state": r.Local, "peer_state": r.Peer}
		}
		return map[string]any{"socket": name, "local": lad.LocalAddr, "peer": lad.PeerAddr, "packets": rows}, nil
	}
	return shell.Text(lad.text(c.Has("abs"))), nil
}

// ladderOf gathers the socket's packets and runs the state machine on them.
func (w *wire) ladderOf(sess *shell.Session, name string) (*ladder, error) {
	w.mu.Lock()
	var ws *wireSock
	for _, s := range w.socks {
		if s.name == "" {
			s.name = w.nameOf(s.s)
		}
		if s.name == name {
			ws = s
		}
	}
	var pkts []*wirePacket
	if ws != nil {
		for _, p := range w.pkts {
			if p.sock == ws || ws.peer.IsValid() && ws.local.IsValid() && p.Proto == ws.proto &&
				(p.Src == ws.local && p.Dst == ws.peer || p.Dst == ws.local && p.Src == ws.peer) {
				pkts = append(pkts, p)
			}
		}
	}
	w.mu.Unlock()
	if ws == nil {
		if _, open := sess.Resource(name); open || w.seenName(sess, name) {
			return nil, shell.Errorf("ValueError", "no packets of %s were captured: turn the wire on (wire on) before the socket's calls", name)
		}
		return nil, shell.Errorf("NameError", "%s is no socket of this session", shell.StrRepr(name))
	}
	if len(pkts) == 0 {
		return nil, shell.Errorf("ValueError", "no packets of %s were captured (yet)", name)
	}
	lad := &ladder{Name: name, LocalAddr: ws.local.String(), PeerAddr: ws.peer.String(), TCP: ws.proto == capture.ProtoTCP}
	if !ws.peer.IsValid() {
		lad.PeerAddr = "peers"
	}
	var local, peer tcpSide
	local.state, peer.state = tcpClosed, tcpClosed
	first := pkts[0].Packet
	if first.Flags&(capture.SYN|capture.ACK) == capture.SYN && answered(pkts, first) {
		// The side that gets the first SYN and answers SYN,ACK was
		// listening (one that answers with a reset had no socket).
		if first.Dst == ws.local {
			local.state, local.passive = tcpListen, true
		} else {
			peer.state, peer.passive = tcpListen, true
		}
	} else if lad.TCP {
		// The capture began after the handshake.
		local.state, peer.state = tcpEstablished, tcpEstablished
	}
	lad.StartLocal, lad.StartPeer = local.state, peer.state
	cmds := commandSpans(sess)
	lastCmd := -2
	for _, p := range pkts {
		out := p.Src == ws.local || p.sock == ws && p.Dir == "out" && p.Src != ws.peer
		row := ladderRow{Dir: "in", pkt: p}
		if out {
			row.Dir = "out"
		}
		if i := spanOf(cmds, p.Time); i != lastCmd {
			lastCmd = i
			if i >= 0 {
				row.Command = cmds[i].line
			} else {
				row.Command = "(between commands)"
			}
		}
		if lad.TCP && p.Proto == capture.ProtoTCP {
			bl, bp := local.state, peer.state
			if out {
				local.send(p.Packet)
				peer.receive(p.Packet)
			} else {
				peer.send(p.Packet)
				local.receive(p.Packet)
			}
			if local.state != bl {
				row.Local = local.state
			}
			if peer.state != bp {
				row.Peer = peer.state
			}
		}
		lad.Rows = append(lad.Rows, row)
	}
	return lad, nil
}

// answered reports whether the SYN's receiver answered with a SYN,ACK.
func answered(pkts []*wirePacket, syn *capture.Packet) bool {
	for _, p := range pkts {
		if p.Src == syn.Dst && p.Flags&(capture.SYN|capture.ACK) == capture.SYN|capture.ACK {
			return true
		}
	}
	return false
}

// seenName reports whether the session's log has a socket of that name.
func (w *wire) seenName(sess *shell.Session, name string) bool {
	for _, e := range sess.Events().Recent(0) {
		if e.Resource == name {
			return true
		}
	}
	return false
}

// commandSpan is when one command ran.
type commandSpan struct {
	start, end time.Time
	line       string
}

// commandSpans are the commands of the log, from their events.
func commandSpans(sess *shell.Session) []commandSpan {
	var out []commandSpan
	for _, e := range sess.Events().Recent(0) {
		if e.Kind != shell.EventCommand {
			continue
		}
		d, _ := e.Attr("duration")
		took, _ := d.(time.Duration)
		line, _ := e.Attr("line")
		l, _ := line.(string)
		out = append(out, commandSpan{start: e.Time.Add(-took), end: e.Time, line: l})
	}
	return out
}

// spanOf is the index of the command running at t, or -1.
func spanOf(spans []commandSpan, t time.Time) int {
	for i, s := range spans {
		if !t.Before(s.start) && !t.After(s.end) {
			return i
		}
	}
	return -1
}

// label is a row's packet as the ladder writes it.
func (r ladderRow) label(abs bool) string {
	p := r.pkt
	switch p.Proto {
	case capture.ProtoUDP:
		return fmt.Sprintf("UDP len=%d", p.PayloadLen)
	case capture.ProtoICMP, capture.ProtoICMPv6:
		return icmpName(p.Packet)
	}
	seq, ack := p.RelSeq, p.RelAck
	if abs {
		seq, ack = p.Seq, p.Ack
	}
	s := fmt.Sprintf("%s seq=%d", capture.FlagNames(p.Flags), seq)
	if p.Flags&capture.ACK != 0 {
		s += fmt.Sprintf(" ack=%d", ack)
	}
	if p.PayloadLen > 0 {
		s += fmt.Sprintf(" len=%d", p.PayloadLen)
	}
	return s
}

// text draws the ladder in the terminal.
func (l *ladder) text(abs bool) string {
	const margin, state, mid = 32, 13, 36
	var b strings.Builder
	pad := func(s string, n int) string {
		if utf8.RuneCountInString(s) > n {
			r := []rune(s)
			s = string(r[:n-1]) + "…"
		}
		return s + strings.Repeat(" ", n-utf8.RuneCountInString(s))
	}
	fmt.Fprintf(&b, "%s%s%s%s\n", pad("", margin), pad(l.Name+" "+l.LocalAddr, state+mid/2), strings.Repeat(" ", (mid+1)/2), l.PeerAddr)
	if l.TCP {
		fmt.Fprintf(&b, "%s%s%s %s\n", pad("", margin), pad(l.StartLocal, state), strings.Repeat(" ", mid), l.StartPeer)
	}
	for _, r := range l.Rows {
		lab := " " + r.label(abs) + " "
		n := mid - 2 - utf8.RuneCountInString(lab)
		if n < 2 {
			lab, n = " "+r.pkt.flagsOrKind()+" ", mid-2-len(r.pkt.flagsOrKind())-2
		}
		left, right := n/2, n-n/2
		var arrowText string
		if r.Dir == "out" {
			arrowText = strings.Repeat("─", left+1) + lab + strings.Repeat("─", right) + "►"
		} else {
			arrowText = "◄" + strings.Repeat("─", left) + lab + strings.Repeat("─", right+1)
		}
		fmt.Fprintf(&b, "%s %s%s %s\n", pad(r.Command, margin-1), pad(r.Local, state), arrowText, r.Peer)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (p *wirePacket) flagsOrKind() string {
	if p.Proto == capture.ProtoTCP {
		return capture.FlagNames(p.Flags)
	}
	return "UDP"
}

// svg draws the ladder as an SVG picture: one <line class="packet"> an
// arrow.
func (l *ladder) svg() string {
	const left, right, top, step, width = 260, 620, 90, 34, 820
	esc := xmlEscape
	height := top + step*(len(l.Rows)+1)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="12">`+"\n", width, height, width, height)
	b.WriteString(`<defs><marker id="head" markerWidth="10" markerHeight="8" refX="10" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="30" text-anchor="middle" font-weight="bold">%s</text>`+"\n", left, esc(l.Name+" "+l.LocalAddr))
	fmt.Fprintf(&b, `<text x="%d" y="30" text-anchor="middle" font-weight="bold">%s</text>`+"\n", right, esc(l.PeerAddr))
	if l.TCP {
		fmt.Fprintf(&b, `<text class="state" x="%d" y="55" text-anchor="end">%s</text>`+"\n", left-8, esc(l.StartLocal))
		fmt.Fprintf(&b, `<text class="state" x="%d" y="55">%s</text>`+"\n", right+8, esc(l.StartPeer))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="65" x2="%d" y2="%d" stroke="#888"/>`+"\n", left, left, height-10)
	fmt.Fprintf(&b, `<line x1="%d" y1="65" x2="%d" y2="%d" stroke="#888"/>`+"\n", right, right, height-10)
	for i, r := range l.Rows {
		y := top + step*i
		x1, x2 := left, right
		if r.Dir == "in" {
			x1, x2 = right, left
		}
		fmt.Fprintf(&b, `<line class="packet" x1="%d" y1="%d" x2="%d" y2="%d" stroke="black" marker-end="url(#head)"/>`+"\n", x1, y, x2, y+step/2)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", (left+right)/2, y+step/4-4, esc(r.label(false)))
		if r.Command != "" {
			fmt.Fprintf(&b, `<text class="command" x="8" y="%d" fill="#036">%s</text>`+"\n", y+4, esc(r.Command))
		}
		if r.Local != "" {
			fmt.Fprintf(&b, `<text class="state" x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+4, esc(r.Local))
		}
		if r.Peer != "" {
			fmt.Fprintf(&b, `<text class="state" x="%d" y="%d">%s</text>`+"\n", right+8, y+step/2+4, esc(r.Peer))
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}
