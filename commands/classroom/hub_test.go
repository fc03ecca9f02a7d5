package classroom

import (
	"strings"
	"testing"
)

// TestHubStream: a follower gets the whole state first, then one delta a
// change with the next revision as its id; one that falls behind is
// dropped (its stream ends, and a browser reconnects).
func TestHubStream(t *testing.T) {
	h := NewHub(Options{})
	h.Add(Event{Seq: 1, Kind: "command", Fields: map[string]any{"line": "socket tcp"}})
	c, first := h.follow(DefaultLimits.MaxFollowers)
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
