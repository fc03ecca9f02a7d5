// This file holds Event: what happens to a socket, as data, handed to the
// callback the socket carries (Config.Report), and Config, which gives a
// socket its trace and that callback when it is made.

package bsd

import (
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/sockshell/sockshell/shell/pyerr"
	"golang.org/x/sys/unix"
)

// Config is what a socket is made with besides its family and type: the
// trace that records its system calls and the callback its events go to.
// The zero Config makes a socket that is neither traced nor reported.
type Config struct {
	Trace *Trace
	// Report, if not nil, is called with each event of the socket, on the
	// goroutine of the call that made it, before that call returns. It
	// must not block. A socket accepted on a listening socket reports to
	// the listener's callback.
	Report func(Event)
	// Outbound, if not nil, is called before a call that may put a
	// packet on the wire to a peer before the socket has reported its own
	// address: a connect (its SYN) and a sendto. A packet capture learns
	// from it what to let through; it must not block.
	Outbound func(s *Socket, peer netip.AddrPort)
}

// New makes a real, unconnected socket as the package's New does, with
// the config's trace and callback; its first event is EventCreated.
func (c Config) New(family, sotype int) (*Socket, error) {
	proto := defaultProto(family, sotype)
	fd, err := sysSocket(c.Trace, family, sotype, proto)
	if err != nil {
		return nil, opError("socket", "", err)
	}
	s, err := newSocket(fd, family, sotype, proto, c.Trace)
	if err != nil {
		return nil, err
	}
	s.report, s.outbound = c.Report, c.Outbound
	s.emit(Event{Kind: EventCreated, Op: "socket", FromFD: -1})
	return s, nil
}

// EventKind says what happened to a socket.
type EventKind int

const (
	EventCreated       EventKind = iota + 1 // socket() or fromfd made it: Op, FromFD
	EventBound                              // bind succeeded: Local, the address the kernel gave
	EventListening                          // listen succeeded: Local, Backlog
	EventConnected                          // connect succeeded: Peer, Local
	EventConnectFailed                      // connect failed with an errno: Peer, Err
	EventAccepted                           // accept returned a connection: Conn, Peer, Local (Conn's)
	EventSent                               // one send call (however many system calls it made): Op, Bytes
	EventReceived                           // one recv call: Op, Bytes (0: recv returned b'')
	EventShutdown                           // shutdown succeeded: How
	EventPeerClosed                         // a recv returned b'' because the peer's FIN had arrived
	EventPeerReset                          // a call failed because the peer reset the connection: Op, Err
	EventClosed                             // Close: BytesSent, BytesReceived, the counters at the end
)

var eventKindNames = map[EventKind]string{EventCreated: "created", EventBound: "bound",
	EventListening: "listening", EventConnected: "connected", EventConnectFailed: "connect_failed",
	EventAccepted: "accepted", EventSent: "sent", EventReceived: "received", EventShutdown: "shutdown",
	EventPeerClosed: "peer_closed", EventPeerReset: "peer_reset", EventClosed: "closed"}

// String is the kind in snake_case: "connect_failed".
func (k EventKind) String() string { return eventKindNames[k] }

// Event is one thing that happened to a socket.
type Event struct {
	Kind   EventKind
	Time   time.Time
	Socket *Socket // the socket it happened to
	FD     int     // the socket's descriptor (still its number in EventClosed)

	// Op is the call: "socket" or "fromfd" (EventCreated); "send",
	// "sendall", "sendto" or "sendfile" (EventSent); "recv" or "recvfrom"
	// (EventReceived); the call that learned of it (EventPeerClosed,
	// EventPeerReset).
	Op string
	// Local is the socket's own address (EventBound, EventListening,
	// EventConnected; the new socket's in EventAccepted).
	Local netip.AddrPort
	// Peer is the other side: the address connected to (EventConnected,
	// EventConnectFailed), the client (EventAccepted), a datagram's
	// destination or source (EventSent by sendto, EventReceived by
	// recvfrom on an unconnected socket).
	Peer    netip.AddrPort
	Conn    *Socket // EventAccepted: the new socket
	Bytes   int64   // EventSent, EventReceived: the bytes the call moved
	Calls   int     // EventSent, EventReceived: how many calls of Op it stands for (Gather), 1 alone
	How     string  // EventShutdown: "SHUT_RD", "SHUT_WR" or "SHUT_RDWR"
	Backlog int     // EventListening
	FromFD  int     // EventCreated by fromfd: the descriptor duplicated; by recv_fds: the socket it came over; -1 by socket() and socketpair()
	// Err is why: EventConnectFailed, EventPeerReset; EventSent and
	// EventReceived of a call that failed part way, after Bytes;
	// EventClosed when close(2) itself failed (the descriptor is gone all
	// the same).
	Err error

	BytesSent, BytesReceived int64 // EventClosed: over the socket's life

	// LocalPath and PeerPath are Local and Peer for an AF_UNIX socket: a
	// path, "@name" for an abstract name, "" for none (unnamed).
	LocalPath, PeerPath string
}

