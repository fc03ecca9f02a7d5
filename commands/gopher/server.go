// The server: accepting connections, reading one request each, and
// answering it from the directory tree (see serverfs.go; serverconn.go
// reads a request, serverevent.go is what the server reports).

package gopher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockshell/sockshell/commands/admit"

	"golang.org/x/sys/unix"
)

// Defaults for ServerOptions.
const (
	DefaultIdleTimeout = 30 * time.Second
	DefaultMaxConns    = 32
	MaxSelectorBytes   = 1024
	// CloseWait bounds how long Close waits for the handlers of open
	// connections to return.
	CloseWait = 5 * time.Second
)

// ErrServerClosed is returned by Serve once Close has been called.
var ErrServerClosed = errors.New("gopher: server closed")

// ServerOptions tunes a Server. The zero value is ready to use.
type ServerOptions struct {
	// Host and Port are written into menu items that point back at this
	// server. By default they are the address the client connected to.
	Host string
	Port int
	// IdleTimeout bounds the wait for the whole request, counted from the
	// connect however the request trickles in (a client that sends a
	// byte now and then is cut off with an error item saying so), and
	// each write of the reply. Default 30 s.
	IdleTimeout time.Duration
	// MaxConns caps the connections served at once. A connection beyond
	// it is answered from the accepting goroutine itself, at once and
	// without a goroutine or buffer of its own: with an error item if the
	// socket takes it without waiting, then it is closed. Default 32.
	MaxConns int
	// MaxPerPeer caps the connections one client address (IP, any port)
	// holds at once, so that one client cannot take every slot; one more
	// is answered with an error item saying so, and closed (0: no cap per
	// address).
	MaxPerPeer int
	// Report, when set, receives each event (a connection, a failed
	// request, accept pausing); it must not block.
	Report func(ServerEvent)
}

// Server publishes a directory over gopher. Directories are menus (from a
// gophermap file when there is one), files are sent byte for byte. It
// never serves anything outside its root: selectors with "..", hidden
// names (starting with '.'), NUL bytes and symbolic links leading out of
// the root are answered with an error item.
type Server struct {
	root     *os.Root
	rootName string
	opts     ServerOptions
	sem      chan struct{}
	done     chan struct{} // closed by Close
	refused  atomic.Int64
	wait     time.Duration // how long Close waits; CloseWait

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	peers     map[netip.Addr]int // connections held per client address (MaxPerPeer)
	wg        sync.WaitGroup
}

// NewServer returns a server for the directory root.
func NewServer(root string, opts *ServerOptions) (*Server, error) {
	var o ServerOptions
	if opts != nil {
		o = *opts
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	r, err := openRootDir(root)
	if err != nil {
		return nil, err
	}
	return &Server{
		root:      r,
		rootName:  root,
		opts:      o,
		sem:       make(chan struct{}, o.MaxConns),
		done:      make(chan struct{}),
		wait:      CloseWait,
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[net.Conn]struct{}),
		peers:     make(map[netip.Addr]int),
	}, nil
}

// Root returns the directory the server publishes.
func (s *Server) Root() string { return s.rootName }

// openRootDir opens the directory root as an os.Root without ever waiting
// in open(2): os.OpenRoot opens its path without O_DIRECTORY, so a FIFO put
// there after a Stat would hold it. The path is opened O_DIRECTORY (which
// refuses anything else at once) and the Root is made from that very
// directory through /proc/self/fd, where there is one.
func openRootDir(root string) (*os.Root, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if errors.Is(err, unix.ENOTDIR) {
		return nil, fmt.Errorf("gopher server: %s is not a directory", root)
	}
	if err != nil {
		return nil, fmt.Errorf("gopher server: %w", &os.PathError{Op: "open", Path: root, Err: err})
	}
	defer unix.Close(fd)
	via := fmt.Sprintf("/proc/self/fd/%d", fd)
	if _, err := os.Stat(via); err != nil {
		via = root // no /proc: the small window remains
	}
	r, err := os.OpenRoot(via)
	if err != nil {
		return nil, fmt.Errorf("gopher server: %w", err)
	}
	return r, nil
}

// Refused counts the connections closed at once because MaxConns were
// being served.
func (s *Server) Refused() int64 { return s.refused.Load() }

