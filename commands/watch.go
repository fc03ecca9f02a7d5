// The watcher: while the prompt waits for input, every registered socket
// is looked at through the kernel, without reading from it (bsd.Glance),
// and what changed is told as a notice above the prompt.
package commands

import (
	"fmt"
	"sync"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// EventNotice is the kind of a watcher's notice.
const EventNotice shell.EventKind = "notice"

// watchEvery is how often the watcher looks: under a burst the amount
// waiting is told at most once per watchRepeat, as it is at that moment.
const (
	watchEvery  = 100 * time.Millisecond
	watchRepeat = time.Second
)

// seen is what the notices last told of one socket.
type seen struct {
	g    bsd.Glance
	told time.Time // when the amount waiting was last told
}

// watchState is the session's: notices on or off, and what was told, so
// that nothing is told twice across prompts while nothing changes.
type watchState struct {
	set  bool // `set notices` was given; else on at the prompt only
	on   bool
	last map[*bsd.Socket]seen
}

var watchKey = shell.NewStateKey("watch", func() watchState { return watchState{last: map[*bsd.Socket]seen{}} })

// notices compares a socket's glance with the last one told and returns
// the lines to tell (without the name), and whether the amount waiting
// was told (then now is its time).
func notices(name string, prev seen, had bool, g bsd.Glance, now time.Time) (lines []string, toldWaiting bool) {
	p := prev.g
	if !had {
		p = bsd.Glance{TCP: g.TCP, State: g.State}
	}
	if g.TCP && p.State != "" && g.State != p.State {
		lines = append(lines, fmt.Sprintf("%s → %s", p.State, g.State))
	}
	if g.Pending > 0 && g.Pending != p.Pending {
		lines = append(lines, fmt.Sprintf("%s waiting (accept %s)", plural(g.Pending, "connection"), name))
	}
	if g.Waiting > 0 && g.Waiting != p.Waiting && (p.Waiting == 0 || now.Sub(prev.told) >= watchRepeat) {
		if g.TCP {
			lines = append(lines, fmt.Sprintf("%s waiting (recv %s)", plural(g.Waiting, "byte"), name))
		} else if g.HasFrom {
			lines = append(lines, fmt.Sprintf("datagram from ('%s', %d) waiting (recvfrom %s)", g.From.Addr(), g.From.Port(), name))
		} else {
			lines = append(lines, fmt.Sprintf("datagram waiting (recvfrom %s)", name))
		}
		toldWaiting = true
	}
	if g.TCP && g.FIN && !p.FIN && !g.Error {
		if g.Waiting > 0 {
			lines = append(lines, "the peer closed its side (FIN); recv returns b'' after the bytes waiting")
		} else {
			lines = append(lines, "the peer closed its side (FIN); recv returns b''")
		}
	}
	if g.Error && !p.Error {
		// The error itself is not read: getsockopt(SO_ERROR) would clear
		// it, and recv would then return b'' instead of raising.
		if g.TCP && g.State == "CLOSE" {
			lines = append(lines, "connection reset by the peer or failed (an error is pending; the next call raises it)")
		} else {
			lines = append(lines, "an error is pending (the next call raises it)")
		}
	}
	return lines, toldWaiting
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// watchSockets is the idle hook: nil (no goroutine, no system call) when
// notices are off or no socket is registered.
func watchSockets(sess *shell.Session) (stop func()) {
	if !noticesOn(sess) {
		return nil
	}
	var socks []watched
	for _, r := range sess.Resources() {
		if s, ok := r.Resource.(*bsd.Socket); ok {
			socks = append(socks, watched{r.Name, s})
		}
	}
	if len(socks) == 0 {
		return nil
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(watchEvery)
		defer t.Stop()
		for {
			watchPass(sess, socks, time.Now())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
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
		for _, ws := range socks {
			g, ok := ws.s.Glance()
			if !ok {
				delete(w.last, ws.s)
				continue
			}
			prev, had := w.last[ws.s]
			lines, told := notices(ws.name, prev, had, g, now)
			next := seen{g: g, told: prev.told}
			if told {
				next.told = now
			} else if g.Waiting != 0 && prev.g.Waiting != 0 {
				next.g.Waiting = prev.g.Waiting // not told yet: keep what was told
			}
			w.last[ws.s] = next
			for _, l := range lines {
				evs = append(evs, shell.Event{Time: now, Kind: EventNotice, Resource: ws.name, Message: l})
			}
		}
		if len(w.last) > len(socks) { // forget the sockets closed since
			keep := make(map[*bsd.Socket]bool, len(socks))
			for _, ws := range socks {
				keep[ws.s] = true
			}
			for s := range w.last {
				if !keep[s] {
					delete(w.last, s)
				}
			}
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
