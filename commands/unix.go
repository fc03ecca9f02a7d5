// Unix domain sockets: their addresses (a path, or @name for an abstract
// name) as Python spells them, connect, bind and sendto on a path, and the
// commands only they have: pair (socketpair), sendfd and recvfd (passing a
// descriptor with SCM_RIGHTS). A pair's two ends are both this session's,
// so a send that would wait for the other end to read stops instead of
// hanging the shell (pairGuard).
package commands

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/demo"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

func unixCommands() []*shell.Command {
	return []*shell.Command{
		{
			Name: "pair", Group: groupSockets,
			Summary: "Make two connected Unix sockets with socketpair(2) and name them both.",
			Help: "stream (SOCK_STREAM) is the default; dgram and seqpacket are accepted too. What one end\n" +
				"sends the other receives, with no network and no address: the simplest place to watch\n" +
				"buffering. Both ends are this session's, so nothing reads one while the shell waits on\n" +
				"the other: a send or sendall that would wait for room stops at once with\n" +
				"BlockingIOError and says how much was taken, SO_SNDBUF and the queue, where Python\n" +
				"would wait for ever (or until its timeout). Both ends are AF_UNIX: pass descriptors\n" +
				"over them with sendfd and recvfd; getsockopt SO_PEERCRED names this process.",
			Python:   "s1, s2 = socket.socketpair()",
			Examples: []string{"pair", "pair dgram"},
			Args:     []shell.Arg{shell.Opt("stream|dgram|seqpacket", pairTypeArg)},
			Run:      runPair,
		},
		{
			Name: "sendfd", Group: groupIO,
			Summary: "Pass socket OTHER's descriptor over the Unix socket SOCK (SCM_RIGHTS), with one byte.",
			Help: "The receiving process gets its own descriptor for the same socket (the kernel's\n" +
				"file, not a copy of the number); OTHER stays open here too. The byte b'x' goes\n" +
				"with it, as a descriptor cannot travel alone on a stream socket.",
			Python:   "socket.send_fds(s1, [b'x'], [s3.fileno()])",
			Examples: []string{"sendfd s1 s3"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg), shell.Req("OTHER", sockArg)},
			Run:      runSendFD,
		},
		{
			Name: "recvfd", Group: groupIO,
			Summary: "Receive a message and a descriptor on a Unix socket; the descriptor becomes a socket sN.",
			Help: "The new socket's family and type are what the kernel says the descriptor is.\n" +
				"A descriptor that is no socket (a file, a pipe) is named and closed.",
			Python:   "msg, fds, flags, addr = socket.recv_fds(s2, 1024, 1)",
			Examples: []string{"recvfd s2"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg)},
			Run:      runRecvFD,
		},
	}
}

var (
	// unixPathArg is the address of a Unix socket: a file path, or @name
	// for an abstract one. It completes file names.
	unixPathArg = &shell.ArgKind{Name: "path", Complete: func(s *shell.Session, p string) []string {
		if strings.HasPrefix(p, "@") {
			return nil
		}
		return shell.FileArg.Complete(s, p)
	}}
	// pairTypeArg is pair's type word.
	pairTypeArg = shell.Choices("type", "stream", "dgram", "seqpacket")
)

// isUnix reports whether s is an AF_UNIX socket.
func isUnix(s *bsd.Socket) bool { return s.Family() == unix.AF_UNIX }

// unixSockNamed is the AF_UNIX socket of the session with that name, or nil.
func unixSockNamed(c *shell.Call, name string) *bsd.Socket {
	if r, ok := c.Session.Resource(name); ok {
		if s, ok := r.(*bsd.Socket); ok && isUnix(s) {
			return s
		}
	}
	return nil
}

// kernelPath turns a PATH word into sun_path's bytes: @name is the
// abstract name "\x00name"; any other word is a file path.
func kernelPath(word string) string {
	if strings.HasPrefix(word, "@") {
		return "\x00" + word[1:]
	}
	return word
}

// pyPath is a Unix address as a Python literal: '/tmp/x.sock', '\x00name'.
func pyPath(path string) string { return shell.StrRepr(path) }

// unixValue is a Unix address as Python's getsockname returns it: a str
// for a file path (” unnamed), bytes for an abstract name (b'\x00name').
func unixValue(path string) any {
	if strings.HasPrefix(path, "\x00") {
		return []byte(path)
	}
	return path
}

// unixReprText is the address as a socket's repr shows it (Python's
// "laddr=%s": a path bare, an abstract name as its bytes repr).
func unixReprText(path string) string {
	if strings.HasPrefix(path, "\x00") {
		return shell.BytesRepr([]byte(path))
	}
	return path
}

// unixText is the address for the sockets table: the path, @name, or
// (unnamed).
func unixText(path string) string {
	if path == "" {
		return "(unnamed)"
	}
	if strings.HasPrefix(path, "\x00") {
		return "@" + strings.TrimSuffix(strings.TrimPrefix(shell.BytesRepr([]byte(path[1:])), "b'"), "'")
	}
	return path
}

