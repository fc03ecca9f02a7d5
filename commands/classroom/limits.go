// The page's server under load: how many connections it holds, how many
// browsers follow its stream, how big a request may be and how long one
// may take. A request past a limit is answered 503 (a connection over the
// cap, by the accepting goroutine itself, without a goroutine of its own),
// so a flood of idle or slow clients costs the shell a bounded number of
// descriptors and goroutines.
package classroom

import (
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/sockshell/sockshell/commands/admit"
)

// Limits bound what clients may take of the page's server.
type Limits struct {
	// MaxConns caps the connections held at once; more are answered 503
	// and closed at once.
	MaxConns int
	// MaxPerPeer caps the connections one client address holds, so that
	// one client cannot take them all; one more is answered 503 too.
	MaxPerPeer int
	// MaxFollowers caps the browsers following the stream at once; one
	// more is answered 503 and its page tries again every second.
	MaxFollowers int
	// HeaderTimeout bounds the wait for a request's line and headers,
	// from the connect (or the end of the previous request on a
	// kept-alive connection): a client that never finishes them
	// (slowloris) is closed without a reply.
	HeaderTimeout time.Duration
	// IdleTimeout closes a kept-alive connection that sends no next
	// request.
	IdleTimeout time.Duration
	// WriteTimeout bounds each write of a reply or of the stream: a
	// browser that stops reading is cut off.
	WriteTimeout time.Duration
}

// DefaultLimits are the page's. A request's line (its URL) and headers
// are bounded by MaxHeaderBytes; a longer one is answered 431 by net/http.
var DefaultLimits = Limits{MaxConns: 128, MaxPerPeer: 32, MaxFollowers: 64, HeaderTimeout: 10 * time.Second,
	IdleTimeout: 60 * time.Second, WriteTimeout: 2 * keepAlive}

// MaxHeaderBytes bounds a request's line and headers.
const MaxHeaderBytes = 16 << 10

// busyReply answers a connection over MaxConns; peerBusyReply one over
// MaxPerPeer.
func busyReply(limit int) []byte {
	return httpBusy("503: the page's server has " + strconv.Itoa(limit) + " connections open already; try again in a moment\n")
}

func peerBusyReply(limit int) []byte {
	return httpBusy("503: " + strconv.Itoa(limit) + " connections from your address are open already, the most one address may hold\n")
}

func httpBusy(body string) []byte {
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n" +
		"Connection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}

// capListener hands out at most n connections at once, and perPeer from
// one client address; one more is answered busy and closed by Accept
// itself.
type capListener struct {
	net.Listener
	n, perPeer int
	refused    func()
	busy       []byte
	peerBusy   []byte

	mu    sync.Mutex
	held  int
	peers map[netip.Addr]int
}

func limitListener(l net.Listener, lim Limits, refused func()) *capListener {
	return &capListener{Listener: l, n: lim.MaxConns, perPeer: lim.MaxPerPeer, refused: refused,
		busy: busyReply(lim.MaxConns), peerBusy: peerBusyReply(lim.MaxPerPeer), peers: map[netip.Addr]int{}}
}

// Held is how many connections are held now.
func (l *capListener) Held() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		peer := peerAddr(c)
		if reply := l.take(peer); reply != nil {
			admit.Refuse(c, reply)
			if l.refused != nil {
				l.refused()
			}
			continue
		}
		return &slotConn{Conn: c, free: func() { l.give(peer) }}, nil
	}
}

// take takes a slot for peer, or returns the reply that refuses it.
func (l *capListener) take(peer netip.Addr) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held >= l.n {
		return l.busy
	}
	if l.perPeer > 0 && peer.IsValid() && l.peers[peer] >= l.perPeer {
		return l.peerBusy
	}
	l.held++
	if peer.IsValid() {
		l.peers[peer]++
	}
	return nil
}

func (l *capListener) give(peer netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held--
	if peer.IsValid() {
		if l.peers[peer]--; l.peers[peer] <= 0 {
			delete(l.peers, peer)
		}
	}
}

// peerAddr is a connection's client address, IPv4-mapped as IPv4.
func peerAddr(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// slotConn frees its slot when it is closed (net/http closes every
// connection it ends).
type slotConn struct {
	net.Conn
	once sync.Once
	free func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.free)
	return err
}
