package classroom

import (
	"fmt"
	"testing"
)

// BenchmarkHubAdd: one event into the model with the registry read and
// its delta made for one browser, as `view` does for each event alone
// (a burst is one Add).
func BenchmarkHubAdd(b *testing.B) {
	rows := []Row{
		{Name: "s1", Kind: "socket", TCP: true, State: "ESTABLISHED", Local: "127.0.0.1:5000", Remote: "127.0.0.1:7"},
		{Name: "s2", Kind: "socket", State: "UNCONN"},
		{Name: "echo1", Kind: "server", Local: "127.0.0.1:7", Detail: "1 connection"},
	}
	h := NewHub(Options{Poll: func() []Row { return rows }})
	c, _ := h.follow(DefaultLimits.MaxFollowers)
	go func() {
		for range c.ch {
		}
	}()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		rows[0].BytesOut = int64(i)
		h.Add(Event{Seq: uint64(i + 1), Kind: "sent", Resource: "s1", Message: fmt.Sprint("sent ", i),
			Fields: map[string]any{"bytes": float64(5), "call": "send"}})
	}
	h.unfollow(c)
}
