// Package demo runs the classic Internet demo services on loopback for
// sockshell's `serve` command: echo (RFC 862), discard (RFC 863), chargen
// (RFC 864) and daytime (RFC 867), over TCP and UDP.
package demo

// This file holds Server: starting, stopping, limits and counters; the
// services themselves are in services.go.

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockshell/sockshell/commands/admit"
)

// DefaultAddr is where a server listens when no address is given.
const DefaultAddr = "127.0.0.1:0"

// Defaults of Options.
const (
	DefaultMaxConns    = 32
	DefaultIdleTimeout = 5 * time.Minute
	DefaultMaxLife     = 30 * time.Minute
	DefaultHandshake   = 10 * time.Second
)

// Options tune a Server; the zero value gives the defaults.
type Options struct {
	MaxConns    int           // concurrent TCP connections; more are closed at once, nothing sent (default 32)
	IdleTimeout time.Duration // a connection idle this long is closed (default 5 minutes)
	// MaxLife bounds how long one TCP connection is served, however busy
	// (default 30 minutes): a client that trickles a byte now and then
	// (slowloris) keeps clear of the idle timeout but not of this.
	MaxLife time.Duration
	// MaxPerPeer caps the TCP connections one client address (IP, any
	// port) holds at once, so that one client cannot take every slot; one
	// more is refused as over MaxConns is (0: no cap per address).
	MaxPerPeer int
	// HandshakeTimeout bounds a TLS server's handshake, from the accept
	// (default 10 s): a client that never sends its hello, or trickles
	// it, is closed.
	HandshakeTimeout time.Duration
	Report           func(Event) // called with each event (a connection, a datagram), or nil; it must not block
	ReplyRate        int         // UDP replies a second per peer address (default DefaultReplyRate)
	ReplyBurst       int         // UDP replies a peer may get at once (default DefaultReplyBurst)
	TLS              *tls.Config // TCP only: serve over TLS with this configuration (nil: plain TCP)
	// Failed, if set, is called (on a goroutine of its own) when accept
	// fails for good and the server stops accepting; it may call Stop.
	Failed func(error)
}

// Stats are a server's counters.
type Stats struct {
	Connections int64 // TCP connections accepted and served
	Active      int64 // TCP connections open now
	Refused     int64 // TCP connections closed at once because of MaxConns
	Datagrams   int64 // UDP datagrams received
	Dropped     int64 // UDP datagrams left unanswered by the loop and rate guard
	BytesIn     int64 // bytes received
	BytesOut    int64 // bytes sent
}

// Server is one running demo service.
type Server struct {
	kind    string // "echo", "chargen/udp", …
	service service
	opts    Options

	ln net.Listener   // TCP
	pc net.PacketConn // UDP

	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	peers map[netip.Addr]int // connections held per client address (MaxPerPeer)
	done  bool
	quit  chan struct{} // closed by Stop: ends a pause of the accept loop

	guard *guard // UDP

	connections, active, refused, datagrams, dropped, bytesIn, bytesOut atomic.Int64
}

// Start starts a service in the background: kind is "echo", "discard",
// "daytime" or "chargen" (TCP; "/tcp" may be added), or the same with
// "/udp"; addr is HOST:PORT, DefaultAddr when "". With "/unix" it is a
// Unix stream server and addr a path, or @name for an abstract one.
func Start(kind, addr string) (*Server, error) { return StartWith(kind, addr, Options{}) }

