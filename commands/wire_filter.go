package commands

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/capture"
)

// The kernel filter of the wire: the session's endpoints as sockets come and go, and the peer a connect or sendto is about to reach.

// outbound is the sockets' bsd.Config.Outbound: a connect or sendto is
// about to reach peer, so the filter lets that peer's packets through.
func (w *wire) outbound(s *bsd.Socket, peer netip.AddrPort) {
	if !w.enabled.Load() {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.on {
		return
	}
	ws := w.sockLocked(s)
	if ws.proto == 0 || ws.local.IsValid() && ws.local.Port() != 0 && !ws.local.Addr().IsUnspecified() {
		return // its own address lets its packets through already
	}
	ws.pending[netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port())] = true
	w.updateFilterLocked()
}

// socketEvent follows a socket's event: its addresses, its end; then
// reads the rings through. The filter is worked out again only when the
// event changed an endpoint (a send or a receive on a connected socket,
// most of a bulk transfer's events, changes none).
func (w *wire) socketEvent(e bsd.Event) {
	if !w.enabled.Load() {
		return
	}
	w.mu.Lock()
	if !w.on {
		w.mu.Unlock()
		return
	}
	ws := w.sockLocked(e.Socket)
	local, pending := ws.local, len(ws.pending)
	changed, handshake := false, false
	switch e.Kind {
	case bsd.EventBound, bsd.EventListening:
		ws.local = e.Local
	case bsd.EventConnected:
		ws.local, ws.peer = e.Local, e.Peer
		if ws.proto == capture.ProtoTCP {
			clear(ws.pending)
			handshake = true
		}
	case bsd.EventConnectFailed:
		// Its RST is in the ring already: the next connect says again.
		if ws.proto == capture.ProtoTCP {
			w.mu.Unlock()
			w.sync(ws)
			w.mu.Lock()
			clear(ws.pending)
		}
	case bsd.EventAccepted:
		c := w.sockLocked(e.Conn)
		c.local, c.peer = e.Local, e.Peer
		changed = true
	case bsd.EventSent, bsd.EventReceived:
		if ws.proto != 0 && (!ws.local.IsValid() || ws.local.Port() == 0) {
			if in := e.Socket.Info(); in.HasLocal {
				ws.local = in.Local.AddrPort
			}
		}
		if len(ws.pending) > 0 && ws.local.IsValid() && ws.local.Port() != 0 && !ws.local.Addr().IsUnspecified() {
			// Its own address lets its datagrams and their answers through.
			clear(ws.pending)
		}
	case bsd.EventClosed:
		ws.closed = time.Now() // its endpoint stays closedLinger
	}
	if changed || ws.local != local || len(ws.pending) != pending {
		w.updateFilterLocked()
	}
	w.mu.Unlock()
	if handshake {
		handshakeDone(e.Socket) // its last ACK is in the ring now (wire_boundary.go)
	}
	w.sync(ws)
}

// endpoints are what the kernel filters take now.
func (w *wire) endpointsLocked(now time.Time) []capture.Endpoint {
	var eps []capture.Endpoint
	seen := map[capture.Endpoint]bool{}
	add := func(e capture.Endpoint) {
		if !seen[e] {
			seen[e] = true
			eps = append(eps, e)
		}
	}
	for s, ws := range w.socks {
		if !ws.closed.IsZero() && now.Sub(ws.closed) > closedLinger {
			delete(w.socks, s)
			continue
		}
		if ws.proto == 0 {
			continue
		}
		if ws.local.IsValid() && ws.local.Port() != 0 {
			a := ws.local.Addr().Unmap()
			if a.IsUnspecified() {
				a = netip.Addr{}
			}
			add(capture.Endpoint{Proto: ws.proto, Addr: a, Port: ws.local.Port()})
		}
		for p := range ws.pending {
			add(capture.Endpoint{Proto: ws.proto, Addr: p.Addr(), Port: p.Port()})
		}
	}
	slices.SortFunc(eps, func(a, b capture.Endpoint) int {
		return cmp.Or(cmp.Compare(a.Proto, b.Proto), a.Addr.Compare(b.Addr), cmp.Compare(a.Port, b.Port))
	})
	return eps
}

// updateFilterLocked gives the kernel filters the endpoints of now, and
// opens the capture on an interface a socket's address is on.
func (w *wire) updateFilterLocked() {
	eps := w.endpointsLocked(time.Now())
	for _, e := range eps {
		if !e.Addr.IsValid() || e.Addr.IsLoopback() {
			continue
		}
		if idx, name, ok := capture.InterfaceOf(e.Addr); ok && w.ifaces[idx] == nil {
			if h, err := capture.Open(idx, false); err == nil {
				w.ifaces[idx] = &wireIface{h: h, name: name, parser: capture.NewParser()}
				w.filterSet = false // the new one has none yet
			}
		}
	}
	if w.filterSet && slices.Equal(eps, w.filter) {
		return
	}
	w.filterErr = nil
	for _, i := range w.ifaces {
		if err := i.h.SetFilter(eps); err != nil {
			w.filterErr = err
		}
	}
	w.filter, w.filterSet = eps, true
}
