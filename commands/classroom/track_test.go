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