// familyMismatch is Python's TypeError for an address of the other kind:
// a path on an Internet socket, a (host, port) tuple on a Unix one.
func familyMismatch(c *shell.Call, method, name string, s *bsd.Socket) error {
	if isUnix(s) {
		return &shell.Error{Class: "TypeError", Msg: "a bytes-like object is required, not 'tuple'",
			Hint: fmt.Sprintf("%s is an AF_UNIX socket: its address is a path or @name, as in: %s %s /tmp/demo.sock", name, method, name)}
	}
	return &shell.Error{Class: "TypeError", Msg: fmt.Sprintf("%s(): %s address must be tuple, not str", method, bsd.FamilyName(s.Family())),
		Hint: fmt.Sprintf("%s is an %s socket: its address is HOST PORT; for a path make a Unix socket: socket unix", name, bsd.FamilyName(s.Family()))}
}

// looksLikePath reports whether a word is meant as a Unix address: it
// has a slash or starts with @.
func looksLikePath(w string) bool { return strings.Contains(w, "/") || strings.HasPrefix(w, "@") }

// pyPortWord is a PORT word in a Python tuple: a number bare, else a str.
func pyPortWord(w string) string {
	if _, err := strconv.Atoi(w); err == nil {
		return w
	}
	return shell.StrRepr(w)
}

// boundFile is the socket file a Unix socket bound (a listener or a
// datagram socket with a file path), or "": the file its close leaves.
func boundFile(s *bsd.Socket) string {
	if !isUnix(s) || s.Type() != unix.SOCK_DGRAM && s.State() != "LISTEN" {
		return ""
	}
	a, err := s.SockName()
	if err != nil || a.Path == "" || a.Abstract() {
		return ""
	}
	if st, err := os.Stat(a.Path); err != nil || st.Mode()&os.ModeSocket == 0 {
		return ""
	}
	return a.Path
}

// runConnectUnix is connect SOCK PATH.
func runConnectUnix(c *shell.Call, s *bsd.Socket, name, word string) (any, error) {
	path := kernelPath(word)
	c.Python("%s.connect(%s)", name, pyPath(path))
	defer traceSock(c, s)()
	return shell.None, s.ConnectUnix(c.Ctx, path)
}

// runBindUnix is bind SOCK PATH.
func runBindUnix(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	if !isUnix(s) {
		c.Python("%s.bind(%s)", name, pyPath(c.Arg(1))) // raises the same
		return nil, familyMismatch(c, "bind", name, s)
	}
	path := kernelPath(c.Arg(1))
	c.Python("%s.bind(%s)", name, pyPath(path))
	defer traceSock(c, s)()
	if err := s.BindUnix(path); err != nil {
		return nil, err
	}
	if path == "" {
		if a, err := s.SockName(); err == nil {
			c.Note("bind '' asks the kernel to pick an abstract name (autobind): %s", unixText(a.Path))
		}
	}
	return shell.None, nil
}

// runSendToUnix is sendto SOCK DATA PATH (or --file FILE PATH).
func runSendToUnix(c *shell.Call, s *bsd.Socket, name string) (any, error) {
	pathIdx, dataIdx := 2, 1
	if c.Has("file") {
		pathIdx, dataIdx = 1, 2
	}
	if c.NArg() != pathIdx+1 {
		return nil, c.UsageError("expected SOCK DATA PATH: on a Unix socket the address is one path or @name")
	}
	data, py, err := payload(c, dataIdx)
	if err != nil {
		return nil, err
	}
	path := kernelPath(c.Arg(pathIdx))
	c.Python("%s.sendto(%s, %s)", name, py, pyPath(path))
	defer traceSock(c, s)()
	n, err := pairGuard(c, s, func() (int, error) { return s.SendToUnix(c.Ctx, data, path) })
	if err == nil {
		markSent(s) // the next recvfrom records the time to the first byte
	}
	return n, err
}

// recvfromUnixValue is recvfrom's address on a Unix socket: the sender's
// name, or None when it is unnamed.
func recvfromUnixValue(from bsd.SockAddr, ok bool) any {
	if !ok {
		return nil
	}
	return unixValue(from.Path)
}

// mustOpt is a table option by name (one that is there).
func mustOpt(name string) bsd.Option {
	o, _ := bsd.LookupOption(name)
	return o
}

// errnoOf is the errno in err, if it has one.
func errnoOf(err error) (unix.Errno, bool) {
	var e unix.Errno
	if errors.As(err, &e) {
		return e, true
	}
	return 0, false
}

func runSendFD(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	other, oname := sockAt(c, 1)
	c.Python("socket.send_fds(%s, [b'x'], [%s.fileno()])", name, oname)
	if !isUnix(s) {
		return nil, &shell.Error{Class: "OSError", Errno: int(unix.EOPNOTSUPP), HasErrno: true, Msg: "Operation not supported",
			Hint: fmt.Sprintf("%s is an %s socket: descriptors travel only over AF_UNIX sockets (make some with: pair)", name, bsd.FamilyName(s.Family()))}
	}
	if other.Closed() {
		return nil, shell.ErrnoError(unix.EBADF, oname+" is closed")
	}
	defer traceSock(c, s)()
	n, err := s.SendFDs(c.Ctx, []byte("x"), []int{other.FD()})
	if err != nil {
		return nil, err
	}
	c.Note("the receiver gets its own descriptor for %s's socket (fd %d here); %s stays open in this session too", oname, other.FD(), oname)
	return n, nil
}

