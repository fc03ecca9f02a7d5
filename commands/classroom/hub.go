// The hub: the page's model, kept from the session's events and the
// registry rows read after each (and now and then between them), and the
// browsers that follow it. Each change is one delta with the next
// revision; a browser that connects gets the whole state first. A browser
// that falls behind is dropped (its EventSource reconnects and gets the
// whole state again), so no browser ever makes the session wait.
package classroom

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"
)

// KeepEvents is how many of the last events the page keeps and shows.
const KeepEvents = 500

// keepClosed is how many closed sockets the page keeps showing.
const keepClosed = 16

// clientBuffer is how many deltas a browser may be behind before it is
// dropped.
const clientBuffer = 256

// Options say what the hub reads and how the page introduces itself.
type Options struct {
	// Poll reads the registry now: every socket and server. It is called
	// from the goroutines of the hub's callers, one call at a time.
	Poll func() []Row
	// Started is the session's start, the zero of the events' times.
	Started time.Time
	// Address is where the page is served ("" for a snapshot); Network,
	// that it is visible beyond this machine.
	Address string
	Network bool
	// Lookup asks the kernel's TCP table for a connection by its ends
	// (the view command asks sock_diag); nil: never asked.
	Lookup func(local, remote netip.AddrPort) (string, error)
}

// Hub is the page's model and its followers.
type Hub struct {
	opt Options

	// pollMu makes each reading of the registry and its taking one step,
	// so an older reading never lands after a newer one.
	pollMu  sync.Mutex
	mu      sync.Mutex
	rev     uint64
	events  []Event // the last KeepEvents, oldest first
	earlier int     // events no longer kept
	lastSeq uint64
	socks   map[string]*Sock
	order   []string // socket names in the order first seen
	others  []Row    // servers and whatever else is not a socket
	lastCmd *Event
	missed  uint64 // events the session's log could not hand the hub
	rowsKey string // the last rows read, to tell a change
	clients map[*client]struct{}
}

type client struct {
	ch chan []byte // deltas, as SSE messages; closed when dropped
}

// NewHub makes an empty model.
func NewHub(o Options) *Hub {
	return &Hub{opt: o, socks: map[string]*Sock{}, clients: map[*client]struct{}{}}
}

// State is what the page shows, whole: the snapshot a browser gets first
// and the data of a snapshot file.
type State struct {
	Rev     uint64       `json:"rev"`
	Address string       `json:"address,omitempty"`
	Network bool         `json:"network"`
	Started string       `json:"started"`
	Events  []Event      `json:"events"`
	Earlier int          `json:"earlier"` // events before the ones kept
	Missed  uint64       `json:"missed"`  // events the page missed
	Sockets []Sock       `json:"sockets"`
	Servers []Row        `json:"servers"`
	LastCmd *Event       `json:"last_command"`
	States  []string     `json:"states"`
	Edges   []Transition `json:"transitions"`
}

// Delta is one change: the new events, and the rest of the state as it is
// now.
type Delta struct {
	Rev     uint64  `json:"rev"`
	Events  []Event `json:"events"`
	Earlier int     `json:"earlier"`
	Missed  uint64  `json:"missed"`
	Sockets []Sock  `json:"sockets"`
	Servers []Row   `json:"servers"`
	LastCmd *Event  `json:"last_command"`
}

// Add takes new events (in the log's order; one already taken is
// skipped), reads the registry, and tells the followers.
func (h *Hub) Add(evs ...Event) {
	h.pollMu.Lock()
	defer h.pollMu.Unlock()
	rows := h.poll()
	h.mu.Lock()
	defer h.mu.Unlock()
	var fresh []Event
	for _, e := range evs {
		if e.Seq != 0 && e.Seq <= h.lastSeq {
			continue
		}
		h.lastSeq = max(h.lastSeq, e.Seq)
		if e.T == 0 && !e.Time.IsZero() && !h.opt.Started.IsZero() {
			e.T = e.Time.Sub(h.opt.Started).Seconds()
		}
		h.apply(e)
		fresh = append(fresh, e)
	}
	h.events = append(h.events, fresh...)
	if over := len(h.events) - KeepEvents; over > 0 {
		h.events = slices.Delete(h.events, 0, over)
		h.earlier += over
	}
	changed := h.setRows(rows)
	changed = h.followClosed() || changed
	if len(fresh) > 0 || changed {
		h.publish(fresh)
	}
}

