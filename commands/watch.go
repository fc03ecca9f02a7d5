// The watcher: while the prompt waits for input, every registered socket
// is looked at through the kernel, without reading from it (bsd.Glance),
// and what changed is told as a notice above the prompt.
package commands

import (
	"net/netip"
	"sync"
	"sync/atomic"
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
	kept  *watchKept // the epoll sets kept between prompts (watch_kept.go)

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
	var seen map[string]bool // the names the passes know, gathered at the first close
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
			if seen == nil {
				seen = make(map[string]bool, len(w.names))
				for _, n := range w.names {
					seen[n] = true
				}
			}
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
	res := sess.Resources()
	socks := make([]watched, 0, len(res))
	for _, r := range res {
		if s, ok := r.Resource.(*bsd.Socket); ok {
			socks = append(socks, watched{r.Name, s})
		}
	}
	kept := keptSets(sess)
	if len(socks) == 0 {
		kept.release() // no socket left: the sets are made again for the next
		if following == 0 {
			if looked > 0 {
				// The sockets looked at last are all closed: one pass
				// forgets them (else they stay referenced until a socket
				// is made).
				watchPass(sess, nil, time.Now())
			}
			return nil
		}
	}
	// The kernel wakes the watcher (an edge-triggered epoll set) when a
	// socket has news; the tick looks anyway, for what wakes no one (a
	// closed connection's end in the kernel's table). The sets are kept
	// from one prompt to the next, and filled by the watcher's goroutine,
	// so nothing of this waits on the prompt's path: stop (a line typed)
	// ends the goroutine between two sockets, and waits for nothing else.
	var quit atomic.Bool // a line was typed
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex // guards set and stopped between the goroutine and stop
	var set *bsd.WatchSet
	stopped := false
	wg.Add(1)
	go func() {
		defer wg.Done()
		mu.Lock()
		if !stopped && len(socks) > 0 && kept.open() {
			set = kept.set // else the tick alone, each socket polled on its own
			set.Rearm()    // the last prompt's Stop
		}
		mu.Unlock()
		if set != nil {
			kept.addNew(socks, &quit)
		} else {
			kept = nil
		}
		var woke time.Time // when news last made a pass
		for {
			if !watchPassWith(sess, socks, time.Now(), kept, &quit) {
				return
			}
			news := false
			if set != nil {
				var q bool
				if q, news = set.Wait(watchEvery); q {
					return
				}
			} else {
				select {
				case <-done:
					return
				case <-time.After(watchEvery):
				}
			}
			if quit.Load() {
				return
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
		quit.Store(true)
		close(done)
		mu.Lock()
		stopped = true
		if set != nil {
			set.Stop()
		}
		mu.Unlock()
		wg.Wait()
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
