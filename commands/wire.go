// The wire: the session's own packets, captured as its sockets send and
// receive them (commands/capture), matched to the socket they belong to
// and logged as the session's events, one "packet" event a packet, so the
// terminal prints each under the command during which it was seen, or as
// a notice between commands, and the timeline keeps it.
//
// The kernel filter lets through only the session's own endpoints: the
// local address of each socket, and, before a socket has one, the peer a
// connect or sendto is about to reach (bsd.Config.Outbound). The socket
// layer's events (sock_events.go) keep it up to date, and each one is a
// point where the ring is read through, so the packets a call caused are
// logged before the call returns.
package commands

import (
	"errors"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/capture"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// The kinds of the wire's events.
const (
	// eventPacket is one packet of the session's: fields dir ("out",
	// "in"), flags ("SYN,ACK"; "UDP"; "ICMP port unreachable"), seq and
	// ack (relative, as shown; absolute with wire on --abs), len (the
	// payload's bytes), src and dst, proto ("tcp", "udp", "icmp").
	eventPacket shell.EventKind = "packet"
	// eventPacketsFolded stands for the packets of a bulk transfer that
	// were not shown one by one: fields segments_out, bytes_out, acks_out,
	// segments_in, bytes_in, acks_in, duration.
	eventPacketsFolded shell.EventKind = "packets_folded"
)

const (
	// wireKeep is how many packets the session keeps for wire save and
	// the ladder; older ones are forgotten (and counted).
	wireKeep = 65536
	// wireKeepBytes is how much of each packet is kept (headers and the
	// payload's start).
	wireKeepBytes = 256
	// foldAfter is how many data segments of one connection are shown one
	// by one before a burst is folded into summary lines.
	foldAfter = 6
	// foldIdle is the quiet that ends a burst between commands.
	foldIdle = 200 * time.Millisecond
	// closedLinger is how long a closed socket's endpoints stay in the
	// filter: its FIN exchange and TIME_WAIT go on after close.
	closedLinger = 2 * time.Minute
)

// wire is one session's capture.
type wire struct {
	sess *shell.Session

	mu        sync.Mutex
	on        bool
	abs       bool
	ifaces    map[int]*wireIface
	socks     map[*bsd.Socket]*wireSock
	filter    []capture.Endpoint // the endpoints the kernel filters take now (sorted)
	filterSet bool               // filter was given to every interface's capture
	// filterErr is why the kernel refused the last filter (the one
	// before stays): wire says it.
	filterErr error
	pkts      []*wirePacket
	forgot    int    // packets no longer kept
	filtered  uint64 // packets the kernel handed over that are not the session's
	captured  uint64
	// closedStats are the kernel's counts of the captures closed since.
	closedStats wireStats
	flows       map[flowKey]*wireFlow
	stop        chan struct{}
	done        chan struct{}

	enabled atomic.Bool // on, read without the lock by the socket hooks
}

type wireIface struct {
	h        *capture.Handle
	parser   *capture.Parser // used under the handle's Drain, one at a time
	name     string
	loopback bool
	// recs are records made ahead for this interface's packets (used
	// under the handle's Drain too): one allocation for wireRecs packets.
	recs []wirePacket
}

// wireSock is what the wire knows of one of the session's sockets.
type wireSock struct {
	s       *bsd.Socket
	name    string
	proto   uint8 // capture.ProtoTCP or ProtoUDP; 0: not captured (AF_UNIX)
	local   netip.AddrPort
	peer    netip.AddrPort
	pending map[netip.AddrPort]bool // peers a connect or sendto reached before the local address was known
	closed  time.Time
}

// wirePacket is a captured packet of the session's.
type wirePacket struct {
	*capture.Packet // pkt, when the wire captured it
	pkt             capture.Packet
	Sock            string // the socket's name ("" when it had none yet)
	sock            *wireSock
	Dir             string // "out" or "in"
	Iface           string
	RelSeq          uint32
	RelAck          uint32
	Shown           bool   // printed one by one (not folded)
	Line            string // as printed
	flowNew         bool   // a SYN that began the flow's sequence numbers
	ackKnown        bool   // RelAck is relative to a sequence number seen
}

var wireKey = shell.NewStateKey("wire", func() *wire { return nil })

// wireOf is the session's wire, made (off) on first use.
func wireOf(sess *shell.Session) *wire {
	var w *wire
	wireKey.With(sess, func(v **wire) {
		if *v == nil {
			*v = &wire{sess: sess, ifaces: map[int]*wireIface{}, socks: map[*bsd.Socket]*wireSock{},
				flows: map[flowKey]*wireFlow{}}
		}
		w = *v
	})
	return w
}

// StartWire turns the session's capture on, as `wire on` does (main's
// --wire).
func StartWire(sess *shell.Session) error { return wireOf(sess).start(false) }

// wireStartError is wire on's error when the capture cannot start:
// without CAP_NET_RAW, without AF_PACKET, or else.
func wireStartError(err error) error {
	switch {
	case errors.Is(err, capture.ErrPermission):
		return &shell.Error{Class: "PermissionError", HasErrno: true, Errno: int(unix.EPERM),
			Msg: "wire on: " + capture.ErrPermission.Error() + "; to allow it: sudo setcap cap_net_raw+ep $(which sockshell) (everything else works without it)"}
	case errors.Is(err, capture.ErrUnsupported):
		return &shell.Error{Class: "OSError", Msg: "wire on: " + capture.ErrUnsupported.Error() + " (everything else works without it)"}
	}
	return shell.Errorf("OSError", "wire on: %v", err)
}

// start opens the capture on loopback (and the interfaces of the
// session's sockets), takes the sockets open now and starts reading.
func (w *wire) start(abs bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.abs = abs
	if w.on {
		return nil
	}
	lo, name, err := capture.LoopbackIndex()
	if err != nil {
		return wireStartError(err)
	}
	h, err := capture.Open(lo, true)
	if err != nil {
		return wireStartError(err)
	}
	w.ifaces[lo] = &wireIface{h: h, name: name, loopback: true, parser: capture.NewParser()}
	w.on = true
	w.enabled.Store(true)
	w.filter, w.filterSet = nil, false
	for _, r := range w.sess.Resources() {
		s, ok := r.Resource.(*bsd.Socket)
		if !ok || s.Closed() {
			continue
		}
		ws := w.sockLocked(s)
		ws.name = r.Name
		in := s.Info()
		if in.HasLocal {
			ws.local = in.Local.AddrPort
		}
		if in.HasRemote {
			ws.peer = in.Remote.AddrPort
		}
	}
	w.updateFilterLocked()
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	go w.read(w.stop, w.done)
	return nil
}

// stopCapture closes the capture; what was captured stays.
func (w *wire) stopCapture() {
	w.mu.Lock()
	if !w.on {
		w.mu.Unlock()
		return
	}
	w.on = false
	w.enabled.Store(false)
	stop, done := w.stop, w.done
	ifaces := w.ifaces
	w.mu.Unlock()
	close(stop)
	<-done
	w.syncAll(ifaces)
	for _, i := range ifaces {
		i.h.Close()
	}
	w.mu.Lock()
	w.ifaces = map[int]*wireIface{}
	w.closedStats = w.closedStats.add(ifaces)
	w.mu.Unlock()
}

// read drains the rings as the kernel fills them, until stop, and ends
// the bursts that have gone quiet.
func (w *wire) read(stop, done chan struct{}) {
	defer close(done)
	batch := time.NewTimer(time.Hour)
	batch.Stop()
	defer batch.Stop()
	busy := 0           // looks in a row that found packets
	gather := wireBatch // how long packets gather before the next look
	for {
		select {
		case <-stop:
			return
		default:
		}
		w.mu.Lock()
		ifaces := make([]*wireIface, 0, len(w.ifaces))
		for _, i := range w.ifaces {
			ifaces = append(ifaces, i)
		}
		w.mu.Unlock()
		if len(ifaces) == 0 {
			return
		}
		ifaces[0].h.Wait(50 * time.Millisecond)
		n := 0
		for _, i := range ifaces {
			n += i.h.Drain(func(f capture.Frame) { w.frame(i, f) })
		}
		if n == 0 {
			// The rings are empty: a burst whose last packet is old has
			// truly gone quiet (with packets still waiting, a slow reader
			// would see old packets and end bursts that go on).
			busy, gather = 0, wireBatch
			w.mu.Lock()
			w.foldIdleLocked(time.Now())
			w.mu.Unlock()
			continue
		}
		// The kernel wakes a reader for every frame, so a bulk transfer
		// woke this goroutine for nearly every packet, taking a core from
		// the transfer itself on a small machine. A few packets in a row
		// (a handshake, an exchange) are read at once, as they come: one
		// sent by the kernel just after a call returned (the handshake's
		// last ACK) is then still logged before the prompt. Past
		// wireBurst looks in a row that found packets, it is a bulk
		// transfer: more are let gather before the next look (a socket's
		// own events still read the rings through at once), longer as
		// it goes on, up to wireBatchMax: each look's wake (a thread, a
		// P) cost as much CPU as reading the packets, at 500 a second.
		if busy++; busy < wireBurst {
			continue
		}
		batch.Reset(gather)
		gather = min(2*gather, wireBatchMax)
		select {
		case <-stop:
			return
		case <-batch.C:
		}
	}
}

// wireBatch is how long the reader first lets packets gather in the ring
// once it takes the traffic for a bulk transfer; wireBatchMax the longest
// (the ring holds 8192 frames: 8 ms is 530 at loopback's 66,000 packets a
// second with their ACKs, 2,400 at 300,000).
const (
	wireBatch    = 2 * time.Millisecond
	wireBatchMax = 8 * time.Millisecond
)

// wireBurst is how many looks in a row find packets before the reader
// takes it for a bulk transfer and lets packets gather.
const wireBurst = 16

// syncAll reads every ring through now.
func (w *wire) syncAll(ifaces map[int]*wireIface) {
	for _, i := range ifaces {
		i.h.Drain(func(f capture.Frame) { w.frame(i, f) })
	}
}

// sync reads the rings through, so the packets of a call that just ended
// are logged, and logs the summaries of the socket's folded bursts.
func (w *wire) sync(ws *wireSock) {
	w.mu.Lock()
	ifaces := w.ifaces
	w.mu.Unlock()
	w.syncAll(ifaces)
	w.mu.Lock()
	for _, f := range w.flows {
		if f.sock == ws {
			// The call's summary line now; a transfer that goes on after
			// the call (the socket's buffer still sending) keeps folding
			// until it goes quiet.
			w.flushFoldLocked(f)
		}
	}
	w.mu.Unlock()
}

// sockLocked is the wire's record of s, made on first use.
func (w *wire) sockLocked(s *bsd.Socket) *wireSock {
	ws, ok := w.socks[s]
	if !ok {
		ws = &wireSock{s: s, pending: map[netip.AddrPort]bool{}}
		if s.Family() == unix.AF_INET || s.Family() == unix.AF_INET6 {
			switch s.Type() {
			case unix.SOCK_STREAM:
				ws.proto = capture.ProtoTCP
			case unix.SOCK_DGRAM:
				ws.proto = capture.ProtoUDP
			}
		}
		w.socks[s] = ws
	}
	if ws.name == "" {
		ws.name = w.nameOf(s)
	}
	return ws
}

// nameOf is the registry's name of s, if it has one yet.
func (w *wire) nameOf(s *bsd.Socket) string {
	l := sockEventsOf(w.sess)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.names[s]
}

// wireStats are the counts `wire` shows.
type wireStats struct {
	Captured, Dropped, Filtered, Kernel uint64
}

func (s wireStats) add(ifaces map[int]*wireIface) wireStats {
	for _, i := range ifaces {
		st := i.h.Stats()
		s.Dropped += st.Dropped
		s.Kernel += st.Packets
	}
	return s
}

// status is what `wire` alone says.
func (w *wire) status() (on bool, ifaces []string, st wireStats, kept, forgot int, filterErr error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	filterErr = w.filterErr
	st = w.closedStats.add(w.ifaces)
	st.Captured, st.Filtered = w.captured, w.filtered
	for _, i := range w.ifaces {
		ifaces = append(ifaces, i.name)
	}
	sort.Strings(ifaces)
	return w.on, ifaces, st, len(w.pkts), w.forgot, filterErr
}

// packets are the kept packets, oldest first.
func (w *wire) packets() []*wirePacket {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*wirePacket(nil), w.pkts...)
}

// joinNames lists names for a sentence: "lo", "lo and eth0".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
