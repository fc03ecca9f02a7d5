package commands

import (
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/capture"
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
