// Package classroom is the live page of a session, for a projector: a
// model of what the page shows (the registry, each TCP socket's path
// through RFC 9293's state machine, the session's events), kept from the
// events and registry rows the commands hand it, and served over HTTP
// with Server-Sent Events, read-only, every asset embedded.
//
// This file holds the model's types and the TCP state machine.
package classroom

import (
	"net/netip"
	"strings"
	"time"
)

// Event is one event of the session as the page shows it: the session's
// event, with its fields as JSON values (addresses as [host, port]).
type Event struct {
	Seq      uint64         `json:"seq"`
	Time     time.Time      `json:"-"`
	T        float64        `json:"t"` // seconds since the session started
	Kind     string         `json:"kind"`
	Resource string         `json:"resource,omitempty"`
	Label    string         `json:"label,omitempty"`
	Message  string         `json:"message,omitempty"`
	Fields   map[string]any `json:"fields,omitempty"`
}

// Field returns the field key as a string ("" when absent or not one).
func (e Event) Field(key string) string {
	s, _ := e.Fields[key].(string)
	return s
}

// Row is one entry of the session's registry, as the kernel and the
// registry say it at the moment it is read.
type Row struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"` // "socket", "server" or what else the session holds
	Family   string `json:"family,omitempty"`
	Type     string `json:"type,omitempty"`
	State    string `json:"state,omitempty"` // the kernel's spelling (TCP_INFO): "ESTABLISHED", "CLOSE_WAIT"
	Notes    string `json:"notes,omitempty"` // beside the state: "shutdown wr here; peer sent FIN"
	Local    string `json:"local,omitempty"`
	Remote   string `json:"remote,omitempty"`
	BytesOut int64  `json:"bytes_out"`
	BytesIn  int64  `json:"bytes_in"`
	Waiting  int    `json:"waiting"` // bytes (a listener: connections) waiting
	Detail   string `json:"detail,omitempty"`
	TCP      bool   `json:"tcp,omitempty"`
}

// Step is one state on a TCP socket's path, and what put it there: a call
// that completed ("connect()"), the kernel's TCP_INFO read on the socket,
// or a "state" event (the watcher, the wire).
type Step struct {
	State string `json:"state"` // an RFC 9293 state, underscored: "SYN_SENT"
	By    string `json:"by"`
}

// Sock is a socket the page shows: its last registry row, whether it is
// still open, and for TCP its path through the state machine.
type Sock struct {
	Row
	Open bool   `json:"open"`
	Path []Step `json:"path,omitempty"`
	// ClosedAt is how long the path was when the socket was closed: the
	// steps after it were told since (the kernel keeps a connection
	// after its descriptor is closed).
	ClosedAt int `json:"closed_at,omitempty"`

	// The connection's ends once known, by which the kernel's table is
	// asked about it; follow: it is asked after close until the
	// connection is gone from it.
	local, remote netip.AddrPort
	follow        bool
}

// closing are the states a connection goes through after a FIN, in which
// the kernel may hold it apart from its descriptor.
var closing = map[string]bool{"FIN_WAIT_1": true, "FIN_WAIT_2": true, "CLOSING": true,
	"TIME_WAIT": true, "CLOSE_WAIT": true, "LAST_ACK": true}

// closed marks the socket closed. A TCP connection that was past CLOSED
// and LISTEN is followed in the kernel's table from then on.
func (s *Sock) closed() {
	if s.Open {
		s.Open, s.ClosedAt = false, len(s.Path)
		st := last(s.Path)
		s.follow = s.TCP && s.remote.IsValid() && st != "" && st != "CLOSED" && st != "LISTEN"
	}
	s.State, s.Waiting = "closed", 0
}

// setEnds records the connection's ends, when both are known.
func (s *Sock) setEnds(local, remote string) {
	l, lerr := netip.ParseAddrPort(local)
	r, rerr := netip.ParseAddrPort(remote)
	if lerr == nil && rerr == nil && r.Port() != 0 {
		s.local, s.remote = l, r
	}
}

// The states of RFC 9293's TCP state machine (section 3.3.2), spelled
// with underscores as ss and the kernel spell them.
var States = []string{"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
	"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"}

