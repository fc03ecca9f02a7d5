// The page's HTTP server: the page at /, its state as JSON at /state, and
// its stream of changes at /events (Server-Sent Events: the whole state
// first, then one delta per change, each with its revision as id). Only
// GET and HEAD: nothing served can change the session. Bound beyond
// loopback, every request must carry the random token printed with the
// URL (?token=), as Jupyter does; a wrong or missing one gets 403.
package classroom

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// keepAlive is how often an idle stream gets a comment line, so that a
// dead browser's connection is noticed.
const keepAlive = 15 * time.Second

// Server serves one hub's page.
type Server struct {
	hub     *Hub
	ln      net.Listener
	srv     *http.Server
	token   string // "" when none is required
	network bool
	done    chan struct{}
	once    sync.Once
	refused atomic.Int64 // connections and streams answered 503
	lim     Limits
	limited *capListener
}

// Refused counts the connections and streams answered 503: over
// Limits.MaxConns or Limits.MaxFollowers.
func (s *Server) Refused() int64 { return s.refused.Load() }

// Visible reports whether a page bound to addr can be reached from other
// machines: any address but a loopback one (0.0.0.0 and :: are every
// interface's).
func Visible(addr netip.Addr) bool { return !addr.Unmap().IsLoopback() }

// NewToken is a random token of 128 bits, in hex.
func NewToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Serve serves the hub's page on ln until Close. A token is required when
// the listener is visible to the network, or when requireToken asks for
// one on loopback too.
func Serve(ln net.Listener, hub *Hub, requireToken bool) *Server {
	return serve(ln, hub, requireToken, DefaultLimits)
}

func serve(ln net.Listener, hub *Hub, requireToken bool, lim Limits) *Server {
	s := &Server{hub: hub, ln: ln, done: make(chan struct{}), lim: lim}
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err == nil {
		s.network = Visible(ap.Addr())
	}
	if s.network || requireToken {
		s.token = NewToken()
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: lim.HeaderTimeout, IdleTimeout: lim.IdleTimeout, MaxHeaderBytes: MaxHeaderBytes,
		ErrorLog: log.New(io.Discard, "", 0)} // a client's bad request is its own business, not the terminal's
	s.limited = limitListener(ln, lim, func() { s.refused.Add(1) })
	go func() {
		s.srv.Serve(s.limited)
		close(s.done)
	}()
	return s
}

// URL is the page's address, with the token when one is required.
func (s *Server) URL() string {
	u := "http://" + s.ln.Addr().String() + "/"
	if s.token != "" {
		u += "?token=" + s.token
	}
	return u
}

// Addr is the address the page is bound to.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Network reports whether the page is visible beyond this machine.
func (s *Server) Network() bool { return s.network }

// Token reports whether the page requires a token.
func (s *Server) Token() bool { return s.token != "" }

// Close stops the server: the listener, every request and every stream.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		s.hub.closeAll()
		err = s.srv.Close()
		<-s.done
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	})
	return err
}

// ServeHTTP answers one request: read-only, token checked.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "the page is read-only: GET only", http.StatusMethodNotAllowed)
		return
	}
	if why := s.refuse(r); why != "" {
		http.Error(w, why, http.StatusForbidden)
		return
	}
	switch r.URL.Path {
	case "/":
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", pageCSP())
		w.Write(Page(s.hub.State(), true))
	case "/state":
		h.Set("Content-Type", "application/json")
		w.Write(stateJSON(s.hub.State()))
	case "/events":
		s.stream(w, r)
	default:
		http.NotFound(w, r)
	}
}

// refuse says why a request is refused ("" when it is not): a wrong or
// missing token where one is required; without a token, a Host that is
// no loopback name, which only a page of another site rebinding its name
// to this machine would send.
func (s *Server) refuse(r *http.Request) string {
	if s.token != "" {
		got := r.URL.Query().Get("token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
			return "403 forbidden: this page needs the token printed with its URL (?token=…)"
		}
		return ""
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return ""
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Unmap().IsLoopback() {
		return ""
	}
	return "403 forbidden: a page bound to loopback answers only a loopback Host"
}

// stream sends the whole state, then every delta, until the browser goes
// or the server closes. A browser that fell behind is dropped by the hub
// and reconnects.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	_, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	c, first := s.hub.follow(s.lim.MaxFollowers)
	if c == nil {
		s.refused.Add(1)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Retry-After", "1")
		http.Error(w, "503: "+strconv.Itoa(s.lim.MaxFollowers)+" pages follow this session already; this one tries again every second", http.StatusServiceUnavailable)
		return
	}
	defer s.hub.unfollow(c)
	rc := http.NewResponseController(w)
	write := func(b []byte) error {
		rc.SetWriteDeadline(time.Now().Add(s.lim.WriteTimeout)) // a browser that stopped reading is cut off
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if write(append([]byte("retry: 1000\n\n"), first...)) != nil {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case msg, ok := <-c.ch:
			if !ok || write(msg) != nil {
				return
			}
		case <-tick.C:
			if write([]byte(": keep-alive\n\n")) != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
}
