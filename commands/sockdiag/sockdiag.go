// Package sockdiag asks the kernel's socket table about one TCP
// connection by its 4-tuple, through netlink sock_diag (as ss does): it
// finds connections that no descriptor holds any more (TIME_WAIT after
// close), and the state the table shows when TCP_INFO on a descriptor
// reads CLOSE.
package sockdiag

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// Entry is what the table says of one connection.
type Entry struct {
	State   uint8         // the kernel's TCP state (include/net/tcp_states.h)
	Expires time.Duration // time left on its timer (TIME_WAIT: until it is gone); 0 when none
}

// ErrNotFound: no connection with that 4-tuple is in the table.
var ErrNotFound = errors.New("no such connection in the kernel's socket table")

const reqLen = 56 // struct inet_diag_req_v2

// Lookup asks for the TCP connection local → remote (both the same family).
func Lookup(local, remote netip.AddrPort) (Entry, error) {
	fam := unix.AF_INET
	if local.Addr().Is6() && !local.Addr().Is4In6() {
		fam = unix.AF_INET6
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return Entry{}, err
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(int64(2 * time.Second))
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)

	msg := make([]byte, unix.NLMSG_HDRLEN+reqLen)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(msg[6:], unix.NLM_F_REQUEST) // no DUMP: the kernel looks the 4-tuple up
	ne.PutUint32(msg[8:], 1)
	r := msg[unix.NLMSG_HDRLEN:]
	r[0], r[1] = byte(fam), unix.IPPROTO_TCP
	ne.PutUint32(r[4:], 0xffffffff) // every state
	id := r[8:]
	binary.BigEndian.PutUint16(id[0:], local.Port())
	binary.BigEndian.PutUint16(id[2:], remote.Port())
	putAddr(id[4:20], local.Addr(), fam)
	putAddr(id[20:36], remote.Addr(), fam)
	ne.PutUint32(id[40:], 0xffffffff) // INET_DIAG_NOCOOKIE
	ne.PutUint32(id[44:], 0xffffffff)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return Entry{}, err
	}
	buf := make([]byte, 8192)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return Entry{}, err
	}
	for b := buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
		l := int(ne.Uint32(b[0:]))
		typ := ne.Uint16(b[4:])
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return Entry{}, errors.New("sock_diag: malformed answer")
		}
		d := b[unix.NLMSG_HDRLEN:l]
		switch typ {
		case unix.NLMSG_ERROR:
			if len(d) >= 4 {
				if e := int32(ne.Uint32(d)); e != 0 {
					if unix.Errno(-e) == unix.ENOENT {
						return Entry{}, ErrNotFound
					}
					return Entry{}, unix.Errno(-e)
				}
			}
		case unix.SOCK_DIAG_BY_FAMILY:
			if len(d) < 72 { // struct inet_diag_msg
				return Entry{}, errors.New("sock_diag: short answer")
			}
			// The lookup falls back to a listener on the local port: only
			// the connection itself, with both ports, is an answer.
			if binary.BigEndian.Uint16(d[4:]) != local.Port() || binary.BigEndian.Uint16(d[6:]) != remote.Port() {
				return Entry{}, ErrNotFound
			}
			return Entry{State: d[1], Expires: time.Duration(ne.Uint32(d[52:])) * time.Millisecond}, nil
		}
		b = b[(l+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1):]
	}
	return Entry{}, ErrNotFound
}

func putAddr(b []byte, a netip.Addr, fam int) {
	if fam == unix.AF_INET {
		v := a.Unmap().As4()
		copy(b, v[:])
		return
	}
	v := a.As16()
	copy(b, v[:])
}

// Conn is one connection of a dump of the table.
type Conn struct {
	Local, Remote netip.AddrPort
	Entry
}

// ByLocal returns the TCP connections in the kernel's table whose local
// end is local, in the states of the mask (1 << state; 0 for every state):
// a descriptor whose TCP_INFO reads CLOSE no longer knows its peer
// (getpeername fails), but the table still holds the connection in
// TIME_WAIT under its local address. It asks for a dump (NLM_F_DUMP) and
// keeps the entries with that local address and port.
func ByLocal(local netip.AddrPort, states uint32) ([]Conn, error) {
	fam := unix.AF_INET
	if local.Addr().Is6() && !local.Addr().Is4In6() {
		fam = unix.AF_INET6
	}
	if states == 0 {
		states = 0xffffffff
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(int64(2 * time.Second))
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	msg := make([]byte, unix.NLMSG_HDRLEN+reqLen)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(msg[8:], 2)
	r := msg[unix.NLMSG_HDRLEN:]
	r[0], r[1] = byte(fam), unix.IPPROTO_TCP
	ne.PutUint32(r[4:], states)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, err
	}
	want := local.Addr().Unmap()
	var out []Conn
	buf := make([]byte, 32768)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, err
		}
		for b := buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
			l := int(ne.Uint32(b[0:]))
			typ := ne.Uint16(b[4:])
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				return nil, errors.New("sock_diag: malformed answer")
			}
			d := b[unix.NLMSG_HDRLEN:l]
			switch typ {
			case unix.NLMSG_DONE:
				return out, nil
			case unix.NLMSG_ERROR:
				if len(d) >= 4 {
					if e := int32(ne.Uint32(d)); e != 0 {
						return nil, unix.Errno(-e)
					}
				}
				return out, nil
			case unix.SOCK_DIAG_BY_FAMILY:
				if len(d) < 72 {
					return nil, errors.New("sock_diag: short answer")
				}
				c := Conn{
					Local:  netip.AddrPortFrom(getAddr(d[8:24], fam), binary.BigEndian.Uint16(d[4:])),
					Remote: netip.AddrPortFrom(getAddr(d[24:40], fam), binary.BigEndian.Uint16(d[6:])),
					Entry:  Entry{State: d[1], Expires: time.Duration(ne.Uint32(d[52:])) * time.Millisecond},
				}
				if c.Local.Port() == local.Port() && c.Local.Addr() == want {
					out = append(out, c)
				}
			}
			b = b[(l+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1):]
		}
	}
}

func getAddr(b []byte, fam int) netip.Addr {
	if fam == unix.AF_INET {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16([16]byte(b[:16])).Unmap()
}
