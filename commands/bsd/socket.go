// This file holds Socket: creation, fromfd, close, timeouts, counters and
// the accessors the shell's `sockets` table reads.

package bsd

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Socket is a real OS socket in non-blocking mode, driven through Go's
// runtime poller once a call has to wait (poller.go). Its methods may be
// called from several goroutines, but one blocking call per direction at
// a time is the intended use.
type Socket struct {
	family, sotype, proto int
	fd                    int // the descriptor number, kept for traces and FD()

	// The runtime poller's hold on fd, made when a call first has to wait
	// (poller.go); until then the socket owns fd itself. pmu keeps fd open
	// while a call uses it, polled or not.
	polled atomic.Pointer[polled]
	pmu    sync.RWMutex
	fdGone bool // Close has closed fd (or handed it to the poller's file to close); guarded by pmu

	trace  atomic.Pointer[Trace]
	closed atomic.Bool
	sent   atomic.Int64
	recvd  atomic.Int64
	peer   atomic.Int32 // a PeerStatus
	shutWr atomic.Bool  // Shutdown closed the writing half: EPIPE is ours, not the peer's
	shutRd atomic.Bool  // Shutdown closed the reading half: an empty recv is ours, not the peer's FIN
	conned atomic.Bool  // it was ever connected (connect or accept): only then has it a peer
	// connPeer is the peer it was connected to (connect, accept), kept
	// when getpeername no longer answers (TCP_INFO reads CLOSE): glance.go
	connPeer atomic.Pointer[netip.AddrPort]
	// local is the address of a connected TCP socket (connect, accept),
	// which nothing changes until it closes (a reset leaves it; there is
	// no disconnect here): getsockname asks the kernel once. conn.go
	local      atomic.Pointer[SockAddr]
	localFixed atomic.Bool
	connRTT    atomic.Int64             // the RTT the last Connect's own TCP_INFO read gave (ns; 0: none): rtt.go
	spare      [2]atomic.Pointer[waits] // a single call's waits, per direction, for the next (poll.go)
	shared     bool                     // fromfd of a blocking description: left blocking, waits poll (shared.go)

	report   func(Event)                   // Config.Report, set once when made; nil: no events
	outbound func(*Socket, netip.AddrPort) // Config.Outbound, set once when made
	peerTold atomic.Int32                  // the PeerStatus last reported (reportPeer)
	gather   atomic.Pointer[gathered]      // the data calls' totals while a Gather is open

	layer atomic.Value // what a protocol layered on the socket keeps with it (SetLayer)

	mu         sync.Mutex // guards timeout and hasTimeout
	timeout    time.Duration
	hasTimeout bool
}

// PeerStatus is what the socket last learned about its peer.
type PeerStatus int32

const (
	PeerOpen   PeerStatus = iota // nothing noteworthy
	PeerClosed                   // a recv returned 0 bytes and the peer's FIN had arrived
	PeerReset                    // a call failed with ECONNRESET, or EPIPE with the writing half open
)

func (p PeerStatus) String() string {
	switch p {
	case PeerClosed:
		return "the peer sent FIN: it will send nothing more (it closed its socket or shut down its writing half); recv returned b''"
	case PeerReset:
		return "the peer reset the connection"
	}
	return ""
}

// New makes a real, unconnected socket: family AF_INET or AF_INET6 (unix.AF_*),
// sotype SOCK_STREAM or SOCK_DGRAM. tr, which may be nil, records its calls.
func New(family, sotype int, tr *Trace) (*Socket, error) {
	return Config{Trace: tr}.New(family, sotype)
}

// FromFD makes a Socket from a duplicate of fd, as Python's socket.fromfd
// does; fd itself stays open and the caller's. A family or sotype of 0 is
// read from the kernel (SO_DOMAIN, SO_TYPE). The duplicate shares the open
// file description, so fd is switched to non-blocking mode too. A
// descriptor that is not a socket fails with ENOTSOCK.
func FromFD(fd int, family, sotype int, tr *Trace) (*Socket, error) {
	return Config{Trace: tr}.FromFD(fd, family, sotype)
}

