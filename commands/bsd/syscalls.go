// This file holds one small wrapper per system call: it makes the call and
// records it, with its real arguments and result, in the Trace. Nothing else
// in the package calls golang.org/x/sys/unix for a traced operation.

package bsd

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

func sysSocket(tr *Trace, family, sotype, proto int) (int, error) {
	fd, err := unix.Socket(family, sotype|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if tr != nil { // explain off: nothing to format
		tr.record(fmt.Sprintf("socket(%s, %s|SOCK_NONBLOCK|SOCK_CLOEXEC, %s)",
			FamilyName(family), TypeName(sotype), ProtoName(proto)), int64(fd), err)
	}
	return fd, err
}

func sysSocketpair(tr *Trace, family, sotype int) ([2]int, error) {
	fds, err := unix.Socketpair(family, sotype|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	call := fmt.Sprintf("socketpair(%s, %s|SOCK_NONBLOCK|SOCK_CLOEXEC, 0)", FamilyName(family), TypeName(sotype))
	if err == nil {
		call = fmt.Sprintf("socketpair(%s, %s|SOCK_NONBLOCK|SOCK_CLOEXEC, 0, [%d, %d])", FamilyName(family), TypeName(sotype), fds[0], fds[1])
	}
	tr.record(call, 0, err)
	return fds, err
}

// sysSendmsgRights sends p with the descriptors in oob (SCM_RIGHTS).
func sysSendmsgRights(tr *Trace, fd int, p, oob []byte, fds []int) (int, error) {
	n, err := unix.SendmsgN(fd, p, oob, nil, unix.MSG_NOSIGNAL)
	if err != nil {
		n = 0
	}
	if tr != nil {
		tr.record(fmt.Sprintf("sendmsg(%d, {%s, SCM_RIGHTS %v}, MSG_NOSIGNAL)", fd, count(len(p), "byte"), fds), int64(n), err)
	}
	return n, err
}

// sysRecvmsgRights receives into p, and ancillary data (SCM_RIGHTS) into
// oob, with recvmsg(2); received descriptors are close-on-exec.
func sysRecvmsgRights(tr *Trace, fd int, p, oob []byte) (n, oobn, flags int, err error) {
	n, oobn, flags, _, err = unix.Recvmsg(fd, p, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		n, oobn = 0, 0
	}
	call := fmt.Sprintf("recvmsg(%d, {%d, control %d}, MSG_CMSG_CLOEXEC)", fd, len(p), len(oob))
	if err == nil {
		rights := []int{}
		if msgs, perr := unix.ParseSocketControlMessage(oob[:oobn]); perr == nil {
			for _, m := range msgs {
				if r, rerr := unix.ParseUnixRights(&m); rerr == nil {
					rights = append(rights, r...)
				}
			}
		}
		call = fmt.Sprintf("recvmsg(%d, {%d, SCM_RIGHTS %v}, MSG_CMSG_CLOEXEC)", fd, len(p), rights)
		if flags&unix.MSG_CTRUNC != 0 {
			call += " msg_flags=MSG_CTRUNC"
		}
	}
	tr.record(call, int64(n), err)
	return n, oobn, flags, err
}

// sysGetsockoptBytes reads an option into a buffer of size bytes, as
// Python's getsockopt(level, opt, buflen) does, and returns what the
// kernel wrote.
func sysGetsockoptBytes(tr *Trace, fd, level, opt int, name string, size int) ([]byte, error) {
	buf := make([]byte, size)
	l := uint32(size)
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&l)), 0)
	err := errnoErr(e)
	call := fmt.Sprintf("getsockopt(%d, %s, %s, %d)", fd, LevelName(level), name, size)
	if err == nil {
		buf = buf[:l]
		call = fmt.Sprintf("getsockopt(%d, %s, %s, [%d bytes])", fd, LevelName(level), name, l)
	}
	tr.record(call, 0, err)
	return buf, err
}