// Transition is one arrow of RFC 9293's Figure 5: from, to, and the
// event / action written on it.
type Transition struct {
	From, To, Label string
}

// Transitions are the arrows of RFC 9293's Figure 5.
var Transitions = []Transition{
	{"CLOSED", "LISTEN", "passive open: listen()"},
	{"CLOSED", "SYN_SENT", "active open: connect() / snd SYN"},
	{"LISTEN", "CLOSED", "close()"},
	{"LISTEN", "SYN_RECEIVED", "rcv SYN / snd SYN,ACK"},
	{"LISTEN", "SYN_SENT", "send / snd SYN"},
	{"SYN_SENT", "CLOSED", "close(), rcv RST / delete TCB"},
	{"SYN_SENT", "SYN_RECEIVED", "rcv SYN / snd ACK"},
	{"SYN_SENT", "ESTABLISHED", "rcv SYN,ACK / snd ACK"},
	{"SYN_RECEIVED", "ESTABLISHED", "rcv ACK of SYN"},
	{"SYN_RECEIVED", "FIN_WAIT_1", "close() / snd FIN"},
	{"ESTABLISHED", "FIN_WAIT_1", "close() / snd FIN"},
	{"ESTABLISHED", "CLOSE_WAIT", "rcv FIN / snd ACK"},
	{"FIN_WAIT_1", "FIN_WAIT_2", "rcv ACK of FIN"},
	{"FIN_WAIT_1", "CLOSING", "rcv FIN / snd ACK"},
	{"FIN_WAIT_2", "TIME_WAIT", "rcv FIN / snd ACK"},
	{"CLOSING", "TIME_WAIT", "rcv ACK of FIN"},
	{"CLOSE_WAIT", "LAST_ACK", "close() / snd FIN"},
	{"LAST_ACK", "CLOSED", "rcv ACK of FIN"},
	{"TIME_WAIT", "CLOSED", "timeout = 2 MSL"},
}

// RFCState is the RFC 9293 name of a state as the kernel, ss or an event
// spells it ("FIN_WAIT1", "SYN_RECV", "CLOSE", "fin-wait-1"); "" for what
// is no TCP state ("closed" of a closed descriptor, "UNCONN", "?").
func RFCState(s string) string {
	if s == "closed" { // the descriptor's, not TCP's
		return ""
	}
	u := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	switch u {
	case "CLOSE":
		return "CLOSED"
	case "SYN_RECV", "NEW_SYN_RECV", "SYN_RCVD":
		return "SYN_RECEIVED"
	case "FIN_WAIT1":
		return "FIN_WAIT_1"
	case "FIN_WAIT2":
		return "FIN_WAIT_2"
	}
	for _, st := range States {
		if u == st {
			return u
		}
	}
	return ""
}

// last is the path's current state ("" when empty).
func last(p []Step) string {
	if len(p) == 0 {
		return ""
	}
	return p[len(p)-1].State
}

// observe appends a state read from the kernel (or told by an event) when
// it differs from the path's current one.
func observe(p []Step, state, by string) []Step {
	st := RFCState(state)
	if st == "" || st == last(p) {
		return p
	}
	return append(p, Step{st, by})
}

// lastClosed is the index of the path's last CLOSED step (-1: none): the
// start of the connection now in the path.
func lastClosed(p []Step) int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].State == "CLOSED" {
			return i
		}
	}
	return -1
}

// ensure makes the states follow one another, in order, after the last
// CLOSED: a call that completed went through them, whether or not a read
// of the kernel caught each (a connect to loopback is over before any
// read). A state already there after its predecessor is kept where it is.
func ensure(p []Step, by string, states ...string) []Step {
	at := lastClosed(p) + 1
	for _, st := range states {
		found := -1
		for i := at; i < len(p); i++ {
			if p[i].State == st {
				found = i
				break
			}
		}
		if found >= 0 {
			at = found + 1
			continue
		}
		p = append(p[:at], append([]Step{{st, by}}, p[at:]...)...)
		at++
	}
	return p
}
