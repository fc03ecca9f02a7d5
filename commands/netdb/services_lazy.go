// A services database parsed as far as the questions asked of it need:
// the first lookup of a start (`servport http tcp`) reads the lines up to
// its answer, as glibc's getservbyname reads /etc/services line by line,
// instead of the whole file; a later question goes on from where the
// last one stopped, and listing or completing everything (All) parses the
// rest. The entries and their order are those of one whole parse, and
// each line is parsed once.

package netdb

import (
	"bufio"
	"strings"
	"sync"
	"sync/atomic"
)

// lazyEntries is the parsed part of a database's text and the rest.
type lazyEntries struct {
	mu      sync.Mutex
	entries []Service // the lines parsed so far, in file order
	rest    string    // the text not parsed yet
	aliases []string  // the arena the entries' aliases are slices of
	done    atomic.Bool
}

// start takes the database's text. A line too long for glibc makes the
// whole file unreadable, as a whole parse would find: it is looked for
// now (a scan for newlines), not when a question reaches it.
func (l *lazyEntries) start(text string) error {
	lines := 0
	for t := text; len(t) > 0; lines++ {
		i := strings.IndexByte(t, '\n')
		if i < 0 {
			i = len(t)
		}
		if i > maxServicesLine {
			return bufio.ErrTooLong
		}
		t = t[min(i+1, len(t)):]
	}
	l.entries = make([]Service, 0, lines)
	l.rest = text
	l.done.Store(text == "")
	return nil
}

// next parses the next line that holds an entry and appends it; false at
// the end of the text. l.mu is held.
func (l *lazyEntries) next() bool {
	for len(l.rest) > 0 {
		line := l.rest
		if i := strings.IndexByte(l.rest, '\n'); i >= 0 {
			line, l.rest = l.rest[:i], l.rest[i+1:]
		} else {
			l.rest = ""
		}
		if s, ok := parseServiceLine(line, &l.aliases); ok {
			l.entries = append(l.entries, s)
			return true
		}
	}
	l.done.Store(true)
	return false
}

// first returns the first entry, in file order, that match accepts,
// parsing only as far as it.
func (l *lazyEntries) first(match func(*Service) bool) (Service, bool) {
	if l.done.Load() {
		for i := range l.entries {
			if match(&l.entries[i]) {
				return l.entries[i], true
			}
		}
		return Service{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.entries {
		if match(&l.entries[i]) {
			return l.entries[i], true
		}
	}
	for l.next() {
		if s := &l.entries[len(l.entries)-1]; match(s) {
			return *s, true
		}
	}
	return Service{}, false
}

// All returns every entry, in file order (the rest of the text parsed).
// The slice is the database's: it is not to be changed.
func (l *lazyEntries) All() []Service {
	if !l.done.Load() {
		l.mu.Lock()
		for l.next() {
		}
		l.mu.Unlock()
	}
	return l.entries
}
