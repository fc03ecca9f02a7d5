package bsd

import (
	"context"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Unix socket pairs and descriptors passed over them (SCM_RIGHTS), a peer's credentials and a socket's queues.

// Pair makes two connected AF_UNIX sockets with socketpair(2), as Python's
// socket.socketpair() does; each first reports EventCreated, Op
// "socketpair".
func (c Config) Pair(sotype int) (*Socket, *Socket, error) {
	fds, err := sysSocketpair(c.Trace, unix.AF_UNIX, sotype)
	if err != nil {
		return nil, nil, opError("socketpair", "", err)
	}
	var socks [2]*Socket
	for i, fd := range fds {
		s, err := newSocket(fd, unix.AF_UNIX, sotype, 0, c.Trace)
		if err != nil {
			if i == 1 {
				socks[0].Close()
			}
			sysCloseFD(c.Trace, fds[1])
			return nil, nil, err
		}
		s.conned.Store(true)
		s.report = c.Report
		socks[i] = s
	}
	for _, s := range socks {
		s.emit(Event{Kind: EventCreated, Op: "socketpair", FromFD: -1})
	}
	return socks[0], socks[1], nil
}

// Adopt makes a Socket of a descriptor this process now owns (one that
// arrived with RecvFDs): its family, type and protocol are the kernel's
// (SO_DOMAIN, SO_TYPE, SO_PROTOCOL). via is the descriptor it came over,
// for the EventCreated it reports (Op "recv_fds"). A descriptor that is
// not a socket fails with ENOTSOCK and stays open, the caller's.
func (c Config) Adopt(fd, via int) (*Socket, error) {
	tr := c.Trace
	sotype, err := sysGetsockoptInt(tr, fd, unix.SOL_SOCKET, unix.SO_TYPE, "SO_TYPE")
	var family, proto int
	if err == nil {
		family, err = sysGetsockoptInt(tr, fd, unix.SOL_SOCKET, unix.SO_DOMAIN, "SO_DOMAIN")
	}
	if err == nil {
		proto, err = sysGetsockoptInt(tr, fd, unix.SOL_SOCKET, unix.SO_PROTOCOL, "SO_PROTOCOL")
	}
	if err == nil {
		err = sysSetNonblock(tr, fd)
	}
	if err != nil {
		return nil, opError("recv_fds", "", err)
	}
	s, err := newSocket(fd, family, sotype, proto, tr)
	if err != nil {
		return nil, err
	}
	if _, perr := unix.Getpeername(fd); perr == nil {
		s.conned.Store(true) // a connected socket has a peer to hear from
	}
	s.report = c.Report
	s.emit(Event{Kind: EventCreated, Op: "recv_fds", FromFD: via})
	return s, nil
}

// SendFDs sends data with the descriptors fds as SCM_RIGHTS ancillary
// data in one sendmsg(2) (Python's socket.send_fds(s, [data], fds)): the
// receiver gets its own descriptors for the same open files. It returns
// the bytes sent. At least one byte goes with them on a stream socket,
// or the descriptors would travel with nothing to read.
func (s *Socket) SendFDs(ctx context.Context, data []byte, fds []int) (int, error) {
	if s.family != unix.AF_UNIX {
		return 0, &Error{Op: "send_fds", Err: unix.EOPNOTSUPP, Why: "descriptors travel only over AF_UNIX sockets (SCM_RIGHTS)"}
	}
	oob := unix.UnixRights(fds...)
	tr := s.tr()
	var n int
	var callErr error
	err := s.await(ctx, writable, nil, func(fd int) bool {
		n, callErr = sysSendmsgRights(tr, fd, data, oob, fds)
		return callErr != unix.EAGAIN && callErr != unix.EINTR
	})
	if err == nil {
		err = callErr
	}
	if err != nil {
		s.notePeer(err)
		err = opError("send_fds", "", s.withWhy(err))
		s.reportCall(EventSent, "send_fds", 0, netip.AddrPort{}, err)
		return 0, err
	}
	s.sent.Add(int64(n))
	s.reportCall(EventSent, "send_fds", int64(n), netip.AddrPort{}, nil)
	return n, nil
}

// RecvFDs receives up to n bytes and up to maxfds descriptors with one
// recvmsg(2) (Python's socket.recv_fds(s, n, maxfds)). The descriptors
// are this process's, close-on-exec; flags is recvmsg's msg_flags
// (MSG_CTRUNC: more descriptors came than there was room for, and the
// kernel closed the rest).
func (s *Socket) RecvFDs(ctx context.Context, n, maxfds int) (data []byte, fds []int, flags int, err error) {
	if err := checkBufsize("recv_fds", n); err != nil {
		return nil, nil, 0, err
	}
	if maxfds < 1 || maxfds > 253 { // SCM_MAX_FD
		return nil, nil, 0, &Error{Op: "recv_fds", Class: "ValueError", Msg: "maxfds must be 1 to 253 (SCM_MAX_FD)"}
	}
	buf := make([]byte, n)
	oob := make([]byte, unix.CmsgSpace(maxfds*4))
	tr := s.tr()
	var got, oobn int
	var callErr error
	err = s.await(ctx, readable, nil, func(fd int) bool {
		got, oobn, flags, callErr = sysRecvmsgRights(tr, fd, buf, oob)
		return callErr != unix.EAGAIN && callErr != unix.EINTR
	})
	if err == nil {
		err = callErr
	}
	if err != nil {
		s.notePeer(err)
		err = opError("recv_fds", "", err)
		s.reportCall(EventReceived, "recv_fds", 0, netip.AddrPort{}, err)
		return nil, nil, 0, err
	}
	s.recvd.Add(int64(got))
	flags &^= unix.MSG_CMSG_CLOEXEC // the kernel echoes the flag asked for; Python, which does not ask, sees 0
	if msgs, perr := unix.ParseSocketControlMessage(oob[:oobn]); perr == nil {
		for _, m := range msgs {
			if rights, rerr := unix.ParseUnixRights(&m); rerr == nil {
				fds = append(fds, rights...)
			}
		}
	}
	if got == 0 && n > 0 && len(fds) == 0 && s.sotype == unix.SOCK_STREAM {
		s.control(func(fd int) error { s.noteEOF(fd); return nil })
	}
	s.reportCall(EventReceived, "recv_fds", int64(got), netip.AddrPort{}, nil)
	return buf[:got], fds, flags, nil
}

// Cred is the peer's credentials as SO_PEERCRED gives them (struct ucred),
// with the 12 bytes Python's getsockopt(SOL_SOCKET, SO_PEERCRED, 12)
// returns.
type Cred struct {
	Pid, Uid, Gid int64
	Raw           []byte
}

// decodeCred reads struct ucred {pid_t pid; uid_t uid; gid_t gid;} from
// the bytes the kernel wrote, in this machine's byte order.
func decodeCred(raw []byte) Cred {
	u := (*unix.Ucred)(unsafe.Pointer(&raw[0]))
	return Cred{Pid: int64(u.Pid), Uid: int64(u.Uid), Gid: int64(u.Gid), Raw: raw}
}

// String is the struct in words: "pid 1234, uid 0, gid 0"; a socket with
// no peer gives pid 0, uid and gid 4294967295 ((uid_t)-1, unsigned).
func (c Cred) String() string {
	return fmt.Sprintf("pid %d, uid %d, gid %d", c.Pid, c.Uid, c.Gid)
}

// Queues returns what the kernel holds for the socket: in, the bytes
// queued to read (SIOCINQ: on a stream all of them, on a datagram socket
// the next datagram's size), and out (SIOCOUTQ: on a TCP socket the bytes
// not yet acknowledged; on a Unix one the memory its sent buffers still
// take, overhead included).
func (s *Socket) Queues() (in, out int, err error) {
	err = s.control(func(fd int) error {
		var e error
		if in, e = unix.IoctlGetInt(fd, unix.SIOCINQ); e != nil {
			return e
		}
		out, e = unix.IoctlGetInt(fd, unix.SIOCOUTQ)
		return e
	})
	return in, out, err
}
