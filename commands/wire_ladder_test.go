package commands

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os/exec"

	"github.com/sockshell/sockshell/commands/capture"
	"github.com/sockshell/sockshell/shell/testenv"
)

// The state machine on the exchanges of RFC 9293's figures: both sides'
// states after each segment, the sender's and the receiver's.
func TestTCPStateMachine(t *testing.T) {
	type seg struct {
		fromA    bool
		flags    uint8
		seq, ack uint32
		want     string // A's state / B's state after it
	}
	const S, A, F, R = capture.SYN, capture.ACK, capture.FIN, capture.RST
	for _, c := range []struct {
		name string
		segs []seg
	}{
		{"open and active close", []seg{
			{true, S, 100, 0, "SYN_SENT/SYN_RECEIVED"},
			{false, S | A, 300, 101, "ESTABLISHED/SYN_RECEIVED"},
			{true, A, 101, 301, "ESTABLISHED/ESTABLISHED"},
			{true, F | A, 101, 301, "FIN_WAIT_1/CLOSE_WAIT"},
			{false, A, 301, 102, "FIN_WAIT_2/CLOSE_WAIT"},
			{false, F | A, 301, 102, "TIME_WAIT/LAST_ACK"},
			{true, A, 102, 302, "TIME_WAIT/CLOSED"},
		}},
		{"simultaneous close", []seg{
			{true, F | A, 101, 301, "FIN_WAIT_1/CLOSE_WAIT"},
			{false, F | A, 301, 101, "CLOSING/LAST_ACK"},
			{true, A, 102, 302, "CLOSING/CLOSED"},
			{false, A, 302, 102, "TIME_WAIT/CLOSED"},
		}},
		{"refused", []seg{
			{true, S, 100, 0, "SYN_SENT/CLOSED"},
			{false, R | A, 0, 101, "CLOSED/CLOSED"},
		}},
		{"open reset by the opener", []seg{
			{true, S, 100, 0, "SYN_SENT/SYN_RECEIVED"},
			{false, S | A, 300, 101, "ESTABLISHED/SYN_RECEIVED"},
			{true, R, 101, 0, "CLOSED/LISTEN"},
		}},
		{"reset when established", []seg{
			{false, R | A, 301, 101, "CLOSED/CLOSED"},
		}},
	} {
		a, b := tcpSide{state: tcpClosed}, tcpSide{state: tcpListen, passive: true}
		switch {
		case c.name == "refused":
			b = tcpSide{state: tcpClosed}
		case !strings.HasPrefix(c.name, "open"):
			a.state, b.state = tcpEstablished, tcpEstablished
		}
		for i, sg := range c.segs {
			p := &capture.Packet{Flags: sg.flags, Seq: sg.seq, Ack: sg.ack}
			if sg.fromA {
				a.send(p)
				b.receive(p)
			} else {
				b.send(p)
				a.receive(p)
			}
			if got := a.state + "/" + b.state; got != sg.want {
				t.Errorf("%s, segment %d (%s): %s, want %s", c.name, i+1, capture.FlagNames(sg.flags), got, sg.want)
			}
		}
	}
}

// The lines of the example, from packets with those fields:
// relative numbers, the window and options on SYNs only, a pure ACK
// without seq but for the one that ends the handshake.
func TestWireLines(t *testing.T) {
	tm := newTerm(t)
	w := wireOf(tm.Session)
	me, peer := netip.MustParseAddrPort("127.0.0.1:40000"), netip.MustParseAddrPort("127.0.0.1:7007")
	ws := &wireSock{name: "s1", proto: capture.ProtoTCP, local: me, peer: peer}
	opts := []string{"mss 65495", "sackOK", "TS", "wscale 7"}
	const isn, pisn = 3000000000, 12345
	for _, c := range []struct {
		out        bool
		flags      uint8
		seq, ack   uint32
		win        uint16
		opts       []string
		data, want string
	}{
		{true, capture.SYN, isn, 0, 65495, opts, "", "→ SYN        seq=0 win=65495 <mss 65495,sackOK,TS,wscale 7>"},
		{false, capture.SYN | capture.ACK, pisn, isn + 1, 65483, opts, "", "← SYN,ACK    seq=0 ack=1 win=65483 <mss 65495,sackOK,TS,wscale 7>"},
		{true, capture.ACK, isn + 1, pisn + 1, 512, nil, "", "→ ACK        seq=1 ack=1"},
		{true, capture.PSH | capture.ACK, isn + 1, pisn + 1, 512, nil, "hello\r\n", `→ PSH,ACK    seq=1 ack=1 len=7  b'hello\r\n'`},
		{false, capture.ACK, pisn + 1, isn + 8, 512, nil, "", "← ACK        ack=8"},
		{false, capture.PSH | capture.ACK, pisn + 1, isn + 8, 512, nil, strings.Repeat("\x1b[2J", 20), `← PSH,ACK    seq=1 ack=8 len=80  b'\x1b[2J\x1b[2J\x1b[2J\x1b[2J'…`},
	} {
		p := &capture.Packet{Proto: capture.ProtoTCP, Src: me, Dst: peer, Flags: c.flags, Seq: c.seq, Ack: c.ack, Win: c.win,
			Options: c.opts, PayloadLen: len(c.data), Payload: []byte(c.data)}
		dir := "out"
		if !c.out {
			p.Src, p.Dst, dir = peer, me, "in"
		}
		wp := &wirePacket{Packet: p, Sock: "s1", sock: ws, Dir: dir}
		w.mu.Lock()
		w.showLocked(wp)
		w.mu.Unlock()
		if wp.Line != c.want {
			t.Errorf("line\n got %s\nwant %s", wp.Line, c.want)
		}
	}
}

