// The page's server under load: how many connections it holds, how many
// browsers follow its stream, how big a request may be and how long one
// may take. A request past a limit is answered 503 (a connection over the
// cap, by the accepting goroutine itself, without a goroutine of its own),
// so a flood of idle or slow clients costs the shell a bounded number of
// descriptors and goroutines.
package classroom

import (
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Limits bound what clients may take of the page's server.
type Limits struct {
	// MaxConns caps the connections held at once; more are answered 503
	// and closed at once.
	MaxConns int
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
var DefaultLimits = Limits{MaxConns: 128, MaxFollowers: 64, HeaderTimeout: 10 * time.Second,
	IdleTimeout: 60 * time.Second, WriteTimeout: 2 * keepAlive}

// MaxHeaderBytes bounds a request's line and headers.
const MaxHeaderBytes = 16 << 10

// busyReply answers a connection over MaxConns.
func busyReply(limit int) []byte {
	body := "503: the page's server has " + strconv.Itoa(limit) + " connections open already; try again in a moment\n"
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n" +
		"Connection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}

// capListener hands out at most cap connections at once; one more is
// answered busy and closed by Accept itself.
type capListener struct {
	net.Listener
	slots   chan struct{}
	busy    []byte
	refused func()
}

func limitListener(l net.Listener, n int, refused func()) *capListener {
	return &capListener{Listener: l, slots: make(chan struct{}, n), busy: busyReply(n), refused: refused}
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, free: func() { <-l.slots }}, nil
		default:
			refuseBusy(c, l.busy)
			if l.refused != nil {
				l.refused()
			}
		}
	}
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

// refuseBusy answers a connection without waiting: it reads and drops
// what request has come (so the close is no reset), writes the 503 if the
// socket takes it at once, and closes.
func refuseBusy(c net.Conn, reply []byte) {
	defer c.Close()
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	var buf [4096]byte
	rc.Control(func(fd uintptr) {
		for range 16 {
			if n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_DONTWAIT); n <= 0 || err != nil {
				break
			}
		}
		syscall.Sendto(int(fd), reply, syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, nil)
	})
}
