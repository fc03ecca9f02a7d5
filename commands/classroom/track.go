// How the model changes: by each event of the session (a socket's calls
// that completed, a state an event tells), and by each reading of the
// registry (a socket's row, its state as the kernel's TCP_INFO gives it,
// a closed connection followed in the kernel's TCP table until it is
// gone).
package classroom

import (
	"encoding/json"
	"errors"
	"net/netip"
	"slices"
)

// apply changes the model by one event; the caller holds h.mu.
func (h *Hub) apply(e Event) {
	switch e.Kind {
	case "command":
		c := e
		h.lastCmd = &c
		return
	case "accepted":
		// Under the listener; the new socket is in "socket". Its path
		// began in the listener's queue: a SYN came, SYN,ACK went, the
		// ACK came, and accept() took it.
		if name := e.Field("socket"); name != "" {
			s := h.sock(name)
			s.Path = ensure(s.Path, "accept()", "LISTEN", "SYN_RECEIVED", "ESTABLISHED")
		}
		return
	}
	s, ok := h.socks[e.Resource]
	if !ok && e.Kind == "created" && e.Resource != "" {
		s = h.sock(e.Resource)
		ok = true
		s.Family, s.Type = e.Field("family"), e.Field("type")
		s.TCP = s.TCP || s.Type == "SOCK_STREAM" && (s.Family == "AF_INET" || s.Family == "AF_INET6")
	}
	if !ok {
		return
	}
	switch e.Kind {
	case "created":
		if s.TCP && len(s.Path) == 0 {
			s.Path = []Step{{"CLOSED", "socket()"}}
		}
	case "listening":
		if s.TCP {
			s.Path = ensure(s.Path, "listen()", "LISTEN")
		}
	case "connected":
		s.setEnds(addrField(e, "address"), addrField(e, "peer"))
		if s.TCP {
			s.Path = ensure(s.Path, "connect()", "SYN_SENT", "ESTABLISHED")
		}
	case "connect_failed":
		if s.TCP && synSent(e) {
			s.Path = ensure(s.Path, "connect()", "SYN_SENT")
			s.Path = observe(s.Path, "CLOSED", "connect() failed")
		}
	case "closed":
		s.closed()
		if st := last(s.Path); st == "LISTEN" || st == "SYN_SENT" {
			// No connection to keep: close() ends it (RFC 9293's
			// LISTEN and SYN-SENT, CLOSE → CLOSED).
			s.Path = observe(s.Path, "CLOSED", "close()")
		}
		if v, ok := e.Fields["bytes_in"].(float64); ok {
			s.BytesIn = int64(v)
		}
		if v, ok := e.Fields["bytes_out"].(float64); ok {
			s.BytesOut = int64(v)
		}
	case "state":
		// A TCP state told by an event: the watcher's (commands/watch.go,
		// fields "from" and "to"), from TCP_INFO or, after close, from
		// the kernel's socket table.
		st := e.Field("state")
		if st == "" {
			st = e.Field("to")
		}
		s.Path = observe(s.Path, st, "the watcher")
	}
}

// synSent reports whether a failed connect had sent its SYN: refused (a
// RST came back), timed out, or given up without an errno (a timeout or
// Ctrl-C while it waited). Others (no route, an address not available)
// fail before any SYN, in CLOSED.
func synSent(e Event) bool {
	errno, ok := e.Fields["errno"].(float64)
	return !ok || errno == 111 || errno == 110 // ECONNREFUSED, ETIMEDOUT
}

// addrField is an address field ([host, port]) as HOST:PORT.
func addrField(e Event, key string) string {
	v, ok := e.Fields[key].([]any)
	if !ok || len(v) != 2 {
		return ""
	}
	host, _ := v[0].(string)
	port, _ := v[1].(float64)
	a, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return netip.AddrPortFrom(a, uint16(port)).String()
}

// sock is the socket of that name, made when new; the caller holds h.mu.
func (h *Hub) sock(name string) *Sock {
	s, ok := h.socks[name]
	if !ok {
		s = &Sock{Row: Row{Name: name, Kind: "socket"}, Open: true}
		h.socks[name] = s
		h.order = append(h.order, name)
	}
	return s
}

// setRows takes a reading of the registry: a socket's row and its state
// as the kernel says it, the sockets gone from the registry closed, the
// servers as they are. It says whether anything changed; the caller holds
// h.mu.
func (h *Hub) setRows(rows []Row) bool {
	key, _ := json.Marshal(rows)
	if string(key) == h.rowsKey {
		return false
	}
	h.rowsKey = string(key)
	h.others = h.others[:0]
	seen := map[string]bool{}
	for _, r := range rows {
		if r.Kind != "socket" {
			h.others = append(h.others, r)
			continue
		}
		seen[r.Name] = true
		s := h.sock(r.Name)
		if !s.Open || r.State == "closed" {
			continue // closed: its last row stays
		}
		s.Row = r
		if r.TCP {
			s.setEnds(r.Local, r.Remote)
			s.Path = h.observeRow(s, r)
		}
	}
	for _, name := range h.order {
		if s := h.socks[name]; s.Open && !seen[name] {
			s.closed()
		}
	}
	h.forgetClosed()
	return true
}

// observeRow adds the state the kernel gives the socket to its path:
// TCP_INFO's, unless that reads CLOSE after a FIN while the kernel's
// table still holds the connection (in TIME_WAIT, apart from the
// descriptor); the caller holds h.mu.
func (h *Hub) observeRow(s *Sock, r Row) []Step {
	if RFCState(r.State) == "CLOSED" && closing[last(s.Path)] && s.remote.IsValid() && h.opt.Lookup != nil {
		if st, err := h.opt.Lookup(s.local, s.remote); err == nil && closing[RFCState(st)] {
			return observe(s.Path, st, "the kernel's TCP table")
		}
	}
	return observe(s.Path, r.State, "TCP_INFO")
}

// followClosed asks the kernel's table about each closed socket's
// connection still followed, and says whether a path changed; the
// caller holds h.mu.
func (h *Hub) followClosed() bool {
	if h.opt.Lookup == nil {
		return false
	}
	changed := false
	for _, name := range h.order {
		s := h.socks[name]
		if s.Open || !s.follow {
			continue
		}
		n := len(s.Path)
		st, err := h.opt.Lookup(s.local, s.remote)
		switch {
		case errors.Is(err, ErrNotInTable):
			s.Path = observe(s.Path, "CLOSED", "gone from the kernel's TCP table")
			s.follow = false
		case err != nil || !closing[RFCState(st)]:
			// Unreadable, or those ends are another connection's now.
			s.follow = false
		default:
			s.Path = observe(s.Path, st, "the kernel's TCP table")
		}
		changed = changed || len(s.Path) != n
	}
	return changed
}

// forgetClosed keeps the last keepClosed closed sockets; the caller holds h.mu.
func (h *Hub) forgetClosed() {
	closed := 0
	for i := len(h.order) - 1; i >= 0; i-- {
		name := h.order[i]
		if h.socks[name].Open {
			continue
		}
		if closed++; closed > keepClosed {
			delete(h.socks, name)
			h.order = slices.Delete(h.order, i, i+1)
		}
	}
}
