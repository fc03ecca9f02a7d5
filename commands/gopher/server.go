// The server: accepting connections, reading one request each, and
// answering it from the directory tree (see serverfs.go).

package gopher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for ServerOptions.
const (
	DefaultIdleTimeout = 30 * time.Second
	DefaultMaxConns    = 32
	MaxSelectorBytes   = 1024
)

// ErrServerClosed is returned by Serve once Close has been called.
var ErrServerClosed = errors.New("gopher: server closed")

// ServerOptions tunes a Server. The zero value is ready to use.
type ServerOptions struct {
	// Host and Port are written into menu items that point back at this
	// server. By default they are the address the client connected to.
	Host string
	Port int
	// IdleTimeout bounds how long a connection may go without progress:
	// waiting for the request, and each write of the reply. Default 30 s.
	IdleTimeout time.Duration
	// MaxConns caps the connections served at once; a connection beyond
	// it gets an error item and is closed. Default 32.
	MaxConns int
	// Logf, when set, receives one line per failed connection.
	Logf func(format string, args ...any)
}

// Server publishes a directory over gopher. Directories are menus (from a
// gophermap file when there is one), files are sent byte for byte. It
// never serves anything outside its root: selectors with "..", hidden
// names (starting with '.'), NUL bytes and symbolic links leading out of
// the root are answered with an error item.
type Server struct {
	root *os.Root
	opts ServerOptions
	sem  chan struct{}

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
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
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("gopher server: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("gopher server: %s is not a directory", root)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("gopher server: %w", err)
	}
	return &Server{
		root:      r,
		opts:      o,
		sem:       make(chan struct{}, o.MaxConns),
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[net.Conn]struct{}),
	}, nil
}

// Root returns the directory the server publishes.
func (s *Server) Root() string { return s.root.Name() }

// Serve accepts connections on l until Close is called (it then returns
// ErrServerClosed) or Accept fails. It may be called for several
// listeners at once. l is closed when Serve returns.
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
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			return fmt.Errorf("gopher server: accept: %w", err)
		}
		if !s.track(c) {
			c.Close()
			return ErrServerClosed
		}
		// Take a slot here, in the order connections were accepted, so a
		// later connection cannot take the slot of an earlier one whose
		// goroutine has not run yet.
		busy := false
		select {
		case s.sem <- struct{}{}:
		default:
			busy = true
		}
		go s.handle(c, busy)
	}
}

// track registers a new connection; it reports false once closed.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

// Close stops every Serve call, closes the open connections and waits for
// their handlers to finish.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return s.root.Close()
}

// handle serves one connection; busy means no slot was free for it, and it
// only gets an error item. A connection that was not busy frees its slot.
func (s *Server) handle(c net.Conn, busy bool) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.wg.Done()
	}()
	if !busy {
		defer func() { <-s.sem }()
	}
	out := bufio.NewWriterSize(&deadlineWriter{conn: c, idle: s.opts.IdleTimeout}, 32<<10)
	wait := s.opts.IdleTimeout
	if busy {
		wait = min(wait, time.Second) // do not let a flood pile up
	}
	c.SetReadDeadline(time.Now().Add(wait))
	selector, search, err := readRequest(c)
	if busy {
		// The request is read first: closing a socket with unread data
		// resets the connection, and the client could lose the reply.
		writeError(out, "server busy, try again later")
		out.Flush()
		return
	}
	if err != nil {
		s.logf("gopher server: %v: %v", c.RemoteAddr(), err)
		if errors.Is(err, errRequestTooLong) {
			writeError(out, err.Error())
			out.Flush()
		}
		return
	}
	c.SetReadDeadline(time.Time{})
	host, port := s.advertised(c)
	req := request{selector: selector, search: search, host: host, port: port}
	if err := s.answer(out, req); err != nil {
		s.logf("gopher server: %v: %q: %v", c.RemoteAddr(), selector, err)
		return
	}
	if err := out.Flush(); err != nil {
		s.logf("gopher server: %v: %q: %v", c.RemoteAddr(), selector, err)
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
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

var errRequestTooLong = fmt.Errorf("selector longer than %d bytes", MaxSelectorBytes)

// readRequest reads "SELECTOR[\tSEARCH[\t…]]" up to CRLF, LF or the end of
// the input.
func readRequest(r io.Reader) (selector, search string, err error) {
	// Room for the selector, a tab, a search string as long, and CRLF.
	br := bufio.NewReaderSize(r, 2*MaxSelectorBytes+3)
	line, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", "", errRequestTooLong
	case err == io.EOF && len(line) > 0:
	case err != nil:
		return "", "", fmt.Errorf("read request: %w", err)
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	selector, search, _ = strings.Cut(text, "\t")
	search, _, _ = strings.Cut(search, "\t") // drop a gopher+ field
	if len(selector) > MaxSelectorBytes {
		return "", "", errRequestTooLong
	}
	return selector, search, nil
}

// deadlineWriter gives every write its own deadline, so a client that stops
// reading is dropped after the idle timeout while a slow but steady one is
// not.
type deadlineWriter struct {
	conn net.Conn
	idle time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.conn.SetWriteDeadline(time.Now().Add(d.idle))
	return d.conn.Write(p)
}

// writeError writes an error item and the menu terminator.
func writeError(w io.Writer, msg string) {
	io.WriteString(w, Item{Type: '3', Display: msg, Host: "error.host", Port: 1}.Line()+".\r\n")
}