// StartWith is Start with options.
func StartWith(kind, addr string, opts Options) (*Server, error) {
	name, proto, _ := strings.Cut(strings.ToLower(kind), "/")
	if proto == "" {
		proto = "tcp"
	}
	if proto == "udp" && opts.TLS != nil {
		return nil, fmt.Errorf("TLS runs over TCP only (over UDP it is DTLS, which this server does not offer)")
	}
	k, ok := LookupKind(name)
	if !ok || (proto != "tcp" && proto != "unix" && (proto != "udp" || !k.UDP)) {
		var names []string
		for _, k := range kinds {
			names = append(names, k.Name)
			if k.UDP {
				names = append(names, k.Name+"/udp")
			}
		}
		return nil, fmt.Errorf("unknown demo service %q (one of %s)", kind, strings.Join(names, ", "))
	}
	svc := k.service
	if addr == "" {
		addr = DefaultAddr
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxLife <= 0 {
		opts.MaxLife = DefaultMaxLife
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = DefaultHandshake
	}
	if opts.ReplyRate <= 0 {
		opts.ReplyRate = DefaultReplyRate
	}
	if opts.ReplyBurst <= 0 {
		opts.ReplyBurst = DefaultReplyBurst
	}
	s := &Server{kind: name, service: svc, opts: opts, conns: map[net.Conn]struct{}{}, peers: map[netip.Addr]int{}, quit: make(chan struct{})}
	var err error
	if proto == "udp" {
		s.kind += "/udp"
		if s.pc, err = net.ListenPacket(exactNetwork("udp", addr), addr); err != nil {
			return nil, err
		}
		local := s.pc.LocalAddr().(*net.UDPAddr).AddrPort()
		local = netip.AddrPortFrom(local.Addr().Unmap(), local.Port())
		s.guard = newGuard(local, opts.ReplyRate, opts.ReplyBurst)
		udpServers.Store(local, struct{}{})
		s.wg.Add(1)
		go s.serveUDP()
	} else if proto == "unix" {
		// addr is a path, or @name for an abstract one (Go's spelling of
		// the leading NUL); closing the listener removes its socket file.
		s.kind += "/unix"
		if s.ln, err = net.Listen("unix", addr); err != nil {
			return nil, err
		}
		s.wg.Add(1)
		go s.acceptLoop()
	} else {
		if s.ln, err = net.Listen(exactNetwork("tcp", addr), addr); err != nil {
			return nil, err
		}
		if opts.TLS != nil {
			s.ln = tls.NewListener(s.ln, opts.TLS)
		}
		s.wg.Add(1)
		go s.acceptLoop()
	}
	s.report(Event{Kind: Listening})
	return s, nil
}

// exactNetwork is the network ("tcp4", "udp6", …) that listens exactly at
// an address literal: Go's plain "tcp" and "udp" listen on [::], every IPv6
// and IPv4 address, when asked for 0.0.0.0. A name keeps proto as it is.
func exactNetwork(proto, addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return proto
	}
	ip, err := netip.ParseAddr(host)
	switch {
	case err != nil:
		return proto
	case ip.Is4() || ip.Is4In6():
		return proto + "4"
	}
	return proto + "6"
}

// Kind returns the service: "echo", "chargen/udp", …
func (s *Server) Kind() string { return s.kind }

// Addr returns the address the server listens on, "127.0.0.1:40123".
func (s *Server) Addr() string {
	if s.pc != nil {
		return s.pc.LocalAddr().String()
	}
	return s.ln.Addr().String()
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	return Stats{Connections: s.connections.Load(), Active: s.active.Load(), Refused: s.refused.Load(),
		Datagrams: s.datagrams.Load(), Dropped: s.dropped.Load(), BytesIn: s.bytesIn.Load(), BytesOut: s.bytesOut.Load()}
}

// Stop closes the listener and every connection, and waits until all the
// server's goroutines have ended. Stopping twice does nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return nil
	}
	s.done = true
	close(s.quit)
	var err error
	if s.pc != nil {
		udpServers.Delete(s.guard.local)
		err = s.pc.Close()
	} else {
		err = s.ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.report(Event{Kind: Stopped})
	return err
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	pause := time.Duration(0)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if !admit.PassingAcceptError(err) {
				// EINVAL after a shutdown of the listening socket (through
				// a descriptor fromfd made), ENOTSOCK, EBADF: accept will
				// never work again. Said once; Failed removes the server.
				s.report(Event{Kind: AcceptFailed, Err: err})
				if s.opts.Failed != nil {
					go s.opts.Failed(err) // it stops the server, which waits for this loop
				}
				return
			}
			// A passing failure (EMFILE, ECONNABORTED): pause, from 5 ms
			// doubling up to 1 s, and go on; said once until accept works.
			if pause == 0 {
				s.report(Event{Kind: AcceptError, Err: err})
				pause = 5 * time.Millisecond
			} else {
				pause = min(2*pause, time.Second)
			}
			if s.sleep(pause) {
				return
			}
			continue
		}
		pause = 0
		if !s.track(c) {
			continue
		}
		s.wg.Add(1)
		go s.serveConn(c)
	}
}