// wire completes its words: on, off, save, the sockets; a FILE after save
// and after --svg.
func TestWireCompletes(t *testing.T) {
	tm := newTerm(t)
	tm.MustExec("socket tcp")
	got, _ := tm.Session.Complete("wire ")
	for _, w := range []string{"on", "off", "save", "s1"} {
		if !slices.Contains(got, w) {
			t.Errorf("wire <Tab> lacks %q: %q", w, got)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "trace.pcap"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"wire save " + dir + "/tr", "wire s1 --svg " + dir + "/tr"} {
		if got, _ := tm.Session.Complete(line); !slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, "trace.pcap") }) {
			t.Errorf("%s<Tab>: %q", line, got)
		}
	}
}

// lastStates are each side's state at the end of a ladder.
func lastStates(l *ladder) (local, peer string) {
	local, peer = l.StartLocal, l.StartPeer
	for _, r := range l.Rows {
		if r.Local != "" {
			local = r.Local
		}
		if r.Peer != "" {
			peer = r.Peer
		}
	}
	return local, peer
}

// ssConnState is the kernel's state of the connection between two loopback
// ports, as ss names it ("ESTAB", "TIME-WAIT"), "" when there is none.
func ssConnState(t *testing.T, ss string, local, peer int) string {
	t.Helper()
	out, err := exec.Command(ss, "-tanH", "src", fmt.Sprintf("127.0.0.1:%d", local), "dst", fmt.Sprintf("127.0.0.1:%d", peer)).CombinedOutput()
	if err != nil {
		t.Fatalf("ss: %v %s", err, out)
	}
	if f := strings.Fields(string(out)); len(f) > 0 {
		return f[0]
	}
	return ""
}

// The ladder's states are derived from the packets by RFC 9293's state
// machine, and true: where the kernel still has the connection, ss says
// the same state (ESTABLISHED after connect; TIME_WAIT once this side
// shut down its writing half and the peer closed). The SVG is well-formed
// XML with one arrow a packet.
func TestWireLadderStates(t *testing.T) {
	ssBin := testenv.NeedPeer(t, "iproute2", "ss")
	ss := wireSession(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	w := wireOf(ss.Session)
	lport := int(ss.sock("s1").Info().Local.Port())
	lad, err := w.ladderOf(ss.Session, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if l, p := lastStates(lad); l != tcpEstablished || p != tcpEstablished {
		t.Errorf("after connect the ladder says %s / %s, want ESTABLISHED on both sides", l, p)
	}
	if k := ssConnState(t, ssBin, lport, port); k != "ESTAB" {
		t.Errorf("ss says %q after connect", k)
	}
	ss.MustExec(`send s1 "hello\r\n"`)
	ss.MustExec("recv s1 100")
	ss.MustExec("shutdown s1 wr")
	if got := ss.MustExec("recv s1 100"); !strings.Contains(got, "b''") {
		t.Fatalf("the echo server did not close: %q", got)
	}
	lad, err = w.ladderOf(ss.Session, "s1")
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, r := range lad.Rows {
		if r.Local != "" {
			states = append(states, r.Local)
		}
	}
	if got, want := strings.Join(states, " "), "SYN_SENT ESTABLISHED FIN_WAIT_1"; !strings.HasPrefix(got, want) {
		t.Errorf("this side went %s, want %s … TIME_WAIT", got, want)
	}
	if l, p := lastStates(lad); l != tcpTimeWait || p != tcpClosed {
		t.Errorf("at the end the ladder says %s / %s, want TIME_WAIT / CLOSED", l, p)
	}
	if k := ssConnState(t, ssBin, lport, port); k != "TIME-WAIT" {
		t.Errorf("ss says %q at the end, the ladder TIME_WAIT", k)
	}
	text := ss.MustExec("wire s1")
	for _, want := range []string{"SYN_SENT", "TIME_WAIT", fmt.Sprintf("connect s1 127.0.0.1 %d", port), "shutdown s1 wr", "► "} {
		if !strings.Contains(text, want) {
			t.Errorf("wire s1 lacks %q:\n%s", want, text)
		}
	}
	svgFile := filepath.Join(t.TempDir(), "s1.svg")
	ss.MustExec("wire s1 --svg " + svgFile)
	data, err := os.ReadFile(svgFile)
	if err != nil {
		t.Fatal(err)
	}
	arrows := 0
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "line" {
			for _, a := range el.Attr {
				if a.Name.Local == "class" && a.Value == "packet" {
					arrows++
				}
			}
		}
	}
	packets := 0
	for _, e := range ss.Session.Events().Recent(0) {
		if e.Kind == eventPacket && e.Resource == "s1" {
			packets++
		}
	}
	if arrows != packets || packets < 8 {
		t.Errorf("the SVG has %d arrows, s1 %d packets", arrows, packets)
	}
	ss.AssertExecError("wire s1 --svg "+svgFile, "FileExistsError")
	ss.AssertExecError("wire s9", "NameError")
}
