package demo

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"time"
)

// A demo server's connections: the peer's address and path, and the byte counts of a connection.

// peerPath is a Unix client's name ("" unnamed, or not Unix).
func peerPath(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.UnixAddr); ok && a != nil && a.Name != "@" {
		return a.Name
	}
	return ""
}

// addrPort is a TCP or UDP address as a netip.AddrPort, an IPv4-mapped
// address as the IPv4 one.
func addrPort(a net.Addr) netip.AddrPort {
	switch x := a.(type) {
	case *net.TCPAddr:
		return unmapped(x.AddrPort())
	case *net.UDPAddr:
		return unmapped(x.AddrPort())
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}

func unmapped(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// countedConn counts bytes and pushes the idle deadline forward on each
// read and write, never past the end of the connection's life.
type countedConn struct {
	net.Conn
	idle      time.Duration
	end       time.Time // MaxLife after the connection was accepted
	in, out   *atomic.Int64
	nIn, nOut int64
}

// deadline is the next read's or write's: idle from now, or the end of
// the connection's life if that comes first.
func (c *countedConn) deadline() time.Time {
	d := time.Now().Add(c.idle)
	if c.end.Before(d) {
		return c.end
	}
	return d
}

func (c *countedConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(c.deadline())
	n, err := c.Conn.Read(p)
	c.nIn += int64(n)
	c.in.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(c.deadline())
	n, err := c.Conn.Write(p)
	c.nOut += int64(n)
	c.out.Add(int64(n))
	return n, err
}

// handshakeError is a TLS handshake that did not complete.
type handshakeError struct{ err error }

func (e handshakeError) Error() string { return "the TLS handshake did not complete: " + e.err.Error() }
func (e handshakeError) Unwrap() error { return e.err }

// handshake completes a TLS server's handshake within HandshakeTimeout
// (the deadline covers the whole of it, however slowly the client's hello
// comes); a plain connection has none. Without it, a service that only
// writes (daytime, chargen) would wait for the client's hello for ever.
func (s *Server) handshake(c net.Conn) error {
	tc, ok := c.(*tls.Conn)
	if !ok {
		return nil
	}
	tc.SetDeadline(time.Now().Add(s.opts.HandshakeTimeout))
	if err := tc.Handshake(); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("none within %v", s.opts.HandshakeTimeout)
		}
		return handshakeError{err}
	}
	tc.SetDeadline(time.Time{})
	return nil
}
