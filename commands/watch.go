// The watcher: while the prompt waits for input, every registered socket
// is looked at through the kernel, without reading from it (bsd.Glance),
// and what changed is told as a notice above the prompt.
package commands

import (
	"net/netip"
	"sync"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// The kinds of the watcher's events: a notice (data or connections
// waiting, the peer's FIN, a reset, a closed socket's connection in the
// kernel's table), and a TCP state change (fields "from" and "to").
const (
	EventNotice shell.EventKind = "notice"
	EventState  shell.EventKind = "state"
)

// notice is one line to tell: a notice, or a state change (from → to).
type notice struct {
	msg      string
	from, to string // a state change's states; "" for a notice
}

// The watcher looks when the kernel wakes it, at most once per watchGap,
// and at least once per watchEvery; under a burst the amount waiting is
// told at most once per watchRepeat, as it is at that moment.
const (
	watchGap    = 20 * time.Millisecond
	watchEvery  = 250 * time.Millisecond
	watchRepeat = time.Second
)

// seen is what the notices last told of one socket.
type seen struct {
	g    bsd.Glance
	told time.Time // when the amount waiting was last told
	// The connection's 4-tuple, once seen connected: the kernel's socket
	// table is asked by it when TCP_INFO reads CLOSE, and after close.
	local, remote netip.AddrPort
	hasEnds       bool
	// recvd is the socket's bytes received by commands at that look: when
	// a command received since, what was told waiting may be gone, and
	// what waits now is news even if it is the same amount.
	recvd int64
}

// goneConn is a closed TCP socket's connection, followed through the
// kernel's table until it is gone.
type goneConn struct {
	name          string
	local, remote netip.AddrPort
	state         string
	closedAt      time.Time
}

// watchState is the session's: notices on or off, and what was told, so
// that nothing is told twice across prompts while nothing changes.
type watchState struct {
	set   bool // `set notices` was given; else on at the prompt only
	on    bool
	last  map[*bsd.Socket]seen
	names map[*bsd.Socket]string // the name each socket in last had
	gone  map[*bsd.Socket]*goneConn

	// The sockets' events, read between commands: a TCP connection closed
	// before the watcher ever looked at it (connect and close in one
	// line) is followed all the same, by the 4-tuple its events named.
	log    *shell.Subscription
	stream map[string]bool              // names made SOCK_STREAM over IP
	ends   map[string][2]netip.AddrPort // name → local, peer once connected
	byName map[string]*goneConn         // followed from the events alone
}

// The socket events the watcher reads (commands/sock_events.go).
const (
	sockCreated   shell.EventKind = "created"
	sockConnected shell.EventKind = "connected"
	sockAccepted  shell.EventKind = "accepted"
	sockClosed    shell.EventKind = "closed"
)

// watchLogSize bounds the socket events waiting between two looks; more
// are dropped (their connections are then not followed after close).
const watchLogSize = 256

// readLog takes the socket events since the last look: what each name is,
// and, for a TCP socket closed that the watcher never looked at, its
// connection to follow in the kernel's table.
func (w *watchState) readLog(sess *shell.Session) {
	if w.log == nil {
		w.stream, w.ends, w.byName = map[string]bool{}, map[string][2]netip.AddrPort{}, map[string]*goneConn{}
		w.log = sess.Events().Subscribe(watchLogSize, func(e shell.Event) bool {
			switch e.Kind {
			case sockCreated, sockConnected, sockAccepted, sockClosed:
				return e.Resource != ""
			}
			return false
		})
	}
	seen := map[string]bool{}
	for _, n := range w.names {
		seen[n] = true
	}
	for _, e := range w.log.Pending() {
		attr := func(k string) any { v, _ := e.Attr(k); return v }
		switch e.Kind {
		case sockCreated:
			fam, _ := attr("family").(string)
			w.stream[e.Resource] = attr("type") == "SOCK_STREAM" && (fam == "AF_INET" || fam == "AF_INET6")
		case sockConnected, sockAccepted:
			name := e.Resource
			if e.Kind == sockAccepted {
				name, _ = attr("socket").(string)
				w.stream[name] = w.stream[e.Resource] // as its listener
			}
			local, ok1 := attr("address").(netip.AddrPort)
			peer, ok2 := attr("peer").(netip.AddrPort)
			if name != "" && ok1 && ok2 {
				w.ends[name] = [2]netip.AddrPort{local, peer}
			}
		case sockClosed:
			name := e.Resource
			ends, ok := w.ends[name]
			if ok && w.stream[name] && !seen[name] {
				w.byName[name] = &goneConn{name: name, local: ends[0], remote: ends[1], closedAt: e.Time}
			}
			delete(w.ends, name)
			delete(w.stream, name)
		}
	}
}

var watchKey = shell.NewStateKey("watch", func() watchState {
	return watchState{last: map[*bsd.Socket]seen{}, names: map[*bsd.Socket]string{}, gone: map[*bsd.Socket]*goneConn{}}
})

// watchSockets is the idle hook: nil (no goroutine, no system call) when
// notices are off or no socket is registered.
func watchSockets(sess *shell.Session) (stop func()) {
	on := noticesOn(sess)
	var following, looked int
	watchKey.With(sess, func(w *watchState) {
		if on || w.log != nil {
			w.readLog(sess) // drained even while off: no stale news later
		}
		if !on {
			clear(w.byName)
		}
		following, looked = len(w.gone)+len(w.byName), len(w.last)
	})
	if !on {
		return nil
	}
	var socks []watched
	for _, r := range sess.Resources() {
		if s, ok := r.Resource.(*bsd.Socket); ok {
			socks = append(socks, watched{r.Name, s})
		}
	}
	if len(socks) == 0 && following == 0 {
		if looked > 0 {
			// The sockets looked at last are all closed: one pass forgets
			// them (else they stay referenced until a socket is made).
			watchPass(sess, nil, time.Now())
		}
		return nil
	}
	// The kernel wakes the watcher (an edge-triggered epoll set) when a
	// socket has news; the tick looks anyway, for what wakes no one (a
	// closed connection's end in the kernel's table). The set is made in
	// the watcher's goroutine, so the prompt is drawn at once (1,000
	// sockets are 1,000 epoll_ctl calls).
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex // guards wk and stopped between the goroutine and stop
	var wk *bsd.Waker
	stopped := false
	wg.Add(1)
	go func() {
		defer wg.Done()
		all := make([]*bsd.Socket, len(socks))
		for i, w := range socks {
			all[i] = w.s
		}
		mu.Lock()
		if !stopped {
			if w, err := bsd.NewWaker(all); err == nil {
				wk = w // else the tick alone
			}
		}
		mu.Unlock()
		var woke time.Time // when news last made a pass
		for {
			watchPass(sess, socks, time.Now())
			news := false
			if wk != nil {
				var quit bool
				if quit, news = wk.Wait(watchEvery); quit {
					return
				}
			} else {
				select {
				case <-done:
					return
				case <-time.After(watchEvery):
				}
			}
			if !news {
				continue
			}
			// A burst wakes it on every arrival: the first news is looked
			// at at once, then one pass per watchGap.
			if gap := watchGap - time.Since(woke); gap > 0 {
				select {
				case <-done:
					return
				case <-time.After(gap):
				}
			}
			woke = time.Now()
		}
	}()
	return func() {
		close(done)
		mu.Lock()
		stopped = true
		if wk != nil {
			wk.Stop()
		}
		mu.Unlock()
		wg.Wait()
		if wk != nil {
			wk.Close()
		}
	}
}

// watched is a registered socket and its name.
type watched struct {
	name string
	s    *bsd.Socket
}

// watchPass looks at each socket once and emits what changed.
func watchPass(sess *shell.Session, socks []watched, now time.Time) {
	var evs []shell.Event
	watchKey.With(sess, func(w *watchState) {
		evs = append(evs, followGone(w, now)...)
		for _, ws := range socks {
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
}

// noticesOn: as set, else on at the prompt and off in -c, script and
// pipe runs.
func noticesOn(sess *shell.Session) bool {
	w := watchKey.Get(sess)
	if w.set {
		return w.on
	}
	return sess.AtPrompt()
}

// noticesSetting is `set notices on|off`.
func noticesSetting() *shell.Setting {
	return &shell.Setting{
		Name:   "notices",
		Help:   "on or off (on at the prompt, off in -c, script and pipe runs): tell, before the next line runs, what the kernel says of each socket while the shell waits for it (data or connections waiting, the peer's FIN, a reset, TCP state changes), without reading",
		Values: []string{"on", "off"},
		Get: func(s *shell.Session) (string, any) {
			if noticesOn(s) {
				return "on", true
			}
			return "off", false
		},
		Set: func(s *shell.Session, v string) error {
			switch v {
			case "on", "off":
				watchKey.With(s, func(w *watchState) { w.set, w.on = true, v == "on" })
				return nil
			}
			return shell.Usagef("notices takes on or off, not %q", v)
		},
	}
}
