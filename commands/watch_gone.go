package commands

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/sockdiag"
	"github.com/sockshell/sockshell/shell"
)

// The watcher after close: a closed socket's connection followed through the kernel's socket table until it is gone, and the TIME_WAIT the sockets table shows.

// maxFollowed bounds the closed connections followed through the kernel's
// table: each is one lookup a pass, and a connection closed by this side
// stays in TIME_WAIT for 60 s, so 10,000 connect/close cycles in a row
// would have made every pass (one between every two lines of a script)
// 10,000 lookups. The most recently closed are followed; older ones are
// let go without a word.
const maxFollowed = 16

// trimFollowed lets go of the connections closed longest ago beyond
// maxFollowed.
func trimFollowed(w *watchState) {
	if len(w.gone)+len(w.byName) <= maxFollowed {
		return
	}
	all := make([]*goneConn, 0, len(w.gone)+len(w.byName))
	for _, c := range w.byName {
		all = append(all, c)
	}
	for _, c := range w.gone {
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].closedAt.After(all[j].closedAt) })
	drop := map[*goneConn]bool{}
	for _, c := range all[maxFollowed:] {
		drop[c] = true
	}
	maps.DeleteFunc(w.byName, func(_ string, c *goneConn) bool { return drop[c] })
	maps.DeleteFunc(w.gone, func(_ *bsd.Socket, c *goneConn) bool { return drop[c] })
}

// followGone asks the kernel's table about each closed connection
// followed (at most maxFollowed): its state when it changes, and when it
// is gone.
func followGone(w *watchState, now time.Time) []shell.Event {
	trimFollowed(w)
	var evs []shell.Event
	for name, c := range w.byName {
		var done bool
		evs, done = followOne(evs, c, now)
		if done {
			delete(w.byName, name)
		}
	}
	for s, c := range w.gone {
		var done bool
		evs, done = followOne(evs, c, now)
		if done {
			delete(w.gone, s)
		}
	}
	return evs
}

// followOne asks the table about one closed connection; done: stop
// following it.
func followOne(evs []shell.Event, c *goneConn, now time.Time) (_ []shell.Event, done bool) {
	label := c.name + " (closed)"
	e, err := sockdiag.Lookup(c.local, c.remote)
	switch {
	case errors.Is(err, sockdiag.ErrNotFound):
		msg := fmt.Sprintf("gone from the kernel's socket table (seen %.1f s after close)", now.Sub(c.closedAt).Seconds())
		if c.state != "" {
			msg = c.state + " ended: " + msg
		}
		return append(evs, shell.Event{Note: true, Time: now, Kind: EventNotice, Resource: c.name, Label: label, Message: msg}), true
	case err != nil:
		return evs, true // the table cannot be asked: stop following
	}
	st := bsd.TCPStateName(e.State)
	if st != c.state {
		msg := st + " in the kernel's socket table"
		if e.Expires > 0 && st == "TIME_WAIT" {
			msg += fmt.Sprintf(", gone after %.1f s", e.Expires.Seconds())
		} else if e.Expires > 0 {
			msg += fmt.Sprintf(", its timer ends in %.1f s", e.Expires.Seconds())
		}
		from := c.state
		if from == "" {
			from = "closed"
		}
		evs = append(evs, shell.Event{Note: true, Time: now, Kind: EventState, Resource: c.name, Label: label, Message: msg,
			Attrs: []shell.Attr{{Key: "from", Value: from}, {Key: "to", Value: st}, {Key: "closed", Value: true}}})
		c.state = st
	}
	return evs, false
}

// tableState is, for a TCP socket once connected whose TCP_INFO reads
// CLOSE, the state the kernel's socket table holds its connection in
// (TIME_WAIT after this side's FIN and the peer's): the descriptor no
// longer knows its peer (getpeername fails), so the table is asked by the
// 4-tuple the socket was connected with; ok is false when the table holds
// nothing (a reset; a passive close that ended).
func tableState(s *bsd.Socket) (string, bool) {
	remote, ok := s.ConnectedPeer()
	if !ok {
		return "", false // a new socket reads CLOSE too, and has no connection
	}
	local, ok := s.LocalEnd()
	if !ok {
		return "", false
	}
	e, err := sockdiag.Lookup(local, remote)
	if err != nil {
		return "", false
	}
	return bsd.TCPStateName(e.State), true
}

// stateFromTable is the state `sockets` shows for a socket whose State()
// is st: TCP_INFO's, or, when that reads CLOSE on a socket once connected,
// the kernel's socket table's (TIME_WAIT, as ss shows it).
func stateFromTable(s *bsd.Socket, st string) string {
	if st != "CLOSE" {
		return st
	}
	if t, ok := tableState(s); ok {
		return t
	}
	return st
}
