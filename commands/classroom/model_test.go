package classroom

import (
	"strings"
	"testing"
)

func pathText(p []Step) string {
	var s []string
	for _, st := range p {
		s = append(s, st.State)
	}
	return strings.Join(s, " ")
}

// TestRFCState: the kernel's and ss's spellings are RFC 9293's states;
// what is no TCP state is none.
func TestRFCState(t *testing.T) {
	for in, want := range map[string]string{
		"CLOSE": "CLOSED", "SYN_RECV": "SYN_RECEIVED", "NEW_SYN_RECV": "SYN_RECEIVED", "FIN_WAIT1": "FIN_WAIT_1",
		"FIN_WAIT2": "FIN_WAIT_2", "TIME-WAIT": "TIME_WAIT", "time_wait": "TIME_WAIT", "LISTEN": "LISTEN",
		"closed": "", "UNCONN": "", "?": "", "state 13": "",
	} {
		if got := RFCState(in); got != want {
			t.Errorf("RFCState(%q) = %q, want %q", in, got, want)
		}
	}
	// Every arrow joins two of the eleven states.
	for _, tr := range Transitions {
		if RFCState(tr.From) != tr.From || RFCState(tr.To) != tr.To {
			t.Errorf("transition %v names no state", tr)
		}
	}
	if len(States) != 11 {
		t.Errorf("%d states, RFC 9293 has 11", len(States))
	}
}

// TestHubPaths: the path a socket's events and the kernel's readings
// give, whichever comes first: a connect that a reading caught already
// ESTABLISHED still went through SYN_SENT; an accepted socket came from
// the listener's queue.
func TestHubPaths(t *testing.T) {
	// A socket's events come once it is registered (commands/sock_events.go).
	rows := []Row{{Name: "s1", Kind: "socket", TCP: true, State: "CLOSE"}}
	h := NewHub(Options{Poll: func() []Row { return rows }})
	created := Event{Seq: 1, Kind: "created", Resource: "s1", Fields: map[string]any{"family": "AF_INET", "type": "SOCK_STREAM"}}
	h.Add(created)
	rows = []Row{{Name: "s1", Kind: "socket", TCP: true, State: "ESTABLISHED", Local: "127.0.0.1:5000", Remote: "127.0.0.1:7"},
		{Name: "s2", Kind: "socket", TCP: true, State: "ESTABLISHED"}}
	h.Refresh()
	h.Add(Event{Seq: 2, Kind: "connected", Resource: "s1"})
	h.Add(created) // already taken: skipped
	rows[0].State = "CLOSE_WAIT"
	h.Add(Event{Seq: 3, Kind: "accepted", Resource: "l1", Fields: map[string]any{"socket": "s2"}})
	st := h.State()
	if len(st.Sockets) != 2 {
		t.Fatalf("sockets %+v", st.Sockets)
	}
	if got := pathText(st.Sockets[0].Path); got != "CLOSED SYN_SENT ESTABLISHED CLOSE_WAIT" {
		t.Errorf("s1's path: %s", got)
	}
	if got := pathText(st.Sockets[1].Path); got != "LISTEN SYN_RECEIVED ESTABLISHED" {
		t.Errorf("s2's path: %s", got)
	}
	if len(st.Events) != 3 {
		t.Errorf("%d events kept, want 3 (one twice)", len(st.Events))
	}
	// Gone from the registry: closed, its last row kept.
	rows = nil
	h.Refresh()
	s1 := h.State().Sockets[0]
	if s1.Open || s1.State != "closed" || s1.Remote != "127.0.0.1:7" || s1.ClosedAt != 4 {
		t.Errorf("s1 after it left the registry: %+v", s1)
	}
	// A state told by an event after close (the watcher) goes on the path.
	h.Add(Event{Seq: 4, Kind: "state", Resource: "s1", Fields: map[string]any{"state": "LAST-ACK"}})
	if got := pathText(h.State().Sockets[0].Path); got != "CLOSED SYN_SENT ESTABLISHED CLOSE_WAIT LAST_ACK" {
		t.Errorf("s1's path after a state event: %s", got)
	}
}

// TestHubListenerClosed: close() of a listener ends in CLOSED at once
// (there is no connection for the kernel to keep).
func TestHubListenerClosed(t *testing.T) {
	rows := []Row{{Name: "s1", Kind: "socket", TCP: true, State: "LISTEN"}}
	h := NewHub(Options{Poll: func() []Row { return rows }})
	h.Add(Event{Seq: 1, Kind: "created", Resource: "s1", Fields: map[string]any{"family": "AF_INET6", "type": "SOCK_STREAM"}},
		Event{Seq: 2, Kind: "listening", Resource: "s1"})
	rows = nil
	h.Add(Event{Seq: 3, Kind: "closed", Resource: "s1"})
	s1 := h.State().Sockets[0]
	if got := pathText(s1.Path); got != "CLOSED LISTEN CLOSED" || s1.Open || s1.ClosedAt != 2 {
		t.Errorf("a closed listener: %s %+v", got, s1)
	}
}

// TestHubStream: a follower gets the whole state first, then one delta a
// change with the next revision as its id; one that falls behind is
// dropped (its stream ends, and a browser reconnects).
func TestHubStream(t *testing.T) {
	h := NewHub(Options{})
	h.Add(Event{Seq: 1, Kind: "command", Fields: map[string]any{"line": "socket tcp"}})
	c, first := h.follow()
	if !strings.HasPrefix(string(first), "event: snapshot\nid: 1\ndata: {") {
		t.Fatalf("first message %q", first)
	}
	h.Add(Event{Seq: 2, Kind: "notice", Message: "x"})
	if d := string(<-c.ch); !strings.HasPrefix(d, "event: delta\nid: 2\ndata: {\"rev\":2,\"events\":[{\"seq\":2") {
		t.Errorf("delta %q", d)
	}
	for i := range clientBuffer + 1 {
		h.Add(Event{Seq: uint64(3 + i), Kind: "notice"})
	}
	n := 0
	for range c.ch {
		n++
	}
	if n != clientBuffer || h.Followers() != 0 {
		t.Errorf("a follower behind by %d got %d and is still followed: %v", clientBuffer+1, n, h.Followers() != 0)
	}
}
