// The watcher's epoll sets, kept from one prompt to the next: a socket is
// put in them once, by the watcher's goroutine (never on the prompt's
// path), and leaves them when it is closed; the sets are released when no
// socket is left or the session closes what it holds.
package commands

import (
	"sync/atomic"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// watchKept is the watcher's bsd.WatchSet and which socket each token
// names. Only one goroutine uses it at a time: the watcher's while the
// prompt waits, the prompt's between two waits.
type watchKept struct {
	set   *bsd.WatchSet
	token map[*bsd.Socket]int32
	next  int32
	ready map[int32]uint32 // the last Ready's answer, reused
	// failed: the sets could not be made (descriptors exhausted): each
	// socket is polled on its own, as without them.
	failed bool
}

// open makes the sets on first use; false when they cannot be made.
func (k *watchKept) open() bool {
	if k.set == nil && !k.failed {
		set, err := bsd.NewWatchSet()
		if err != nil {
			k.failed = true
			return false
		}
		k.set, k.token, k.ready = set, map[*bsd.Socket]int32{}, map[int32]uint32{}
	}
	return k.set != nil
}

// addNew puts the sockets not in the sets yet in them, stopping between
// two once stop is set (the rest are added at the next wait, and polled on
// their own until then).
func (k *watchKept) addNew(socks []watched, stop *atomic.Bool) {
	for _, ws := range socks {
		if stop.Load() {
			return
		}
		if _, in := k.token[ws.s]; in {
			continue
		}
		if k.next < 0 { // wrapped (2^31 sockets); -1 is the stop eventfd's
			k.next = 0
		}
		if k.set.Add(ws.s, k.next) {
			k.token[ws.s] = k.next
			k.next++
		}
	}
}

// readyNow asks the level-triggered set which sockets poll would call
// ready; nil when there are no sets, or the answer may be partial.
func (k *watchKept) readyNow() map[int32]uint32 {
	if k == nil || k.set == nil {
		return nil
	}
	clear(k.ready)
	if !k.set.Ready(len(k.token), func(t int32, ev uint32) { k.ready[t] = ev }) {
		return nil
	}
	return k.ready
}

// events is poll's answer for s from ready; in is false when s is not in
// the sets (or there is no answer): then it is polled on its own.
func (k *watchKept) events(ready map[int32]uint32, s *bsd.Socket) (ev uint32, in bool) {
	if ready == nil {
		return 0, false
	}
	t, in := k.token[s]
	if !in {
		return 0, false
	}
	return ready[t], true
}

// forgetOthers drops the sockets in the sets that are no longer
// registered (a closed one left the sets by itself); it looks only when
// the sets know more sockets than the pass had.
func (k *watchKept) forgetOthers(socks []watched) {
	if k == nil || k.set == nil || len(k.token) <= len(socks) {
		return
	}
	keep := make(map[*bsd.Socket]bool, len(socks))
	for _, ws := range socks {
		keep[ws.s] = true
	}
	for s := range k.token {
		if !keep[s] {
			k.set.Remove(s)
			delete(k.token, s)
		}
	}
}

// release closes the sets; they are made again when next needed.
func (k *watchKept) release() {
	if k.set != nil {
		k.set.Close()
	}
	*k = watchKept{}
}

// keptSets is the session's watchKept, made on first use, released when
// the session closes what it holds.
func keptSets(sess *shell.Session) *watchKept {
	var k *watchKept
	made := false
	watchKey.With(sess, func(w *watchState) {
		if w.kept == nil {
			w.kept, made = &watchKept{}, true
		}
		k = w.kept
	})
	if made {
		sess.KeepUntilClose("watcher", func() {
			watchKey.With(sess, func(w *watchState) { w.kept = nil })
			k.release()
		})
	}
	return k
}