func sysDup(tr *Trace, fd int) (int, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if tr != nil {
		tr.record(fmt.Sprintf("fcntl(%d, F_DUPFD_CLOEXEC, 0)", fd), int64(nfd), err)
	}
	return nfd, err
}

// sysClose records a close made by os.File.Close, which owns the descriptor.
func sysClose(tr *Trace, fd int, err error) {
	if tr != nil {
		tr.record(fmt.Sprintf("close(%d)", fd), 0, err)
	}
}

// sysCloseFD closes a descriptor no os.File owns yet.
func sysCloseFD(tr *Trace, fd int) {
	err := unix.Close(fd)
	if tr != nil {
		tr.record(fmt.Sprintf("close(%d)", fd), 0, err)
	}
}

func sysSetNonblock(tr *Trace, fd int) error {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags|unix.O_NONBLOCK)
	}
	if tr != nil {
		tr.record(fmt.Sprintf("fcntl(%d, F_SETFL, flags|O_NONBLOCK)", fd), 0, err)
	}
	return err
}

func sysConnect(tr *Trace, fd int, sa unix.Sockaddr) error {
	err := unix.Connect(fd, sa)
	if tr != nil {
		tr.record(fmt.Sprintf("connect(%d, %s)", fd, formatSockaddr(sa)), 0, err)
	}
	return err
}

func sysBind(tr *Trace, fd int, sa unix.Sockaddr) error {
	err := unix.Bind(fd, sa)
	if tr != nil {
		tr.record(fmt.Sprintf("bind(%d, %s)", fd, formatSockaddr(sa)), 0, err)
	}
	return err
}

func sysListen(tr *Trace, fd, backlog int) error {
	err := unix.Listen(fd, backlog)
	if tr != nil {
		tr.record(fmt.Sprintf("listen(%d, %d)", fd, backlog), 0, err)
	}
	return err
}

func sysAccept(tr *Trace, fd int) (int, unix.Sockaddr, error) {
	nfd, sa, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	call := fmt.Sprintf("accept4(%d, SOCK_NONBLOCK|SOCK_CLOEXEC)", fd)
	if err == nil {
		call = fmt.Sprintf("accept4(%d, %s, SOCK_NONBLOCK|SOCK_CLOEXEC)", fd, formatSockaddr(sa))
	}
	tr.record(call, int64(nfd), err)
	return nfd, sa, err
}

func sysShutdown(tr *Trace, fd, how int, howName string) error {
	err := unix.Shutdown(fd, how)
	if tr != nil {
		tr.record(fmt.Sprintf("shutdown(%d, %s)", fd, howName), 0, err)
	}
	return err
}

// sysSendto sends p with one sendto(2); to may be nil on a connected socket.
func sysSendto(tr *Trace, fd int, p []byte, to unix.Sockaddr) (int, error) {
	var ptr unsafe.Pointer
	var salen uintptr
	var raw4 unix.RawSockaddrInet4
	var raw6 unix.RawSockaddrInet6
	var rawUn unix.RawSockaddrUnix
	switch a := to.(type) {
	case *unix.SockaddrUnix:
		salen = rawUnix(&rawUn, a.Name)
		ptr = unsafe.Pointer(&rawUn)
	case *unix.SockaddrInet4:
		raw4.Family = unix.AF_INET
		putPort(&raw4.Port, a.Port)
		raw4.Addr = a.Addr
		ptr, salen = unsafe.Pointer(&raw4), unix.SizeofSockaddrInet4
	case *unix.SockaddrInet6:
		raw6.Family = unix.AF_INET6
		putPort(&raw6.Port, a.Port)
		raw6.Addr = a.Addr
		raw6.Scope_id = a.ZoneId
		ptr, salen = unsafe.Pointer(&raw6), unix.SizeofSockaddrInet6
	}
	var buf unsafe.Pointer
	if len(p) > 0 {
		buf = unsafe.Pointer(&p[0])
	}
	r, _, e := unix.Syscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(buf), uintptr(len(p)),
		unix.MSG_NOSIGNAL, uintptr(ptr), salen)
	n, err := int(r), errnoErr(e)
	if err != nil {
		n = 0
	}
	switch {
	case tr == nil: // explain off: no trace, nothing to format
	case to == nil:
		if tr != nil {
			tr.record(fmt.Sprintf("sendto(%d, %s)", fd, count(len(p), "byte")), int64(n), err)
		}
	default:
		if tr != nil {
			tr.record(fmt.Sprintf("sendto(%d, %s, %s)", fd, count(len(p), "byte"), formatSockaddr(to)), int64(n), err)
		}
	}
	return n, err
}

