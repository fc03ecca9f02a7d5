package commands

import (
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// newEpolls are the epoll descriptors open now that were not in before.
func newEpolls(before map[int]string) int {
	n := 0
	for fd, link := range testenv.OpenFDs() {
		if link == "anon_inode:[eventpoll]" && before[fd] != link {
			n++
		}
	}
	return n
}

// TestWatcherKeepsItsSets: the watcher's epoll sets outlive a prompt: the
// second wait finds them made and filled (each socket in them once, the
// same sets), a wait stopped at once leaves them usable, and they are
// released once no socket is left, and when the session closes all it
// holds.
func TestWatcherKeepsItsSets(t *testing.T) {
	before := testenv.OpenFDs()
	sess, socks := benchSockets(t, 6)
	if err := sess.Table.Setting("notices").Set(sess, "on"); err != nil {
		t.Fatal(err)
	}
	if stop := watchSockets(sess); stop != nil {
		stop() // stopped at once: the goroutine may not even have started
	}
	stop := watchSockets(sess)
	regs := epollRegistrations(t, before, len(socks)+1)
	stop()
	if regs != len(socks)+1 {
		t.Fatalf("the wake set holds %d descriptors, want %d (the sockets and its eventfd)", regs, len(socks)+1)
	}
	k := keptSets(sess)
	set := k.set
	if set == nil || len(k.token) != len(socks) {
		t.Fatalf("after two waits: set %p, %d sockets in it, want %d", set, len(k.token), len(socks))
	}
	for range 3 {
		stop := watchSockets(sess)
		epollRegistrations(t, before, len(socks)+1)
		stop()
	}
	if k.set != set || len(k.token) != len(socks) {
		t.Errorf("the sets were made again (%p, was %p) or hold %d sockets, want %d", k.set, set, len(k.token), len(socks))
	}
	if n := newEpolls(before); n != 2 {
		t.Errorf("%d epoll sets open, want 2 (the wake set, the level-triggered set)", n)
	}
	if regs := epollRegistrations(t, before, len(socks)+1); regs != len(socks)+1 {
		t.Errorf("after five waits the wake set holds %d descriptors, want %d", regs, len(socks)+1)
	}
	// One socket closed and unregistered: the next wait's pass forgets it.
	socks[0].s.Close()
	sess.Remove(socks[0].name)
	stop = watchSockets(sess)
	epollRegistrations(t, before, len(socks))
	stop()
	sess.CloseAll()
	if n := newEpolls(before); n != 0 {
		t.Errorf("%d epoll sets left open after CloseAll", n)
	}

	// The last socket closed between two waits: the next releases the sets.
	sess2, socks2 := benchSockets(t, 1)
	sess2.Table.Setting("notices").Set(sess2, "on")
	stop = watchSockets(sess2)
	epollRegistrations(t, before, 2)
	stop()
	socks2[0].s.Close()
	sess2.Remove(socks2[0].name)
	if stop := watchSockets(sess2); stop != nil {
		stop()
	}
	if n := newEpolls(before); n != 0 {
		t.Errorf("%d epoll sets left open with no socket registered", n)
	}
}