// Refresh reads the registry and tells the followers if it changed.
func (h *Hub) Refresh() { h.Add() }

// SetMissed records how many events the session's log could not hand the
// hub (its subscription's buffer was full); the page says so.
func (h *Hub) SetMissed(n uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n != h.missed {
		h.missed = n
		h.publish(nil)
	}
}

func (h *Hub) poll() []Row {
	if h.opt.Poll == nil {
		return nil
	}
	return h.opt.Poll()
}

// sockets lists the sockets shown; the caller holds h.mu.
func (h *Hub) sockets() []Sock {
	out := make([]Sock, 0, len(h.order))
	for _, name := range h.order {
		s := *h.socks[name]
		s.Path = slices.Clone(s.Path)
		out = append(out, s)
	}
	return out
}

// State returns the whole state.
func (h *Hub) State() State {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state()
}

func (h *Hub) state() State {
	st := State{Rev: h.rev, Address: h.opt.Address, Network: h.opt.Network,
		Events: slices.Clone(h.events), Earlier: h.earlier, Missed: h.missed,
		Sockets: h.sockets(), Servers: slices.Clone(h.others), LastCmd: h.lastCmd,
		States: States, Edges: Transitions}
	if !h.opt.Started.IsZero() {
		st.Started = h.opt.Started.Format(time.RFC3339)
	}
	if st.Events == nil {
		st.Events = []Event{}
	}
	if st.Servers == nil {
		st.Servers = []Row{}
	}
	return st
}

// publish makes the next revision and hands its delta to every follower;
// one whose buffer is full is dropped. The caller holds h.mu.
func (h *Hub) publish(fresh []Event) {
	h.rev++
	if len(h.clients) == 0 {
		return
	}
	if fresh == nil {
		fresh = []Event{}
	}
	d := Delta{Rev: h.rev, Events: fresh, Earlier: h.earlier, Missed: h.missed,
		Sockets: h.sockets(), Servers: slices.Clone(h.others), LastCmd: h.lastCmd}
	if d.Servers == nil {
		d.Servers = []Row{}
	}
	msg := sseMessage("delta", h.rev, d)
	for c := range h.clients {
		select {
		case c.ch <- msg:
		default:
			h.dropClient(c)
		}
	}
}

// follow adds a follower and returns the whole state as its first
// message; nil when limit follow already.
func (h *Hub) follow(limit int) (*client, []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.clients) >= limit {
		return nil, nil
	}
	c := &client{ch: make(chan []byte, clientBuffer)}
	h.clients[c] = struct{}{}
	return c, sseMessage("snapshot", h.rev, h.state())
}

// unfollow removes a follower (it may have been dropped already).
func (h *Hub) unfollow(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropClient(c)
}

// dropClient ends a follower's stream; the caller holds h.mu.
func (h *Hub) dropClient(c *client) {
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c.ch)
	}
}

// closeAll ends every follower's stream.
func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		h.dropClient(c)
	}
}

// Followers is how many browsers follow the page now.
func (h *Hub) Followers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// sseMessage is one Server-Sent Events message: its event name, its id
// (the revision) and its data, JSON on one line.
func sseMessage(event string, id uint64, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		data = []byte(`{}`)
	}
	msg := make([]byte, 0, len(data)+48)
	msg = append(msg, "event: "+event+"\nid: "...)
	msg = strconv.AppendUint(msg, id, 10)
	msg = append(msg, "\ndata: "...)
	msg = append(msg, data...)
	return append(msg, "\n\n"...)
}
