// This file converts between netip addresses and the kernel's socket
// addresses, and spells them for traces and Python tuples.

package bsd

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SockAddr is a socket address as getsockname/getpeername give it: an
// Internet one, Python's ('127.0.0.1', 80) or, for IPv6, ('::1', 80,
// flowinfo, scope_id); or, with Unix set, an AF_UNIX one, its Path.
type SockAddr struct {
	netip.AddrPort        // the address (with its zone for a scoped IPv6 address) and port
	IPv6           bool   // from an AF_INET6 socket: Python shows a 4-tuple
	FlowInfo       uint32 // IPv6 flow information (sin6_flowinfo)
	ScopeID        uint32 // IPv6 scope (interface index, sin6_scope_id)

	Unix bool   // an AF_UNIX address: Path is it
	Path string // sun_path as the kernel gave it: "" unbound, "/tmp/x.sock", "\x00name" abstract (every byte)
}

// Abstract reports whether a Unix address is in the abstract namespace
// (sun_path starts with a NUL byte): Python shows it as bytes, b'\x00name'.
func (a SockAddr) Abstract() bool { return a.Unix && len(a.Path) > 0 && a.Path[0] == 0 }

// Tuple returns the address as Python's repr shows it:
// ('127.0.0.1', 8080) or ('::1', 8080, 0, 0).
func (a SockAddr) Tuple() string {
	var buf [80]byte
	return string(a.AppendTuple(buf[:0]))
}

// AppendTuple appends Tuple's text to dst: appended, not formatted with
// fmt, since each connected socket's repr shows two.
func (a SockAddr) AppendTuple(dst []byte) []byte {
	dst = append(dst, "('"...)
	dst = a.Addr().AppendTo(dst)
	dst = append(dst, "', "...)
	dst = strconv.AppendUint(dst, uint64(a.Port()), 10)
	if a.IPv6 {
		dst = append(dst, ", "...)
		dst = strconv.AppendUint(dst, uint64(a.FlowInfo), 10)
		dst = append(dst, ", "...)
		dst = strconv.AppendUint(dst, uint64(a.ScopeID), 10)
	}
	return append(dst, ')')
}

// toSockaddr builds the kernel address for ip:port on a socket of the family.
// An IPv4 address on an AF_INET6 socket becomes its IPv4-mapped form
// (::ffff:a.b.c.d); an IPv6 address on an AF_INET socket is refused with
// EAFNOSUPPORT, as the kernel would.
func toSockaddr(family int, ip netip.Addr, port int) (unix.Sockaddr, error) {
	if port < 0 || port > 65535 {
		return nil, &Error{Op: "address", Class: "OverflowError", Msg: "port must be 0-65535."}
	}
	if !ip.IsValid() {
		if family == unix.AF_INET6 {
			ip = netip.IPv6Unspecified()
		} else {
			ip = netip.IPv4Unspecified()
		}
	}
	switch family {
	case unix.AF_INET:
		ip = ip.Unmap()
		if !ip.Is4() {
			return nil, unix.EAFNOSUPPORT
		}
		return &unix.SockaddrInet4{Port: port, Addr: ip.As4()}, nil
	case unix.AF_INET6:
		sa := &unix.SockaddrInet6{Port: port, Addr: ip.As16()}
		if z := ip.Zone(); z != "" {
			id, err := zoneIndex(z)
			if err != nil {
				return nil, err
			}
			sa.ZoneId = id
		}
		return sa, nil
	}
	return nil, unix.EAFNOSUPPORT
}

// zoneIndex turns an IPv6 zone ("eth0" or "2") into an interface index.
func zoneIndex(zone string) (uint32, error) {
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, unix.ENXIO
	}
	return uint32(ifi.Index), nil
}

// fromSockaddr converts a kernel address to a SockAddr.
func fromSockaddr(sa unix.Sockaddr) SockAddr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return SockAddr{AddrPort: netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))}
	case *unix.SockaddrInet6:
		ip := netip.AddrFrom16(a.Addr)
		if a.ZoneId != 0 {
			zone := strconv.FormatUint(uint64(a.ZoneId), 10)
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				zone = ifi.Name
			}
			ip = ip.WithZone(zone)
		}
		return SockAddr{AddrPort: netip.AddrPortFrom(ip, uint16(a.Port)), IPv6: true, ScopeID: a.ZoneId}
	}
	return SockAddr{}
}

// formatSockaddr spells a kernel address for a trace: {AF_INET, 127.0.0.1:8080}.
func formatSockaddr(sa unix.Sockaddr) string {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return fmt.Sprintf("{AF_INET, %s}", fromSockaddr(sa).AddrPort)
	case *unix.SockaddrInet6:
		return fmt.Sprintf("{AF_INET6, %s}", fromSockaddr(sa).AddrPort)
	case *unix.SockaddrUnix:
		return formatUnix(a.Name)
	case nil:
		return "NULL"
	}
	return fmt.Sprintf("%v", sa)
}

// rawSockAddr is rawToSockAddr's SockAddr alone: the kernel's form it is
// read through stays on the stack.
func rawSockAddr(rsa *unix.RawSockaddrAny, l uint32) SockAddr {
	switch rsa.Addr.Family {
	case unix.AF_UNIX:
		return SockAddr{Unix: true, Path: unixPathOf((*unix.RawSockaddrUnix)(unsafe.Pointer(rsa)), l)}
	case unix.AF_INET:
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		ksa := unix.SockaddrInet4{Port: getPort(p.Port), Addr: p.Addr}
		return fromSockaddr(&ksa)
	case unix.AF_INET6:
		p := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		ksa := unix.SockaddrInet6{Port: getPort(p.Port), Addr: p.Addr, ZoneId: p.Scope_id}
		sa := fromSockaddr(&ksa)
		sa.FlowInfo = ntohl(p.Flowinfo)
		return sa
	}
	return SockAddr{}
}
