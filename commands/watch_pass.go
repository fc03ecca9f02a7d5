// The watcher's pass: each registered socket looked at once, what changed
// told as notices (watch.go starts the passes at the prompt).
package commands

import (
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// watched is a registered socket and its name.
type watched struct {
	name string
	s    *bsd.Socket
}

// watchPass looks at each socket once and emits what changed.
func watchPass(sess *shell.Session, socks []watched, now time.Time) {
	watchPassUntil(sess, socks, now, nil)
}

// isDone reports whether done is closed (never, for nil).
func isDone(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// watchPassUntil is watchPass that stops between two sockets once done is
// closed (a line was typed: the command must not wait for a whole pass);
// what it told so far is emitted, the sockets it did not reach are looked
// at by the next pass. It reports whether it made the whole pass.
func watchPassUntil(sess *shell.Session, socks []watched, now time.Time, done <-chan struct{}) (whole bool) {
	var evs []shell.Event
	whole = true
	watchKey.With(sess, func(w *watchState) {
		evs = append(evs, followGone(w, now)...)
		for _, ws := range socks {
			if done != nil && isDone(done) {
				whole = false
				break
			}
			g, ok := ws.s.Glance()
			if !ok {
				delete(w.last, ws.s)
				continue
			}
			prev, had := w.last[ws.s]
			recvd := ws.s.Received()
			if had && recvd != prev.recvd {
				prev.g.Waiting, prev.told = 0, time.Time{}
			}
			if g.TCP && !prev.hasEnds && g.State != "LISTEN" {
				// The 4-tuple, followed in the kernel's table after close.
				if r, ok := ws.s.ConnectedPeer(); ok {
					prev.local, ok = ws.s.LocalEnd()
					prev.remote, prev.hasEnds = r, ok
				}
			}
			if g.TCP && g.State == "CLOSE" && !g.Error {
				// TCP_INFO on the descriptor reads CLOSE once both FINs
				// are through, while the kernel's table may still hold
				// the connection in TIME_WAIT (where ss shows it).
				if st, ok := tableState(ws.s); ok {
					g.State = st
				}
			}
			lines, told := notices(ws.name, prev, had, g, now)
			next := seen{g: g, told: prev.told, local: prev.local, remote: prev.remote, hasEnds: prev.hasEnds, recvd: recvd}
			if told {
				next.told = now
			} else if g.Waiting != 0 && prev.g.Waiting != 0 {
				next.g.Waiting = prev.g.Waiting // not told yet: keep what was told
			}
			w.last[ws.s] = next
			w.names[ws.s] = ws.name
			for _, l := range lines {
				evs = append(evs, noticeEvent(now, ws.name, l))
			}
		}
		if len(w.last) > 0 { // forget the sockets closed since; follow their connections
			keep := make(map[*bsd.Socket]bool, len(socks))
			for _, ws := range socks {
				keep[ws.s] = true
			}
			names := w.names
			for s, sn := range w.last {
				if !keep[s] {
					if sn.hasEnds && sn.g.TCP {
						w.gone[s] = &goneConn{name: names[s], local: sn.local, remote: sn.remote, closedAt: now}
					}
					delete(w.last, s)
					delete(w.names, s)
				}
			}
			trimFollowed(w)
		}
	})
	for _, e := range evs {
		sess.Emit(e)
	}
	return whole
}