func runRecvFD(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	if !isUnix(s) {
		c.Python("msg, fds, flags, addr = socket.recv_fds(%s, 1024, 1)", name)
		return nil, &shell.Error{Class: "OSError", Errno: int(unix.EOPNOTSUPP), HasErrno: true, Msg: "Operation not supported",
			Hint: fmt.Sprintf("%s is an %s socket: descriptors travel only over AF_UNIX sockets", name, bsd.FamilyName(s.Family()))}
	}
	done := traceSock(c, s)
	msg, fds, flags, err := s.RecvFDs(c.Ctx, 1024, 1)
	done()
	c.Python("msg, fds, flags, addr = socket.recv_fds(%s, 1024, 1)", name)
	if err != nil {
		return nil, err
	}
	if flags&unix.MSG_CTRUNC != 0 {
		c.Note("more descriptors came than room was made for (1): the kernel closed the rest (flags has MSG_CTRUNC)")
	}
	if len(fds) == 0 {
		c.Note("no descriptor came with this message")
		return shell.Repr{Text: "msg=" + shell.BytesRepr(msg) + ", fds=[]", JSON: map[string]any{"msg": msg, "fds": []any{}, "flags": flags}}, nil
	}
	var texts []string
	var made shell.List
	for i, fd := range fds {
		ns, err := sockConfig(c, nil).Adopt(fd, s.FD())
		if err != nil {
			kind := "file"
			var st unix.Stat_t
			if unix.Fstat(fd, &st) == nil {
				kind = statKind(st.Mode)
			}
			unix.Close(fd)
			c.Note("descriptor %d that came is a %s, not a socket: closed it", fd, kind)
			continue
		}
		d, ok := c.Session.Timeout()
		ns.SetTimeout(d, ok)
		nname := registerSock(c, "s", ns)
		c.Python("%s = socket.socket(fileno=fds[%d])", nname, i)
		r := sockRepr(nname, ns)
		texts = append(texts, r.Text)
		made = append(made, r.JSON)
	}
	if len(texts) == 0 {
		return shell.Repr{Text: "msg=" + shell.BytesRepr(msg) + ", fds=[] (none was a socket)", JSON: map[string]any{"msg": msg, "fds": []any{}, "flags": flags}}, nil
	}
	c.Note("message %s came with it", shell.BytesRepr(msg))
	return shell.Repr{Text: strings.Join(texts, "\n"), JSON: map[string]any{"msg": msg, "sockets": made, "flags": flags}}, nil
}

// statKind names a file type from st_mode.
func statKind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return "regular file"
	case unix.S_IFIFO:
		return "pipe"
	case unix.S_IFDIR:
		return "directory"
	case unix.S_IFCHR:
		return "character device"
	}
	return "file of mode 0" + strconv.FormatUint(uint64(mode&unix.S_IFMT), 8)
}

// runServeUnix is serve KIND PATH: a demo server on a Unix stream socket at
// PATH (or @name); stopping it removes its socket file.
func runServeUnix(c *shell.Call, kind, word string, udp bool) (any, error) {
	if udp {
		return nil, c.UsageError("a Unix path is served over a stream socket here: leave out --udp")
	}
	path := kernelPath(word)
	if err := bsd.CheckUnixPath("bind", path); err != nil {
		return nil, err
	}
	k, _ := demo.LookupKind(kind)
	srv := &server{kind: kind, detail: fmt.Sprintf("RFC %d over a Unix stream socket", k.RFC)}
	ds, err := demo.StartWith(kind+"/unix", word, demo.Options{Report: func(e demo.Event) { srv.emit(demoEvent(e)) }})
	if err != nil {
		if _, ok := errnoOf(err); ok {
			return nil, bsd.UnixError("bind", path, unix.SOCK_STREAM, err)
		}
		return nil, err
	}
	srv.addr, srv.stop = ds.Addr(), ds.Stop
	srv.conns = func() int64 { return ds.Stats().Connections }
	name := c.Session.Register(kind, srv)
	if err := srv.registered(c.Session, name); err != nil {
		c.Session.Remove(name)
		return nil, fmt.Errorf("the %s server stopped as it started: %w", kind, err)
	}
	c.Python("# serve %s: the shell's own %s server on the Unix socket %s", kind, kind, pyPath(path))
	c.Note("connect to it with: socket unix, then connect sN %s (or from a shell: nc -U %s)", word, word)
	return shell.Repr{Text: fmt.Sprintf("%s  %s server on the Unix socket %s", name, kind, unixText(path)),
		JSON: map[string]any{"name": name, "kind": kind, "address": unixValue(path), "serves": srv.detail}}, nil
}