// FromFD is the package's FromFD with the config's trace and callback; the
// socket's first event is EventCreated, its Op "fromfd".
func (c Config) FromFD(fd int, family, sotype int) (*Socket, error) {
	tr := c.Trace
	nfd, err := sysDup(tr, fd)
	if err != nil {
		return nil, opError("fromfd", "", err)
	}
	kernelType, err := sysGetsockoptInt(tr, nfd, unix.SOL_SOCKET, unix.SO_TYPE, "SO_TYPE")
	var domain, proto int
	if err == nil {
		domain, err = sysGetsockoptInt(tr, nfd, unix.SOL_SOCKET, unix.SO_DOMAIN, "SO_DOMAIN")
	}
	if err == nil {
		proto, err = sysGetsockoptInt(tr, nfd, unix.SOL_SOCKET, unix.SO_PROTOCOL, "SO_PROTOCOL")
	}
	// A blocking description is shared with a blocking user (our own
	// stdin or stdout, say): it stays blocking, and waits poll (shared.go).
	shared := err == nil && isBlocking(nfd)
	if err == nil && !shared {
		err = sysSetNonblock(tr, nfd)
	}
	if err != nil {
		sysCloseFD(tr, nfd)
		return nil, opError("fromfd", "", err)
	}
	if family == 0 {
		family = domain
	}
	if sotype == 0 {
		sotype = kernelType
	}
	ns, err := newSocket(nfd, family, sotype, proto, tr)
	if err != nil {
		return nil, err
	}
	if psa, perr := unix.Getpeername(nfd); perr == nil {
		ns.conned.Store(true) // a connected socket has a peer to hear from
		if ap, ok := sockaddrAddrPort(psa); ok {
			ns.connPeer.Store(&ap)
		}
	}
	ns.shared = shared
	ns.report, ns.outbound = c.Report, c.Outbound
	ns.emit(Event{Kind: EventCreated, Op: "fromfd", FromFD: fd})
	return ns, nil
}

func newSocket(fd, family, sotype, proto int, tr *Trace) (*Socket, error) {
	s := &Socket{family: family, sotype: sotype, proto: proto, fd: fd}
	s.trace.Store(tr)
	firstSocket.Do(func() { s.poller() }) // poller.go
	return s, nil
}

// layerBox holds a layer, so that the atomic.Value always stores one type.
type layerBox struct{ v any }

// SetLayer keeps v with the socket: the protocol layered on it (the TLS
// connection that runs over it), or nil when there is none any more.
func (s *Socket) SetLayer(v any) { s.layer.Store(layerBox{v}) }

// Layer is what SetLayer kept, or nil.
func (s *Socket) Layer() any {
	b, _ := s.layer.Load().(layerBox)
	return b.v
}

// SetTrace makes tr (or nil) record the socket's next system calls.
func (s *Socket) SetTrace(tr *Trace) { s.trace.Store(tr) }

func (s *Socket) tr() *Trace { return s.trace.Load() }

// FD returns the descriptor number (-1 after Close).
func (s *Socket) FD() int {
	if s.closed.Load() {
		return -1
	}
	return s.fd
}

// Family returns the address family, unix.AF_INET or unix.AF_INET6.
func (s *Socket) Family() int { return s.family }

// Type returns the socket type, unix.SOCK_STREAM or unix.SOCK_DGRAM.
func (s *Socket) Type() int { return s.sotype }

// Proto returns the protocol, unix.IPPROTO_TCP or unix.IPPROTO_UDP.
func (s *Socket) Proto() int { return s.proto }

// Closed reports whether Close was called.
func (s *Socket) Closed() bool { return s.closed.Load() }

// Sent returns the bytes sent so far.
func (s *Socket) Sent() int64 { return s.sent.Load() }

// Received returns the bytes received so far.
func (s *Socket) Received() int64 { return s.recvd.Load() }

// PeerClosedText is PeerClosed in words for this socket: a Unix socket's
// peer sends no FIN, its end of file is all there is.
func (s *Socket) PeerClosedText() string {
	if s.family == unix.AF_UNIX {
		return "the peer closed its socket or shut down its writing half: it will send nothing more (a Unix socket has no FIN, only this end of file); recv returned b''"
	}
	return PeerClosed.String()
}

// PeerStatus reports whether the peer was seen closing or resetting the
// connection, so the caller can say so plainly.
func (s *Socket) PeerStatus() PeerStatus { return PeerStatus(s.peer.Load()) }

// SetTimeout sets the timeout of each blocking call, like Python's
// settimeout: set false means none (block until done or cancelled), d 0
// means non-blocking (a call that would block fails with EAGAIN,
// BlockingIOError), d > 0 bounds each call.
func (s *Socket) SetTimeout(d time.Duration, set bool) error {
	if set && d < 0 {
		return &Error{Op: "settimeout", Class: "ValueError", Msg: "Timeout value out of range"}
	}
	s.mu.Lock()
	s.timeout, s.hasTimeout = d, set
	s.mu.Unlock()
	return nil
}

// Timeout returns the timeout and whether one is set (false: None).
func (s *Socket) Timeout() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.timeout, s.hasTimeout
}

// Close closes the socket. Closing a closed socket does nothing, as in
// Python. A blocking call in progress returns EBADF.
func (s *Socket) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	err := s.closeFD()
	sysClose(s.tr(), s.fd, err)
	err = opError("close", "", err)
	s.emit(Event{Kind: EventClosed, BytesSent: s.sent.Load(), BytesReceived: s.recvd.Load(), Err: err})
	return err
}