// Errno is the errno in Err, if it has one.
func (e Event) Errno() (syscall.Errno, bool) { return errnoOf(e.Err) }

// String is the event in words, as a person reads it: "connected to
// 127.0.0.1:7 from 127.0.0.1:41234".
func (e Event) String() string {
	switch e.Kind {
	case EventCreated:
		// Concatenated, not fmt: every socket made says it (row 3 makes 10,000).
		what := FamilyName(e.Socket.family) + " " + TypeName(e.Socket.sotype) + ", fd " + strconv.Itoa(e.FD)
		switch e.Op {
		case "fromfd":
			return fmt.Sprintf("made from fd %d (%s)", e.FromFD, what)
		case "socketpair":
			return "created by socketpair (" + what + ")"
		case "recv_fds":
			return fmt.Sprintf("received as a descriptor over fd %d (%s)", e.FromFD, what)
		}
		return "created (" + what + ")"
	case EventBound:
		return "bound to " + e.localText()
	case EventListening:
		return fmt.Sprintf("listening on %s (backlog %d)", e.localText(), e.Backlog)
	case EventConnected:
		return "connected to " + e.peerText() + " from " + e.localText()
	case EventConnectFailed:
		return fmt.Sprintf("connect to %s failed: %s", e.peerText(), pyerr.Of(e.Err))
	case EventAccepted:
		return fmt.Sprintf("accepted a connection from %s (fd %d, on %s)", e.peerText(), e.Conn.fd, e.localText())
	case EventSent, EventReceived:
		verb, dir := "sent", " to "
		if e.Kind == EventReceived {
			verb, dir = "received", " from "
		}
		line := verb + " " + count(e.Bytes, "byte")
		if e.Peer.IsValid() || e.PeerPath != "" {
			line += dir + e.peerText()
		}
		if e.Calls > 1 {
			line += " in " + count(e.Calls, e.Op+" call")
		} else {
			line += " with " + e.Op
		}
		if e.Err != nil {
			line += ", then " + pyerr.Of(e.Err).String()
		}
		return line
	case EventShutdown:
		fin := ""
		switch {
		case e.Socket.family == unix.AF_UNIX && e.Socket.sotype != unix.SOCK_DGRAM:
			fin = ": the peer's recv returns b'' once it has read the data queued before it"
		case e.Socket.sotype == unix.SOCK_STREAM:
			fin = ": the peer gets FIN after the data queued before it" // UDP sends nothing
		}
		switch e.How {
		case "SHUT_RD":
			return "shut down its reading half (SHUT_RD)"
		case "SHUT_WR":
			return "shut down its writing half (SHUT_WR)" + fin
		}
		return "shut down both halves (SHUT_RDWR)" + fin
	case EventPeerClosed:
		return e.Socket.PeerClosedText()
	case EventPeerReset:
		return fmt.Sprintf("%s (%s: %s)", PeerReset, e.Op, pyerr.Of(e.Err))
	case EventClosed:
		return "closed (" + count(e.BytesSent, "byte") + " sent, " + count(e.BytesReceived, "byte") + " received)"
	}
	return e.Kind.String()
}

// localText and peerText spell the event's addresses: 127.0.0.1:80, or
// for an AF_UNIX socket its path, @name, or "an unnamed socket".
func (e Event) localText() string { return e.addrText(e.Local, e.LocalPath) }
func (e Event) peerText() string  { return e.addrText(e.Peer, e.PeerPath) }

func (e Event) addrText(ap netip.AddrPort, path string) string {
	if e.Socket != nil && e.Socket.family == unix.AF_UNIX {
		if path == "" {
			return "an unnamed socket"
		}
		return path
	}
	return ap.String()
}

// emit hands an event to the socket's callback, with the socket, its
// descriptor and the time filled in.
func (s *Socket) emit(e Event) {
	if s.report == nil {
		return
	}
	e.Time = time.Now()
	e.Socket, e.FD = s, s.fd
	if s.family == unix.AF_UNIX {
		switch e.Kind {
		case EventBound, EventListening, EventConnected, EventAccepted:
			e.LocalPath = s.localPath(e.Conn)
		}
	}
	s.report(e)
}

// localPath is an AF_UNIX socket's own address as an event spells it
// (untraced): of conn when not nil (an accepted connection), else of s.
func (s *Socket) localPath(conn *Socket) string {
	if conn != nil {
		s = conn
	}
	var path string
	s.control(func(fd int) error {
		sa, err := sysName(nil, fd, false)
		path = eventPath(sa.Path)
		return err
	})
	return path
}