// sysRecvfrom receives into p with one recvfrom(2), and the sender's
// address when the kernel gave one (ok false: none, as from an unbound
// Unix socket or on a connected stream).
func sysRecvfrom(tr *Trace, fd int, p []byte) (n int, from SockAddr, ok bool, err error) {
	var rsa unix.RawSockaddrAny
	l := uint32(unix.SizeofSockaddrAny)
	var buf unsafe.Pointer
	if len(p) > 0 {
		buf = unsafe.Pointer(&p[0])
	}
	r, _, e := unix.Syscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(buf), uintptr(len(p)), 0,
		uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&l)))
	n, err = int(r), errnoErr(e)
	if err != nil {
		n = 0
	}
	if tr != nil { // explain off: no trace, nothing to format
		tr.record(fmt.Sprintf("recvfrom(%d, %d)", fd, len(p)), int64(n), err)
	}
	if err == nil && l > 0 && rsa.Addr.Family != unix.AF_UNSPEC {
		from = rawSockAddr(&rsa, l)
		ok = true
	}
	return n, from, ok, err
}

func sysSendfile(tr *Trace, out, in int, off *int64, count int) (int, error) {
	start := *off
	n, err := unix.Sendfile(out, in, off, count)
	if err != nil && n < 0 {
		n = 0
	}
	if tr != nil {
		tr.record(fmt.Sprintf("sendfile(%d, %d, [%d], %d)", out, in, start, count), int64(n), err)
	}
	return n, err
}

// sysName makes getsockname(2) (peer false) or getpeername(2) (peer true).
func sysName(tr *Trace, fd int, peer bool) (SockAddr, error) {
	var rsa unix.RawSockaddrAny
	l := uint32(unix.SizeofSockaddrAny)
	trap, name := uintptr(unix.SYS_GETSOCKNAME), "getsockname"
	if peer {
		trap, name = unix.SYS_GETPEERNAME, "getpeername"
	}
	_, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&l)))
	err := errnoErr(e)
	var sa SockAddr
	var ksa unix.Sockaddr
	switch {
	case err == nil && tr == nil:
		sa = rawSockAddr(&rsa, l) // the kernel's form is only for the trace
	case err == nil:
		sa, ksa = rawToSockAddr(&rsa, l)
	}
	switch {
	case tr == nil:
		// No trace: nothing to format (the sockets table asks every socket).
	case err == nil:
		tr.record(fmt.Sprintf("%s(%d, %s)", name, fd, formatSockaddr(ksa)), 0, nil)
	default:
		tr.record(fmt.Sprintf("%s(%d)", name, fd), 0, err)
	}
	return sa, err
}

// rawToSockAddr reads a kernel address of l bytes.
func rawToSockAddr(rsa *unix.RawSockaddrAny, l uint32) (SockAddr, unix.Sockaddr) {
	switch rsa.Addr.Family {
	case unix.AF_UNIX:
		path := unixPathOf((*unix.RawSockaddrUnix)(unsafe.Pointer(rsa)), l)
		return SockAddr{Unix: true, Path: path}, &unix.SockaddrUnix{Name: path}
	case unix.AF_INET:
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		ksa := &unix.SockaddrInet4{Port: getPort(p.Port), Addr: p.Addr}
		return fromSockaddr(ksa), ksa
	case unix.AF_INET6:
		p := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		ksa := &unix.SockaddrInet6{Port: getPort(p.Port), Addr: p.Addr, ZoneId: p.Scope_id}
		sa := fromSockaddr(ksa)
		sa.FlowInfo = ntohl(p.Flowinfo)
		return sa, ksa
	}
	return SockAddr{}, nil
}

