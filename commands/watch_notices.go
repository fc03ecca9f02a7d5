// What the watcher tells of one socket: a glance compared with the last
// one told, turned into notice lines and the session's events.

package commands

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// notices compares a socket's glance with the last one told and returns
// the lines to tell (without the name), and whether the amount waiting
// was told (then now is its time).
func notices(name string, prev seen, had bool, g bsd.Glance, now time.Time) (lines []notice, toldWaiting bool) {
	p := prev.g
	if !had {
		p = bsd.Glance{TCP: g.TCP, State: g.State}
	}
	say := func(format string, args ...any) { lines = append(lines, notice{msg: fmt.Sprintf(format, args...)}) }
	if g.TCP && p.State != "" && g.State != p.State {
		lines = append(lines, notice{msg: p.State + " → " + g.State, from: p.State, to: g.State})
	}
	if g.Pending > 0 && g.Pending != p.Pending {
		say("%s waiting (accept %s)", plural(g.Pending, "connection"), name)
	}
	if g.Waiting > 0 && g.Waiting != p.Waiting && (p.Waiting == 0 || now.Sub(prev.told) >= watchRepeat) {
		if g.TCP || g.Stream {
			say("%s waiting (recv %s)", plural(g.Waiting, "byte"), name)
		} else if g.HasFrom {
			say("datagram from %s waiting", pyAddr(g.From))
		} else if g.Path != "" {
			say("datagram from %s waiting", shell.StrRepr(g.Path))
		} else {
			say("datagram waiting (recvfrom %s)", name)
		}
		toldWaiting = true
	}
	if !g.TCP && g.Stream && g.FIN && !p.FIN && !g.Error {
		// A Unix stream has no FIN segment: the peer closed its socket
		// or shut down its writing half.
		if g.Waiting > 0 {
			say("the peer closed its side (or shut down its writing half); recv returns b'' after the bytes waiting")
		} else {
			say("the peer closed its side (or shut down its writing half); recv returns b''")
		}
	}
	if g.TCP && g.FIN && !p.FIN && !g.Error {
		if g.Waiting > 0 {
			say("the peer closed its side (FIN); recv returns b'' after the bytes waiting")
		} else {
			say("the peer closed its side (FIN); recv returns b''")
		}
	}
	if g.Error && !p.Error {
		// The error itself is not read: getsockopt(SO_ERROR) would clear
		// it, and recv would then return b'' instead of raising.
		if g.TCP && g.State == "CLOSE" {
			say("connection reset by the peer or failed (an error is pending; the next call raises it)")
		} else {
			say("an error is pending (the next call raises it)")
		}
	}
	return lines, toldWaiting
}

// pyAddr is an address as Python prints it: ('127.0.0.1', 9999).
func pyAddr(a netip.AddrPort) string {
	return fmt.Sprintf("('%s', %d)", a.Addr().Unmap(), a.Port())
}

// noticeEvent is a notice as the session's event.
func noticeEvent(now time.Time, name string, n notice) shell.Event {
	if n.to != "" {
		return shell.Event{Note: true, Time: now, Kind: EventState, Resource: name, Message: n.msg,
			Attrs: []shell.Attr{{Key: "from", Value: n.from}, {Key: "to", Value: n.to}}}
	}
	return shell.Event{Note: true, Time: now, Kind: EventNotice, Resource: name, Message: n.msg}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
