// The command log: every statement's event, kept apart from the event log
// and much longer than its ring (a busy socket's events would push the
// commands out of it), so that a view that needs every command of a long
// session (export python) gets them, or is told how many it missed.
package shell

import "sync"

// CommandLogSize is how many of the last statements the command log keeps.
const CommandLogSize = 1 << 16

// CommandEntry is one statement in the command log.
type CommandEntry struct {
	Event // the statement's command event (cmdevent.go)
	// DefaultTimeout is the Python that gives new sockets the session's
	// timeout as it stood after the statement ran
	// ("socket.setdefaulttimeout(30.0)").
	DefaultTimeout string
}

// commandLog is a ring of the last CommandLogSize entries.
type commandLog struct {
	mu      sync.Mutex
	size    int // 0: CommandLogSize
	ring    []CommandEntry
	next    int
	dropped uint64
}

func (l *commandLog) add(e CommandEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	size := l.size
	if size <= 0 {
		size = CommandLogSize
	}
	if len(l.ring) < size {
		l.ring = append(l.ring, e)
		return
	}
	l.ring[l.next] = e
	l.next = (l.next + 1) % size
	l.dropped++
}

// Commands returns the statements the command log keeps, oldest first, and
// how many older ones it no longer has.
func (s *Session) Commands() (entries []CommandEntry, dropped uint64) {
	l := &s.commands
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]CommandEntry, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	out = append(out, l.ring[:l.next]...)
	return out, l.dropped
}