// State returns the socket's state: for TCP the kernel's (TCP_INFO
// tcpi_state) "ESTABLISHED", "SYN_SENT", "LISTEN", "CLOSE_WAIT", "TIME_WAIT",
// "CLOSE", …; for UDP "UNCONN" or "CONNECTED"; "closed" after Close.
func (s *Socket) State() string {
	if s.closed.Load() {
		return "closed"
	}
	state := "?"
	s.rawControl(func(fd uintptr) {
		state = s.stateAt(int(fd), func() error { _, err := unix.Getpeername(int(fd)); return err })
	})
	return state
}

// stateAt is State's answer for the open descriptor fd; peer is its
// getpeername, asked only for a socket that is neither TCP nor a
// listening Unix socket.
func (s *Socket) stateAt(fd int, peer func() error) string {
	if s.family == unix.AF_UNIX && s.sotype != unix.SOCK_DGRAM {
		if on, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err == nil && on != 0 {
			return "LISTEN"
		}
	}
	if s.sotype == unix.SOCK_STREAM && s.proto == unix.IPPROTO_TCP {
		info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			return "?"
		}
		return tcpStateName(info.State)
	}
	if peer() == nil {
		return "CONNECTED"
	}
	return "UNCONN"
}

// tcpStateName spells the kernel's TCP states (include/net/tcp_states.h).
func tcpStateName(st uint8) string {
	names := [...]string{1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
		5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK",
		10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV"}
	if int(st) < len(names) && names[st] != "" {
		return names[st]
	}
	return fmt.Sprintf("state %d", st)
}

// control runs fn on the descriptor, which stays open meanwhile. A closed
// socket gives EBADF.
func (s *Socket) control(fn func(fd int) error) error {
	if s.closed.Load() {
		return unix.EBADF
	}
	s.pmu.RLock()
	if s.fdGone {
		s.pmu.RUnlock()
		return unix.EBADF
	}
	err := fn(s.fd) // open until RUnlock: rawControl
	s.pmu.RUnlock()
	return err
}

// closedAsEBADF turns the poller's "file already closed" or "use of closed
// file" into EBADF, the errno a closed socket gives in C and Python.
func (s *Socket) closedAsEBADF(err error) error {
	if errors.Is(err, os.ErrClosed) || s.closed.Load() {
		return unix.EBADF
	}
	return err
}

// notePeer remembers a reset seen by a call. EPIPE counts as one only when
// the socket's own writing half is open: after shutdown(SHUT_WR) it is the
// kernel refusing our write, whatever the peer did.
func (s *Socket) notePeer(err error) {
	if !s.conned.Load() {
		return // EPIPE on a socket that never connected is no news of a peer
	}
	if e, ok := errnoOf(err); ok && (e == unix.ECONNRESET || e == unix.EPIPE && !s.shutWr.Load()) {
		s.peer.Store(int32(PeerReset))
	}
}

// noteEOF remembers that a recv returned 0 bytes. That is the peer's FIN
// unless this side shut its own reading half and the kernel has seen no
// FIN from the peer: then recv returns 0 at once, whatever the peer does.
// A reset seen already stays the story: the empty read that follows a
// reset must not hide it.
func (s *Socket) noteEOF(fd int) {
	if s.shutRd.Load() && !peerFINArrived(fd) {
		return
	}
	s.peer.CompareAndSwap(int32(PeerOpen), int32(PeerClosed))
}

// peerFINArrived reports whether the kernel's TCP state shows that the
// peer's FIN has arrived: CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT, or
// CLOSE once connected (both FINs exchanged; a reset shows as an error
// first). In ESTABLISHED, FIN_WAIT1 and FIN_WAIT2 the peer sent none.
func peerFINArrived(fd int) bool {
	info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return true // not TCP: an empty read is the peer's end of file
	}
	switch info.State {
	case 1, 4, 5: // ESTABLISHED, FIN_WAIT1, FIN_WAIT2
		return false
	}
	return true
}

// ShutDown reports which halves Shutdown closed on this side.
func (s *Socket) ShutDown() (rd, wr bool) { return s.shutRd.Load(), s.shutWr.Load() }

// Connected reports whether the socket was ever connected (connect,
// accept, or a connected descriptor given to FromFD).
func (s *Socket) Connected() bool { return s.conned.Load() }

// pipeWhy says why a send failed with EPIPE, from what the socket knows:
// its own shutdown, a connection never made, or a connection gone.
func (s *Socket) pipeWhy() string {
	switch {
	case s.shutWr.Load():
		how := "wr"
		if s.shutRd.Load() {
			how = "rdwr"
		}
		return "this socket shut down its own writing half (shutdown " + how + "): the kernel refuses every further send on it, whatever the peer does"
	case !s.conned.Load():
		return "the socket is not connected: connect it first"
	}
	return "the connection is gone (the peer reset it, or an earlier error ended it): nothing more can be sent on it"
}