func (s *Server) serveConn(c net.Conn) {
	defer s.wg.Done()
	peer, ppath := addrPort(c.RemoteAddr()), peerPath(c)
	s.report(Event{Kind: Accepted, Peer: peer, PeerPath: ppath})
	cc := &countedConn{Conn: c, idle: s.opts.IdleTimeout, end: time.Now().Add(s.opts.MaxLife), in: &s.bytesIn, out: &s.bytesOut}
	err := s.handshake(c)
	if err == nil {
		err = s.service.stream(cc)
	}
	// The slot is freed before the close: a client that sees the close
	// and connects again at once finds it free.
	s.mu.Lock()
	delete(s.conns, c)
	if a := peer.Addr(); a.IsValid() {
		if s.peers[a]--; s.peers[a] <= 0 {
			delete(s.peers, a)
		}
	}
	stopping := s.done
	s.mu.Unlock()
	c.Close()
	ev := Event{Kind: Closed, Peer: peer, PeerPath: ppath, BytesIn: cc.nIn, BytesOut: cc.nOut, End: endOf(err, stopping), Err: err}
	switch {
	case errors.As(err, new(handshakeError)):
		ev.End = EndHandshake
	case ev.End == EndIdle && !time.Now().Before(cc.end):
		ev.End = EndLifetime
	}
	switch ev.End {
	case EndIdle:
		ev.Idle = s.opts.IdleTimeout
	case EndLifetime:
		ev.Idle = s.opts.MaxLife
	}
	s.report(ev)
	s.active.Add(-1) // after the report: Active 0 means every ending is told
}

func (s *Server) serveUDP() {
	defer s.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. ECONNREFUSED from an earlier reply's ICMP
		}
		s.datagrams.Add(1)
		s.bytesIn.Add(int64(n))
		src := from.(*net.UDPAddr).AddrPort()
		now := time.Now()
		ev := Event{Kind: Datagram, Time: now, Peer: unmapped(src), BytesIn: int64(n)}
		if why := s.guard.refuse(src, now); why != "" {
			s.dropped.Add(1)
			ev.Dropped, ev.Notify = why, s.guard.shouldLog(src.Addr().Unmap(), why, now)
			s.report(ev)
			continue
		}
		if reply := s.service.datagram(buf[:n]); reply != nil {
			if m, err := s.pc.WriteTo(reply, from); err == nil {
				s.bytesOut.Add(int64(m))
				ev.BytesOut = int64(m)
			}
		}
		s.report(ev)
	}
}

// report hands an event to Options.Report, with the server's kind, its
// address and the time filled in.
func (s *Server) report(e Event) {
	if s.opts.Report == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Server = s.kind
	if ua, ok := s.unixAddr(); ok {
		e.Path = ua
	} else if s.ln != nil {
		e.Addr = addrPort(s.ln.Addr())
	} else if s.pc != nil {
		e.Addr = addrPort(s.pc.LocalAddr())
	}
	s.opts.Report(e)
}

// unixAddr is a Unix server's path (@name for an abstract one).
func (s *Server) unixAddr() (string, bool) {
	if s.ln == nil {
		return "", false
	}
	a, ok := s.ln.Addr().(*net.UnixAddr)
	if !ok {
		return "", false
	}
	return a.Name, true
}

// count spells a count with its unit in the right number: "1 byte",
// "2 bytes". unit is the singular; the plural adds an s.
func count[N int | int64](n N, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
