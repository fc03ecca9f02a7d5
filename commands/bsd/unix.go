// This file holds what only AF_UNIX sockets do: addresses that are paths or
// abstract names, connect, bind and sendto on them, socketpair, passing
// descriptors (SCM_RIGHTS) and the peer's credentials (SO_PEERCRED).

package bsd

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sunPathLen is the size of sun_path in struct sockaddr_un on Linux.
const sunPathLen = len(unix.RawSockaddrUnix{}.Path)

// A Unix address in this package is sun_path's bytes as the kernel holds
// them: "/tmp/x.sock" (a file), "\x00name" (abstract: a leading NUL, every
// byte after it counts), or "" (unnamed; bind "" asks the kernel for an
// abstract name of its own, autobind).

// CheckUnixPath refuses what Python 3.11 refuses before any system call: a
// file path of 108 bytes or more (sun_path must hold it and its NUL), an
// abstract name of more than 108 bytes.
func CheckUnixPath(op, path string) error {
	if len(path) > sunPathLen || len(path) == sunPathLen && path[0] != 0 {
		return &Error{Op: op, Class: "OSError", Msg: "AF_UNIX path too long",
			Why: fmt.Sprintf("the path is %d bytes; sun_path holds %d, with the NUL ending a file path: at most %d bytes for a file, %d for an abstract name", len(path), sunPathLen, sunPathLen-1, sunPathLen)}
	}
	return nil
}

// toUnixSockaddr makes the kernel address of path, in x/sys's spelling:
// '@' stands for the abstract name's leading NUL there, so a file path
// that starts with '@' is given as "./@…".
func toUnixSockaddr(op, path string) (*unix.SockaddrUnix, error) {
	if err := CheckUnixPath(op, path); err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(path, "\x00"):
		return &unix.SockaddrUnix{Name: "@" + path[1:]}, nil
	case strings.HasPrefix(path, "@"):
		return &unix.SockaddrUnix{Name: "./" + path}, nil
	}
	return &unix.SockaddrUnix{Name: path}, nil
}

// rawUnix fills r with the kernel address of name (x/sys's spelling) and
// returns its length, as x/sys computes it for bind and connect: the
// family, the bytes, and a NUL after a file path.
func rawUnix(r *unix.RawSockaddrUnix, name string) uintptr {
	r.Family = unix.AF_UNIX
	abstract := strings.HasPrefix(name, "@")
	for i := 0; i < len(name) && i < sunPathLen; i++ {
		r.Path[i] = int8(name[i])
	}
	l := uintptr(2 + len(name))
	if abstract {
		r.Path[0] = 0
	} else if len(name) > 0 && len(name) < sunPathLen {
		l++
	}
	return l
}