// localAddr is the socket's own address, for an event (untraced: the user
// did not ask for this getsockname).
func (s *Socket) localAddr() netip.AddrPort {
	if s.localFixed.Load() && !s.closed.Load() {
		if sa := s.local.Load(); sa != nil {
			return sa.AddrPort
		}
	}
	var sa SockAddr
	if s.control(func(fd int) (err error) { sa, err = sysName(nil, fd, false); return err }) != nil {
		return netip.AddrPort{}
	}
	if s.localFixed.Load() {
		s.local.Store(&sa)
	}
	return sa.AddrPort
}

// reportCall reports one data call, however many system calls it made:
// the bytes it moved (when it succeeded, or failed after moving some),
// then what it learned of the peer, once.
func (s *Socket) reportCall(kind EventKind, op string, n int64, peer netip.AddrPort, err error) {
	s.reportCallTo(kind, op, n, SockAddr{AddrPort: peer}, err)
}

// reportCallTo is reportCall with the peer's address of any family (an
// AF_UNIX path too).
func (s *Socket) reportCallTo(kind EventKind, op string, n int64, peer SockAddr, err error) {
	if s.report == nil {
		return
	}
	if g := s.gather.Load(); g != nil {
		g.add(kind, op, n, peer.AddrPort, err)
		return
	}
	if err == nil || n > 0 {
		s.emit(Event{Kind: kind, Op: op, Bytes: n, Calls: 1, Peer: peer.AddrPort, PeerPath: eventPath(peer.Path), Err: err})
	}
	s.reportPeer(op, err)
}

// Gather makes the socket's data calls, until end is called, report as
// one: at the end one EventSent and one EventReceived with their totals
// and the number of calls, then what they learned of the peer. A protocol
// client that sends and receives through many calls for one command (a
// gopher fetch reads its reply with recv after recv) calls it, so the
// command is one event each way, as a recv --out is, however long.
func (s *Socket) Gather() (end func()) {
	if s.report == nil {
		return func() {}
	}
	g := &gathered{}
	if !s.gather.CompareAndSwap(nil, g) {
		return func() {} // gathered already: the outer Gather reports
	}
	return func() {
		if !s.gather.CompareAndSwap(g, nil) {
			return
		}
		g.mu.Lock()
		evs, op, err := []Event{g.sent, g.recvd}, g.lastOp, g.lastErr
		if err != nil {
			op = g.errOp // a reset is told with the call that met it
		}
		g.mu.Unlock()
		for _, e := range evs {
			if e.Calls > 0 {
				s.emit(e)
			}
		}
		if op != "" {
			s.reportPeer(op, err)
		}
	}
}

// gathered is what the calls inside a Gather moved: the event of each
// direction with its totals so far, and the last call and its error (for
// the peer's news at the end).
type gathered struct {
	mu          sync.Mutex
	sent, recvd Event
	lastOp      string // the last call
	errOp       string // the last call that failed, and its error
	lastErr     error
}

func (g *gathered) add(kind EventKind, op string, n int64, peer netip.AddrPort, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lastOp = op
	if err != nil {
		g.errOp, g.lastErr = op, err
	}
	if err != nil && n == 0 {
		return // it moved nothing: no data to count
	}
	e := &g.sent
	if kind == EventReceived {
		e = &g.recvd
	}
	e.Kind, e.Op, e.Peer, e.Err = kind, op, peer, err
	e.Bytes += n
	e.Calls++
}

// reportPeer reports the peer's status when it changed since last told:
// its FIN (a recv returned b”) or a reset.
func (s *Socket) reportPeer(op string, err error) {
	st := PeerStatus(s.peer.Load())
	if st == PeerOpen || PeerStatus(s.peerTold.Swap(int32(st))) == st {
		return
	}
	if st == PeerClosed {
		s.emit(Event{Kind: EventPeerClosed, Op: op})
		return
	}
	s.emit(Event{Kind: EventPeerReset, Op: op, Err: err})
}

// reportConnect reports how a connect to sa ended: connected, or failed
// with an errno. A connect still in progress (non-blocking), timed out or
// cancelled has not failed: the kernel goes on trying, and a later connect
// resumes the wait.
func (s *Socket) reportConnect(ip netip.Addr, port int, err error) {
	if s.report == nil {
		return
	}
	peer := netip.AddrPortFrom(ip, uint16(port))
	if err == nil {
		s.emit(Event{Kind: EventConnected, Peer: peer, Local: s.localAddr()})
		return
	}
	if e, ok := errnoOf(err); ok && e != unix.EINPROGRESS && e != unix.EALREADY && e != unix.EINTR {
		s.emit(Event{Kind: EventConnectFailed, Peer: peer, Err: err})
	}
}

// beforeOutbound tells Config.Outbound of a call about to reach ip:port.
func (s *Socket) beforeOutbound(ip netip.Addr, port int) {
	if s.outbound != nil {
		s.outbound(s, netip.AddrPortFrom(ip, uint16(port)))
	}
}
