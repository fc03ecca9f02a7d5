// The attach command: the keyboard joined to a connected socket, as nc or
// telnet do. On a terminal each line typed is sent (with CRLF under
// --crlf) and what arrives prints at once, escaped; Ctrl-] or Ctrl-D
// returns to the prompt with the socket open. In a pipe standard input is
// copied to the socket until its end, and the socket's data to standard
// output (raw bytes only with --raw).

package commands

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// detachKey is Ctrl-], telnet's escape character.
const detachKey = 0x1d

func attachCommands() []*shell.Command {
	return []*shell.Command{{
		Name: "attach", Group: groupIO,
		Summary: "Join the keyboard to a connected socket, as nc or telnet do, until Ctrl-] or Ctrl-D.",
		Help: "On a terminal: each line typed is sent as it is ended by Enter (with \\r\\n for \\n under\n" +
			"--crlf, as SMTP, HTTP and telnet want), and what arrives prints at once, escaped as\n" +
			"every result is (a lone \\r, \\x1b: never raw control bytes to the terminal; a CRLF\n" +
			"line end prints as a line end), or as hex with --hex, which shows every byte.\n" +
			"Ctrl-] (telnet's escape) or Ctrl-D on an empty line returns to the prompt; the\n" +
			"socket stays open and its counters (sockets: sent, received) count every byte.\n" +
			"If the peer closes, attach says so and returns. Ctrl-C returns too.\n" +
			"In a pipe or a file (standard input not a terminal), attach copies standard input to\n" +
			"the socket until its end, then shuts down the socket's sending half (as nc -N does,\n" +
			"so the peer sees the end) and prints what arrives until the peer closes (or `set\n" +
			"timeout` has passed): escaped, or the bytes as they are with --raw, for scripts.\n" +
			"With `set format json` each chunk that arrives is a JSON document of its own.",
		Python: "for line in sys.stdin: s.sendall(line.encode())  # with a thread printing s.recv(65536)",
		Examples: []string{"connect localhost 7007; attach s1", "attach s1 --crlf",
			"attach s1 --hex"},
		Args: []shell.Arg{shell.Req("SOCK", sockArg), shell.OptFlag("crlf"), shell.OptFlag("hex"), shell.OptFlag("raw")},
		Flags: []shell.Flag{
			{Name: "crlf", Help: "send each line ended by \\r\\n, not \\n"},
			{Name: "hex", Help: "print what arrives as hex and ASCII"},
			{Name: "raw", Help: "in a pipe: write what arrives as raw bytes (never on a terminal)"},
		},
		Run: runAttach,
	}}
}

// attachSession is one attach: the socket, how it prints, and its counts.
type attachSession struct {
	c        *shell.Call
	s        *bsd.Socket
	name     string
	hex, raw bool
	crlf     bool
	mu       sync.Mutex
	sent     int64
	received int64
	offset   int64 // of the hex dump
}

func runAttach(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	if s.Type() != unix.SOCK_STREAM {
		return nil, shell.Usagef("attach needs a connected stream socket; %s is a datagram socket (use sendto and recvfrom)", name)
	}
	if _, err := s.PeerName(); err != nil {
		c.Python("%s.getpeername()  # raises the same: attach needs a connected socket", name)
		return nil, shell.ErrnoError(unix.ENOTCONN, name+" is not connected: connect it first (connect "+name+" HOST PORT)")
	}
	a := &attachSession{c: c, s: s, name: name, hex: c.Has("hex"), raw: c.Has("raw"), crlf: c.Has("crlf")}
	c.Python("import sys, threading")
	c.Python("threading.Thread(target=lambda: [print(repr(b)) for b in iter(lambda: %s.recv(65536), b'')], daemon=True).start()", name)
	end := ""
	if a.crlf {
		end = ".rstrip('\\n') + '\\r\\n'"
	}
	c.Python("for line in sys.stdin: %s.sendall((line%s).encode())", name, end)
	in := c.Session.Stdin
	fd := -1
	if f, ok := in.(interface{ Fd() uintptr }); ok {
		fd = int(f.Fd())
	}
	if in == nil {
		return nil, shell.Usagef("attach needs standard input, and this session has none")
	}
	if c.Session.StdinHoldsCommands() {
		return nil, shell.Usagef("standard input holds the commands being run, so attach cannot read it: give the commands with -c or a script file and pipe the data in (printf 'QUIT\\r\\n' | sockshell -c 'connect HOST 25; attach s1')")
	}
	if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); fd >= 0 && err == nil {
		if a.raw {
			return nil, shell.Usagef("--raw is for a pipe: on a terminal what arrives is always escaped")
		}
		return a.terminal(fd)
	}
	return a.pipe(in)
}

// show prints what arrived: escaped, hex, or raw.
func (a *attachSession) show(p []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.received += int64(len(p))
	switch {
	case a.c.Session.Settings.Format == "json":
		// One document per chunk, so that a script reading JSON lines
		// still reads only JSON.
		doc, _ := json.Marshal(map[string]any{"socket": a.name, "received": map[string]any{
			"len": len(p), "repr": shell.BytesRepr(p), "base64": base64.StdEncoding.EncodeToString(p)}})
		a.c.Session.Print(string(doc) + "\n")
	case a.hex:
		a.c.Session.Print(hexDump(p, a.offset))
		a.offset += int64(len(p))
	case a.raw && a.c.Session.WriteRaw(p):
	default:
		a.c.Session.Print(shell.SafeText(strings.ToValidUTF8(string(p), "\uFFFD")))
	}
}

// receive prints what arrives until the peer closes (true) or ctx ends.
func (a *attachSession) receive(ctx context.Context) (peerClosed bool, err error) {
	for {
		p, err := a.s.RecvWaiting(ctx, 65536)
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, err
		}
		if len(p) == 0 {
			return true, nil
		}
		a.show(p)
	}
}

