package demo

import (
	"net"
	"net/netip"
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
// read and write.
type countedConn struct {
	net.Conn
	idle      time.Duration
	in, out   *atomic.Int64
	nIn, nOut int64
}

func (c *countedConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	n, err := c.Conn.Read(p)
	c.nIn += int64(n)
	c.in.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.idle))
	n, err := c.Conn.Write(p)
	c.nOut += int64(n)
	c.out.Add(int64(n))
	return n, err
}
