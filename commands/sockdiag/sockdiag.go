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
