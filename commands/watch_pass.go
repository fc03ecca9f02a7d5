// The watcher's pass: each registered socket looked at once, what changed
// told as notices (watch.go starts the passes while the prompt waits;
// watch_kept.go holds the epoll sets kept between prompts).
package commands

import (
	"sync/atomic"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// watched is a registered socket and its name.
type watched struct {
	name string
	s    *bsd.Socket
}

// watchPass looks at each socket once (a poll each) and emits what
// changed.
func watchPass(sess *shell.Session, socks []watched, now time.Time) {
	watchPassWith(sess, socks, now, nil, nil)
}

// watchPassWith is watchPass with the kept epoll sets (nil: none), whose
// one epoll_wait answers poll for every socket in them, and a stop flag
// (nil: none) that ends the pass between two sockets once set: a line was
// typed, and the command must not wait for the pass. What was seen so far
// is kept and told; the sockets not reached are looked at by the next
// pass. whole reports whether every socket was looked at.
func watchPassWith(sess *shell.Session, socks []watched, now time.Time, k *watchKept, stop *atomic.Bool) (whole bool) {
	var evs []shell.Event
	whole = true
	ready := k.readyNow()
	watchKey.With(sess, func(w *watchState) {
		evs = append(evs, followGone(w, now)...)
		written := 0
		for _, ws := range socks {
			if stop != nil && stop.Load() {
				whole = false
				break
			}
			var g bsd.Glance
			var ok bool
			if ev, in := k.events(ready, ws.s); in {
				g, ok = k.set.Glance(ws.s, ev)
			} else {
				g, ok = ws.s.Glance()
			}
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
			written++
			for _, l := range lines {
				evs = append(evs, noticeEvent(now, ws.name, l))
			}
		}
		// Forget the sockets closed since and follow their connections:
		// only when w.last holds more than this pass wrote (each socket is
		// one entry), so a pass over sockets that all stay builds no set.
		if len(w.last) > written {
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
	if whole {
		k.forgetOthers(socks)
	}
	return whole
}