// unixPathOf reads sun_path from a kernel address of l bytes: an abstract
// name in full, a file path up to its NUL.
func unixPathOf(r *unix.RawSockaddrUnix, l uint32) string {
	n := int(l) - 2
	if n <= 0 {
		return ""
	}
	n = min(n, sunPathLen)
	b := unsafe.Slice((*byte)(unsafe.Pointer(&r.Path[0])), n)
	if b[0] == 0 {
		return string(b)
	}
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// formatUnix spells a Unix address (x/sys's spelling, '@' for the NUL,
// or the kernel's) for a trace, as strace does: {AF_UNIX,
// sun_path="/tmp/x.sock"}, {AF_UNIX, sun_path=@"name"}, {AF_UNIX} unnamed.
func formatUnix(name string) string {
	switch {
	case name == "":
		return "{AF_UNIX}"
	case strings.HasPrefix(name, "@"), strings.HasPrefix(name, "\x00"):
		return "{AF_UNIX, sun_path=@" + strconv.Quote(name[1:]) + "}"
	}
	return "{AF_UNIX, sun_path=" + strconv.Quote(name) + "}"
}

// eventPath spells a Unix address for an event: the path, "@name" for an
// abstract one, "" unnamed.
func eventPath(path string) string {
	if strings.HasPrefix(path, "\x00") {
		return "@" + path[1:]
	}
	return path
}

// UnixText is eventPath for callers: a Unix address as a person reads it.
func UnixText(path string) string { return eventPath(path) }

// ConnectUnix connects an AF_UNIX socket to path (Python's
// s.connect(path)). A stream connect ends at once: it is accepted into
// the listener's queue, or refused; a full queue gives EAGAIN on this
// non-blocking socket.
func (s *Socket) ConnectUnix(ctx context.Context, path string) error {
	sa, err := toUnixSockaddr("connect", path)
	if err == nil {
		tr := s.tr()
		err = s.control(func(fd int) error { return sysConnect(tr, fd, sa) })
	}
	if err == nil {
		s.peer.Store(int32(PeerOpen))
		s.peerTold.Store(int32(PeerOpen))
		s.conned.Store(true)
		s.emit(Event{Kind: EventConnected, PeerPath: eventPath(path)})
		return nil
	}
	err = unixError("connect", path, s.sotype, err)
	if _, ok := errnoOf(err); ok {
		s.emit(Event{Kind: EventConnectFailed, PeerPath: eventPath(path), Err: err})
	}
	return err
}

// BindUnix binds an AF_UNIX socket to path, which makes the socket file
// (a file path) or takes the abstract name; "" lets the kernel pick an
// abstract name (autobind).
func (s *Socket) BindUnix(path string) error {
	sa, err := toUnixSockaddr("bind", path)
	if err == nil {
		tr := s.tr()
		err = s.control(func(fd int) error { return sysBind(tr, fd, sa) })
	}
	if err != nil {
		return unixError("bind", path, s.sotype, err)
	}
	s.emit(Event{Kind: EventBound})
	return nil
}

// SendToUnix sends the datagram p to the socket bound at path (Python's
// s.sendto(data, path)).
func (s *Socket) SendToUnix(ctx context.Context, p []byte, path string) (int, error) {
	sa, err := toUnixSockaddr("sendto", path)
	if err != nil {
		return 0, err
	}
	n, err := s.sendOnce(ctx, p, sa, nil)
	if err != nil {
		err = unixError("sendto", path, s.sotype, err)
	}
	s.reportCallTo(EventSent, "sendto", int64(n), SockAddr{Unix: true, Path: eventPath(path)}, err)
	return n, err
}

// UnixError wraps an error of a call on path (sun_path's bytes) with a
// hint that says what the file system or the abstract namespace holds
// there: for a call on a Unix address made elsewhere (a server's listen).
func UnixError(op, path string, sotype int, err error) error { return unixError(op, path, sotype, err) }

func unixError(op, path string, sotype int, err error) error {
	e, ok := errnoOf(err)
	if !ok {
		return opError(op, "", err)
	}
	shown := eventPath(path)
	abstract := strings.HasPrefix(path, "\x00")
	why := ""
	switch e {
	case unix.ENOENT:
		if op == "bind" {
			why = "a directory on the way to " + shown + " does not exist: bind makes the socket file, not its directories"
		} else {
			why = "there is no file " + shown + ": nothing is bound there (a Unix socket's address is a file that bind makes)"
		}
	case unix.ECONNREFUSED:
		switch st, serr := os.Stat(path); {
		case abstract:
			why = "no socket holds the abstract name " + shown
			if op == "connect" && sotype != unix.SOCK_DGRAM {
				why += ", or the one that holds it does not listen"
			}
		case serr == nil && st.Mode()&os.ModeSocket == 0:
			why = shown + " is not a socket file (it is a " + fileKind(st.Mode()) + ")"
		default:
			why = "the socket file " + shown + " is there but no socket is bound to it any more, or the one bound to it does not listen: a socket file stays after its socket closes, until someone removes it"
		}
	case unix.EADDRINUSE:
		if abstract {
			why = "another socket holds the abstract name " + shown + " (an abstract name is free again as soon as its socket closes)"
		} else {
			why = "a file is at " + shown + " already: bind makes the socket file and refuses one that exists, even one left by a socket that has closed. If nobody uses it, remove it (os.unlink(" + pyStr(path) + "), or rm in a shell) and bind again, or pick another path"
		}
	case unix.EPROTOTYPE:
		why = "the socket at " + shown + " is of another type: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET sockets connect only to their own type"
	case unix.EACCES:
		why = "no permission: " + op + " on a file path needs write permission on the socket file (connect, sendto) or on its directory (bind)"
	case unix.EAGAIN:
		if op == "connect" {
			why = "the listening socket's queue is full (its listen backlog) and nobody accepts: a non-blocking Unix connect does not wait"
		}
	case unix.EINVAL:
		if op == "bind" {
			why = "the socket is already bound"
		}
	}
	return &Error{Op: op, Err: e, Why: why}
}

// fileKind names what a mode says a file is.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeDevice != 0:
		return "device"
	case m.IsRegular():
		return "regular file"
	}
	return "file that is no socket"
}

// pyStr is a Python str literal for a path, for hints (ASCII paths; others
// in the shell's own repr are shown where results are).
func pyStr(s string) string {
	if strings.ContainsAny(s, "'\\") || strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r > '~' }) >= 0 {
		return strconv.Quote(s)
	}
	return "'" + s + "'"
}