func sysGetsockoptInt(tr *Trace, fd, level, opt int, name string) (int, error) {
	v, err := unix.GetsockoptInt(fd, level, opt)
	recordGetsockoptInt(tr, fd, level, name, v, err)
	return v, err
}

// recordGetsockoptInt records a getsockopt whose value is an int; SO_ERROR
// shows the errno's name beside its number.
func recordGetsockoptInt(tr *Trace, fd, level int, name string, v int, err error) {
	if tr == nil {
		return
	}
	call := fmt.Sprintf("getsockopt(%d, %s, %s)", fd, LevelName(level), name)
	if err == nil && name == "SO_ERROR" && v != 0 {
		tr.Note("%s = %d (%s)", call, v, errnoName(syscall.Errno(v)))
		return
	}
	tr.record(call, int64(v), err)
}

func sysSetsockoptInt(tr *Trace, fd, level, opt int, name string, v int) error {
	err := unix.SetsockoptInt(fd, level, opt, v)
	if tr != nil {
		tr.record(fmt.Sprintf("setsockopt(%d, %s, %s, [%d])", fd, LevelName(level), name, v), 0, err)
	}
	return err
}

func sysGetsockoptLinger(tr *Trace, fd, level, opt int, name string) (*unix.Linger, error) {
	l, err := unix.GetsockoptLinger(fd, level, opt)
	call := fmt.Sprintf("getsockopt(%d, %s, %s)", fd, LevelName(level), name)
	if err == nil {
		call = fmt.Sprintf("getsockopt(%d, %s, %s, {l_onoff=%d, l_linger=%d})", fd, LevelName(level), name, l.Onoff, l.Linger)
	}
	tr.record(call, 0, err)
	return l, err
}

func sysSetsockoptLinger(tr *Trace, fd, level, opt int, name string, l *unix.Linger) error {
	err := unix.SetsockoptLinger(fd, level, opt, l)
	if tr != nil {
		tr.record(fmt.Sprintf("setsockopt(%d, %s, %s, {l_onoff=%d, l_linger=%d})", fd, LevelName(level), name, l.Onoff, l.Linger), 0, err)
	}
	return err
}

func sysGetsockoptTimeval(tr *Trace, fd, level, opt int, name string) (*unix.Timeval, error) {
	tv, err := unix.GetsockoptTimeval(fd, level, opt)
	call := fmt.Sprintf("getsockopt(%d, %s, %s)", fd, LevelName(level), name)
	if err == nil {
		call = fmt.Sprintf("getsockopt(%d, %s, %s, {tv_sec=%d, tv_usec=%d})", fd, LevelName(level), name, tv.Sec, tv.Usec)
	}
	tr.record(call, 0, err)
	return tv, err
}

func sysSetsockoptTimeval(tr *Trace, fd, level, opt int, name string, tv *unix.Timeval) error {
	err := unix.SetsockoptTimeval(fd, level, opt, tv)
	if tr != nil {
		tr.record(fmt.Sprintf("setsockopt(%d, %s, %s, {tv_sec=%d, tv_usec=%d})", fd, LevelName(level), name, tv.Sec, tv.Usec), 0, err)
	}
	return err
}

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func putPort(dst *uint16, port int) {
	b := (*[2]byte)(unsafe.Pointer(dst))
	b[0], b[1] = byte(port>>8), byte(port)
}

func getPort(src uint16) int {
	b := (*[2]byte)(unsafe.Pointer(&src))
	return int(b[0])<<8 | int(b[1])
}

func ntohl(v uint32) uint32 {
	b := (*[4]byte)(unsafe.Pointer(&v))
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
