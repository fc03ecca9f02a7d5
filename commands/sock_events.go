// What the socket layer reports, as the session's events: the kinds, the
// adapter from bsd.Event, and the wiring of every socket the commands make
// (s1, g1, …) to the session's log under its registry name. They are all
// quiet: the log keeps them (for a timeline, notices, a recording) and the
// terminal prints none, since each command's own result already says what
// it did.
package commands

import (
	"net/netip"
	"sync"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// The kinds of the sockets' events, as bsd names them.
const (
	eventSockCreated       shell.EventKind = "created"
	eventSockBound         shell.EventKind = "bound"
	eventSockListening     shell.EventKind = "listening"
	eventSockConnected     shell.EventKind = "connected"
	eventSockConnectFailed shell.EventKind = "connect_failed"
	eventSockAccepted      shell.EventKind = "accepted"
	eventSockSent          shell.EventKind = "sent"
	eventSockReceived      shell.EventKind = "received"
	eventSockShutdown      shell.EventKind = "shutdown"
	eventSockPeerClosed    shell.EventKind = "peer_closed"
	eventSockPeerReset     shell.EventKind = "peer_reset"
	eventSockClosed        shell.EventKind = "closed"
)

// sockEvent is a socket's event as the session's, without the socket's
// name (sockEvents adds it). Its fields: "fd" always; "address" (the
// socket's own), "peer", "bytes", "call" and "calls" (how many calls of
// it: a gopher fetch's recvs are one event; an AF_UNIX socket's address
// and peer are a path or @name), "how", "backlog", "errno" and
// "error" where the event has them; "socket", the new socket's name, on
// accepted; "bytes_in" and "bytes_out" on closed, as a server's
// connection_closed counts them.
//
// The message and the fields are spelled when the event is read
// (shell.Event.Speller): sockSpeller keeps the bsd.Event, which nothing
// changes once reported.
func sockEvent(e bsd.Event) shell.Event {
	return shell.Event{Time: e.Time, Kind: shell.EventKind(e.Kind.String()), Quiet: true, Speller: &sockSpeller{e}}
}

// sockSpeller spells a socket's event from the bsd.Event.
type sockSpeller struct{ e bsd.Event }

func (sp *sockSpeller) SpellEvent() (string, []shell.Attr) {
	e := &sp.e
	attrs := make([]shell.Attr, 1, 5)
	attrs[0] = shell.Attr{Key: "fd", Value: e.FD}
	add := func(k string, v any) { attrs = append(attrs, shell.Attr{Key: k, Value: v}) }
	// An address is an AF_UNIX socket's path (or @name) when it has one.
	addr := func(k string, ap netip.AddrPort, path string) {
		switch {
		case ap.IsValid():
			add(k, ap)
		case path != "":
			add(k, path)
		}
	}
	switch e.Kind {
	case bsd.EventCreated:
		add("family", bsd.FamilyName(e.Socket.Family()))
		add("type", bsd.TypeName(e.Socket.Type()))
		add("call", e.Op)
		if e.Op == "fromfd" {
			add("from_fd", e.FromFD)
		}
	case bsd.EventBound:
		addr("address", e.Local, e.LocalPath)
	case bsd.EventListening:
		addr("address", e.Local, e.LocalPath)
		add("backlog", e.Backlog)
	case bsd.EventConnected, bsd.EventAccepted, bsd.EventConnectFailed:
		addr("address", e.Local, e.LocalPath)
		addr("peer", e.Peer, e.PeerPath)
	case bsd.EventSent, bsd.EventReceived:
		add("call", e.Op)
		add("bytes", e.Bytes)
		add("calls", e.Calls)
		addr("peer", e.Peer, e.PeerPath)
	case bsd.EventShutdown:
		add("how", e.How)
	case bsd.EventPeerClosed, bsd.EventPeerReset:
		add("call", e.Op)
	case bsd.EventClosed:
		add("bytes_in", e.BytesReceived)
		add("bytes_out", e.BytesSent)
	}
	if e.Err != nil {
		if errno, ok := e.Errno(); ok {
			add("errno", int(errno))
		}
		add("error", e.Err)
	}
	return e.String(), attrs
}

// sockEvents takes one session's socket events to its log: it knows the
// name each socket is registered under, and keeps what a socket reports
// before it has one (socket() reports before the registry names it; accept
// reports the new socket before it is registered) until it has.
type sockEvents struct {
	sess *shell.Session

	// report and outbound are the Config callbacks of the session's
	// sockets, made once (each is a closure or method value: a heap object).
	report   func(bsd.Event)
	outbound func(*bsd.Socket, netip.AddrPort)

	mu      sync.Mutex
	names   map[*bsd.Socket]string
	waiting map[*bsd.Socket][]waitingEvent // by the socket whose name they wait for
	// spare holds emptied waiting lists for the next socket (every new
	// socket's created and connected events wait for its name).
	spare [][]waitingEvent
}

// waitingEvent is an event that waits for a socket's name: as its
// resource, or (accepted) as its "socket" field.
type waitingEvent struct {
	ev       shell.Event
	accepted bool
}

// maxWaiting bounds the events kept for one socket without a name.
const maxWaiting = 16

var sockEventsKey = shell.NewStateKey("sockets.events", func() *sockEvents { return nil })

// sockEventsOf is the session's sockEvents, made on first use.
func sockEventsOf(sess *shell.Session) *sockEvents {
	var l *sockEvents
	sockEventsKey.With(sess, func(v **sockEvents) {
		if *v == nil {
			*v = &sockEvents{sess: sess, names: map[*bsd.Socket]string{}, waiting: map[*bsd.Socket][]waitingEvent{}}
		}
		l = *v
	})
	return l
}

// sockConfig is the bsd.Config of a socket the commands make: traced by
// tr, reporting to the session's log and to the wire.
func sockConfig(c *shell.Call, tr *bsd.Trace) bsd.Config {
	l := sockEventsOf(c.Session)
	l.mu.Lock()
	if l.report == nil {
		// The wire (wire.go) hears of each event after the log, and of the
		// peers a connect or sendto is about to reach.
		w := wireOf(c.Session)
		l.report, l.outbound = func(e bsd.Event) { l.reportEvent(e); w.socketEvent(e) }, w.outbound
	}
	report, outbound := l.report, l.outbound
	l.mu.Unlock()
	return bsd.Config{Trace: tr, Report: report, Outbound: outbound}
}

// registerSock registers a socket under the next name with prefix ("s" →
// s4, "g" → g1) and from then on reports its events under that name, the
// ones it made before first.
func registerSock(c *shell.Call, prefix string, s *bsd.Socket) string {
	name := c.Session.Register(prefix, s)
	sockEventsOf(c.Session).named(s, name)
	return name
}

// reportEvent is the sockets' bsd.Config.Report. It never waits: the
// session's Emit does not.
func (l *sockEvents) reportEvent(e bsd.Event) {
	ev := sockEvent(e)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Kind == bsd.EventAccepted {
		// Under the listener's name, once the new socket has its own.
		ev.Resource = l.names[e.Socket]
		l.wait(e.Conn, waitingEvent{ev, true})
		return
	}
	name, ok := l.names[e.Socket]
	if !ok {
		l.wait(e.Socket, waitingEvent{ev: ev})
		if e.Kind == bsd.EventClosed {
			// Closed without a name (a failed attempt of create_connection):
			// its story goes to the log as the session's own.
			l.flush(e.Socket, "")
		}
		return
	}
	ev.Resource = name
	l.sess.Emit(ev)
	if e.Kind == bsd.EventClosed {
		delete(l.names, e.Socket)
	}
}

// named records the socket's name and hands on what waited for it.
func (l *sockEvents) named(s *bsd.Socket, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !s.Closed() {
		l.names[s] = name
	}
	l.flush(s, name)
}

// wait keeps an event until s has a name; the caller holds l.mu.
func (l *sockEvents) wait(s *bsd.Socket, w waitingEvent) {
	list, ok := l.waiting[s]
	if !ok && len(l.spare) > 0 {
		list, l.spare = l.spare[len(l.spare)-1], l.spare[:len(l.spare)-1]
	}
	if len(list) < maxWaiting {
		l.waiting[s] = append(list, w)
	}
}

// maxSpare bounds the emptied lists sockEvents keeps.
const maxSpare = 8

// flush emits the events that waited for s's name; the caller holds l.mu.
func (l *sockEvents) flush(s *bsd.Socket, name string) {
	for _, w := range l.waiting[s] {
		if w.accepted && name != "" {
			w.ev = w.ev.Spelled()
			w.ev.Attrs = append(w.ev.Attrs, shell.Attr{Key: "socket", Value: name})
		} else {
			w.ev.Resource = name
		}
		l.sess.Emit(w.ev)
	}
	if list, ok := l.waiting[s]; ok && len(l.spare) < maxSpare {
		clear(list) // the emitted events are the log's now
		l.spare = append(l.spare, list[:0])
	}
	delete(l.waiting, s)
}