// send sends one chunk typed or read, counted.
func (a *attachSession) send(ctx context.Context, p []byte) error {
	if a.crlf {
		p = bytes.ReplaceAll(bytes.ReplaceAll(p, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	}
	n, err := a.s.SendAll(ctx, p)
	a.mu.Lock()
	a.sent += int64(n)
	a.mu.Unlock()
	return err
}

// terminal runs attach on a terminal: canonical mode keeps the terminal's
// own line editing and echo, and Ctrl-] is made an end-of-line character
// (VEOL) so that it reaches attach at once, without Enter.
func (a *attachSession) terminal(fd int) (any, error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag |= unix.ICANON | unix.ECHO | unix.ISIG
	t.Cc[unix.VEOL] = detachKey
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	a.c.Syscalls("ioctl(0, TCSETS): canonical mode, echo on, VEOL = ^] (Ctrl-] ends a read at once)",
		fmt.Sprintf("poll(0, POLLIN) then read(0) = a line, sendall(%d, line); recv(%d) in a thread, printed as it comes", a.s.FD(), a.s.FD()))
	a.c.Session.Print(fmt.Sprintf("# attached to %s: lines you type are sent; Ctrl-] or Ctrl-D returns\n", a.name))
	ctx, cancel := context.WithCancel(a.c.Ctx)
	defer cancel()
	recvDone := make(chan error, 1)
	peerClosed := false
	go func() {
		closed, err := a.receive(ctx)
		peerClosed = closed
		recvDone <- err
		cancel()
	}()
	why := "Ctrl-D"
	buf := make([]byte, 4096)
loop:
	for {
		// poll, not a blocked read: nothing may be left reading the
		// terminal once attach returns to the prompt.
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 100)
		if ctx.Err() != nil {
			why = "the peer closed"
			if a.c.Ctx.Err() != nil {
				why = "Ctrl-C"
			}
			break
		}
		if err != nil || n == 0 {
			continue
		}
		got, err := unix.Read(fd, buf)
		if err != nil && errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || got == 0 {
			break // Ctrl-D on an empty line (or the terminal went away)
		}
		p := buf[:got]
		if i := bytes.IndexByte(p, detachKey); i >= 0 {
			if i > 0 {
				a.send(ctx, p[:i])
			}
			why = "Ctrl-]"
			break loop
		}
		if err := a.send(ctx, p); err != nil {
			cancel()
			<-recvDone
			return nil, err
		}
	}
	cancel()
	rerr := <-recvDone
	if peerClosed {
		why = "the peer closed"
	}
	a.c.Note("detached from %s (%s): %s sent, %s received while attached; %s", a.name, why,
		count(a.sent, "byte"), count(a.received, "byte"), a.stays(peerClosed))
	if rerr != nil && !peerClosed {
		return nil, rerr
	}
	return nil, nil
}

// stays says what became of the socket.
func (a *attachSession) stays(peerClosed bool) string {
	if peerClosed {
		return a.name + " is still open (the peer closed its side: recv gives b'')"
	}
	return a.name + " is still open"
}

// pipe copies r to the socket until r ends, shuts down the sending half,
// and prints what arrives until the peer closes.
func (a *attachSession) pipe(r io.Reader) (any, error) {
	ctx, cancel := context.WithCancel(a.c.Ctx)
	defer cancel()
	recvDone := make(chan error, 1)
	var peerClosed bool
	go func() {
		closed, err := a.receive(ctx)
		peerClosed = closed
		recvDone <- err
	}()
	a.c.Syscalls(fmt.Sprintf("read(standard input) → sendall(%d) until the end, then shutdown(%d, SHUT_WR); recv(%d) until b''", a.s.FD(), a.s.FD(), a.s.FD()))
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if serr := a.send(ctx, buf[:n]); serr != nil {
				cancel()
				<-recvDone
				return nil, serr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			cancel()
			<-recvDone
			return nil, err
		}
	}
	if err := a.s.Shutdown("wr"); err != nil {
		cancel()
		<-recvDone
		return nil, err
	}
	// The peer's close ends the wait, or the session's timeout, or Ctrl-C.
	var rerr error
	until := "the peer closed"
	var limit <-chan time.Time
	if d, ok := a.c.Session.Timeout(); ok {
		timer := time.NewTimer(d)
		defer timer.Stop()
		limit = timer.C
	}
	select {
	case rerr = <-recvDone:
		if !peerClosed {
			until = "Ctrl-C"
		}
	case <-limit:
		cancel()
		rerr = <-recvDone
		d, _ := a.c.Session.Timeout()
		until = fmt.Sprintf("the session's timeout (%s): the peer had not closed", seconds(d))
	}
	a.c.Note("standard input ended: %s sent, then shut down %s's sending half; %s received until %s", count(a.sent, "byte"), a.name,
		count(a.received, "byte"), until)
	return nil, rerr
}

// hexDump is p as hex and ASCII, 16 bytes a line, offsets from off.
func hexDump(p []byte, off int64) string {
	var b strings.Builder
	for i := 0; i < len(p); i += 16 {
		line := p[i:min(i+16, len(p))]
		fmt.Fprintf(&b, "%08x  ", off+int64(i))
		for j := range 16 {
			if j < len(line) {
				fmt.Fprintf(&b, "%02x ", line[j])
			} else {
				b.WriteString("   ")
			}
		}
		b.WriteString(" |")
		for _, c := range line {
			if c < 0x20 || c >= 0x7f {
				c = '.'
			}
			b.WriteByte(c)
		}
		b.WriteString("|\n")
	}
	return b.String()
}
