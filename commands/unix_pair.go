package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// Socket pairs: pair, and the guard that stops a send both of whose ends are the session's from waiting for ever.

// The pairs the session made: each end's other end, for pairGuard.
var pairsKey = shell.NewStateKey("unix.pairs", func() map[*bsd.Socket]*bsd.Socket { return map[*bsd.Socket]*bsd.Socket{} })

func runPair(c *shell.Call) (any, error) {
	sotype := unix.SOCK_STREAM
	if c.NArg() == 1 {
		sotype = map[string]int{"stream": unix.SOCK_STREAM, "dgram": unix.SOCK_DGRAM, "seqpacket": unix.SOCK_SEQPACKET}[c.Value(0).(string)]
	}
	py := "socket.socketpair()"
	if sotype != unix.SOCK_STREAM {
		py = "socket.socketpair(type=socket." + bsd.TypeName(sotype) + ")"
	}
	tr := newTrace(c)
	a, b, err := sockConfig(c, tr).Pair(sotype)
	if tr != nil {
		c.Syscalls(tr.Lines()...)
	}
	if err != nil {
		c.Python("%s", py)
		return nil, err
	}
	a.SetTrace(nil)
	b.SetTrace(nil)
	d, ok := c.Session.Timeout()
	a.SetTimeout(d, ok)
	b.SetTimeout(d, ok)
	na, nb := registerSock(c, "s", a), registerSock(c, "s", b)
	pairsKey.With(c.Session, func(m *map[*bsd.Socket]*bsd.Socket) { (*m)[a], (*m)[b] = b, a })
	c.Python("%s, %s = %s", na, nb, py)
	ra, rb := sockRepr(na, a), sockRepr(nb, b)
	return shell.Repr{Text: ra.Text + "\n" + rb.Text, JSON: shell.List{ra.JSON, rb.JSON}}, nil
}

// pairOf is the other end of s when both are this session's pair and the
// other is still open; nil otherwise.
func pairOf(c *shell.Call, s *bsd.Socket) (*bsd.Socket, string) {
	var other *bsd.Socket
	pairsKey.With(c.Session, func(m *map[*bsd.Socket]*bsd.Socket) { other = (*m)[s] })
	if other == nil || other.Closed() {
		return nil, ""
	}
	for _, r := range c.Session.Resources() {
		if r.Resource == other {
			return other, r.Name
		}
	}
	return nil, ""
}

// pairGuard runs a send on s. When s is one end of this session's pair and
// would wait for room (no timeout, or a timeout: only this shell could
// read the other end, and it is waiting), the send is made non-blocking
// for this call and stops at the first send(2) that would block, with
// BlockingIOError and what the buffers hold.
func pairGuard[N int | int64](c *shell.Call, s *bsd.Socket, send func() (N, error)) (N, error) {
	other, oname := pairOf(c, s)
	d, bounded := s.Timeout()
	if other == nil || bounded && d == 0 {
		return send()
	}
	s.SetTimeout(0, true)
	n, err := send()
	s.SetTimeout(d, bounded)
	if e, ok := errnoOf(err); !ok || e != unix.EAGAIN {
		return n, err
	}
	wait := "would wait for ever, as it would in one Python thread"
	if bounded {
		wait = fmt.Sprintf("could only wait out its timeout (%s s) and raise TimeoutError, as it would in one Python thread", strconv.FormatFloat(d.Seconds(), 'g', -1, 64))
	}
	x := shell.Classify(err)
	x.Hint = fmt.Sprintf("nothing can read %s while the shell waits (both ends are this session's), so this send %s; it stopped at the first send(2) that would block. %s",
		oname, wait, bufferStory(s, other, oname))
	return n, x
}

// bufferStory says how full the pair's buffers are, from the kernel.
func bufferStory(s, other *bsd.Socket, oname string) string {
	var parts []string
	if v, err := s.GetSockOpt(mustOpt("SO_SNDBUF")); err == nil {
		parts = append(parts, fmt.Sprintf("SO_SNDBUF here is %d", v.Int))
	}
	if in, _, err := other.Queues(); err == nil && s.Type() == unix.SOCK_STREAM {
		parts = append(parts, fmt.Sprintf("%s has %s queued to read", oname, count(in, "byte")))
	}
	parts = append(parts, "recv "+oname+" makes room")
	return strings.Join(parts, "; ")
}