// Serve accepts connections on l until Close is called (it then returns
// ErrServerClosed) or Accept fails for good. It may be called for several
// listeners at once. l is closed when Serve returns.
//
// A failure that passes (out of file descriptors or memory, a connection
// aborted before it was accepted, the network errors accept(2) says to
// retry on) pauses accepting, from 5 ms doubling up to 1 s, and logs once
// when it starts and once when accepting works again; any other error ends
// Serve.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	local := addrPortOf(l.Addr())
	s.report(ServerEvent{Kind: ServerListening, Local: local})
	defer s.report(ServerEvent{Kind: ServerStopped, Local: local})
	var pause time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			if !admit.PassingAcceptError(err) {
				return fmt.Errorf("gopher server: accept: %w", err)
			}
			if pause == 0 {
				pause = 5 * time.Millisecond
				s.report(ServerEvent{Kind: AcceptPaused, Local: local, Err: err})
			} else {
				pause = min(2*pause, time.Second)
			}
			select {
			case <-time.After(pause):
			case <-s.done:
				return ErrServerClosed
			}
			continue
		}
		if pause != 0 {
			pause = 0
			s.report(ServerEvent{Kind: AcceptResumed, Local: local})
		}
		// Take a slot here, in the order connections were accepted, so a
		// later connection cannot take the slot of an earlier one whose
		// goroutine has not run yet; without a slot, no goroutine.
		peer := addrPortOf(c.RemoteAddr())
		select {
		case s.sem <- struct{}{}:
		default:
			s.refuse(c, busyReply)
			s.report(ServerEvent{Kind: ConnRefused, Local: local, Peer: peer})
			continue
		}
		if ok, closed := s.track(c, peer.Addr()); !ok {
			<-s.sem
			if closed {
				c.Close()
				return ErrServerClosed
			}
			s.refuse(c, peerBusyReply)
			s.report(ServerEvent{Kind: ConnRefused, Local: local, Peer: peer, PerPeer: s.opts.MaxPerPeer})
			continue
		}
		go s.handle(c)
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops every Serve call, closes the open connections and waits for
// their handlers to return, but at most CloseWait: a handler stuck in the
// file system (a hung network mount) is left to end on its own, the root
// is closed after it, and Close says so in its error.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return s.root.Close()
	case <-time.After(s.wait):
	}
	go func() {
		<-finished
		s.root.Close()
	}()
	s.mu.Lock()
	n := len(s.conns)
	s.mu.Unlock()
	return fmt.Errorf("gopher server: stopped, but %d request(s) still wait on the file system after %v; they were left to end on their own", n, s.wait)
}

// handle serves one connection, which holds a slot; it frees the slot.
func (s *Server) handle(c net.Conn) {
	ev := ServerEvent{Kind: ConnClosed, Local: addrPortOf(c.LocalAddr()), Peer: addrPortOf(c.RemoteAddr()), End: EndReplied}
	s.report(ServerEvent{Kind: ConnAccepted, Local: ev.Local, Peer: ev.Peer})
	in := &countingReader{r: c}
	dw := &deadlineWriter{conn: c, idle: s.opts.IdleTimeout}
	defer func() {
		// The slot is freed before the close: a client that sees the
		// close and connects again at once finds it free.
		s.mu.Lock()
		delete(s.conns, c)
		if a := ev.Peer.Addr(); a.IsValid() {
			if s.peers[a]--; s.peers[a] <= 0 {
				delete(s.peers, a)
			}
		}
		s.mu.Unlock()
		<-s.sem
		c.Close()
		ev.BytesIn, ev.BytesOut = in.n, dw.n
		s.report(ev)
		s.wg.Done()
	}()
	failed := func(err error) {
		ev.End, ev.Err = EndFailed, err
		s.report(ServerEvent{Kind: RequestFailed, Local: ev.Local, Peer: ev.Peer, Selector: ev.Selector, HasSelector: ev.HasSelector, Err: err})
	}
	c.SetReadDeadline(time.Now().Add(s.opts.IdleTimeout))
	selector, search, err := readRequest(in)
	out := bufio.NewWriterSize(dw, 32<<10)
	if err != nil {
		// A client that connects and goes without a word (a port scan,
		// `nc -z`) made no request to fail: no failure, or a flood of
		// them would bury the terminal.
		if errors.Is(err, io.EOF) {
			ev.End = EndNoRequest
		} else {
			failed(err)
		}
		switch {
		case errors.Is(err, errRequestTooLong):
			writeError(out, err.Error())
			out.Flush()
		case errors.Is(err, os.ErrDeadlineExceeded):
			// A client that trickles its request (slowloris) or sends
			// none: the timeout bounds the whole request.
			writeError(out, fmt.Sprintf("no complete request within %v", s.opts.IdleTimeout))
			out.Flush()
		}
		return
	}
	ev.Selector, ev.HasSelector = selector, true
	c.SetReadDeadline(time.Time{})
	host, port := s.advertised(c)
	req := request{selector: selector, search: search, host: host, port: port}
	if err := s.answer(out, req); err != nil {
		failed(err)
		return
	}
	if err := out.Flush(); err != nil {
		failed(err)
	}
}

// advertised returns the host and port menus should point at.
func (s *Server) advertised(c net.Conn) (string, int) {
	host, port := s.opts.Host, s.opts.Port
	if host != "" && port != 0 {
		return host, port
	}
	h, p, err := net.SplitHostPort(c.LocalAddr().String())
	if err == nil {
		if host == "" {
			host = h
		}
		if port == 0 {
			port, _ = strconv.Atoi(p)
		}
	}
	if host == "" {
		host = "localhost"
	}
	if port == 0 {
		port = DefaultPort
	}
	return host, port
}
