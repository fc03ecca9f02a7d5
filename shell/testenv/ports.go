// This file holds the loopback sockets tests use: each on a port the
// kernel chose (port 0) and held by the test until it ends, so no other
// test or program can take the port in between.

package testenv

import (
	"net"
	"syscall"
	"testing"
)

// loopback is the loopback address of a network: "tcp", "tcp4", "udp" and
// "udp4" are IPv4, "tcp6" and "udp6" IPv6.
func loopback(network string) string {
	if network == "tcp6" || network == "udp6" {
		return "::1"
	}
	return "127.0.0.1"
}

// Listen returns a TCP listener on loopback port 0 ("tcp" or "tcp4":
// 127.0.0.1, "tcp6": ::1), closed when the test ends. A test without IPv6
// loopback skips for "tcp6".
func Listen(t testing.TB, network string) net.Listener {
	t.Helper()
	l, err := net.Listen(network, net.JoinHostPort(loopback(network), "0"))
	if err != nil {
		if network == "tcp6" {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// ListenPacket returns a UDP socket on loopback port 0 ("udp", "udp6"),
// closed when the test ends.
func ListenPacket(t testing.TB, network string) net.PacketConn {
	t.Helper()
	c, err := net.ListenPacket(network, net.JoinHostPort(loopback(network), "0"))
	if err != nil {
		if network == "udp6" {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Port is the port of a listener's or a packet socket's address.
func Port(a net.Addr) int {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.Port
	case *net.UDPAddr:
		return a.Port
	}
	panic("testenv.Port: not a TCP or UDP address: " + a.String())
}

// ClosedPort returns a loopback port where nothing answers: a TCP connect
// ("tcp", "tcp6") is refused and a UDP datagram ("udp") draws ICMP port
// unreachable (ECONNREFUSED on the sender's next call). The test holds the
// port until it ends, so nothing else can start listening there: for TCP a
// socket bound without listen (the kernel answers a SYN with RST), for UDP
// a socket bound and connected to itself (the kernel hands it no datagram
// from any other address).
func ClosedPort(t testing.TB, network string) int {
	t.Helper()
	family, sotype := syscall.AF_INET, syscall.SOCK_STREAM
	var sa syscall.Sockaddr = &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	switch network {
	case "tcp", "tcp4":
	case "tcp6":
		family, sa = syscall.AF_INET6, &syscall.SockaddrInet6{Addr: [16]byte{15: 1}}
	case "udp", "udp4":
		sotype = syscall.SOCK_DGRAM
	default:
		t.Fatalf("testenv.ClosedPort: network %q", network)
	}
	fd, err := syscall.Socket(family, sotype|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, sa); err != nil {
		if family == syscall.AF_INET6 {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	bound, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	if sotype == syscall.SOCK_DGRAM {
		if err := syscall.Connect(fd, bound); err != nil {
			t.Fatal(err)
		}
	}
	switch a := bound.(type) {
	case *syscall.SockaddrInet4:
		return a.Port
	case *syscall.SockaddrInet6:
		return a.Port
	}
	t.Fatalf("getsockname: %T", bound)
	return 0
}
