package commands

import (
	"sort"
	"strconv"
)

// closedNames are the socket names closed in a session, so that a command
// on one says it was closed rather than never made. The session issues
// each prefix's names in order (shell.Session.Register: s1, s2, …; the
// gopher client's g1, …) and never twice, and sockets are mostly closed
// in about the order they were made: so the closed numbers of a prefix
// are kept as runs, [lo, hi] each, merged as they meet. A session that
// connected and closed 10,000 sockets keeps one run (it kept 10,000 map
// entries before); the runs are at most one more than the names between
// them still open, or never closed (a fetch's socket, removed without a
// close). A name not of the form PREFIX+NUMBER (none is issued today)
// is kept as it is.
type closedNames struct {
	runs  map[string][]numRun // by prefix: sorted, apart (never adjacent)
	other map[string]bool
}

// numRun is the numbers lo to hi, both included.
type numRun struct{ lo, hi int }

// splitName splits "s12" into "s" and 12; ok is false for a name that
// Register never gives (no number, a leading zero, no prefix).
func splitName(name string) (prefix string, n int, ok bool) {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i == 0 || i == len(name) || name[i] == '0' || len(name)-i > 9 {
		return "", 0, false
	}
	n, err := strconv.Atoi(name[i:])
	return name[:i], n, err == nil
}

// add records name as closed.
func (c *closedNames) add(name string) {
	prefix, n, ok := splitName(name)
	if !ok {
		if c.other == nil {
			c.other = map[string]bool{}
		}
		c.other[name] = true
		return
	}
	if c.runs == nil {
		c.runs = map[string][]numRun{}
	}
	rs := c.runs[prefix]
	// i: the first run that ends at n-1 or later (the one n may join).
	i := sort.Search(len(rs), func(k int) bool { return rs[k].hi >= n-1 })
	switch {
	case i < len(rs) && rs[i].lo <= n && n <= rs[i].hi:
		return // closed already
	case i < len(rs) && rs[i].hi == n-1:
		rs[i].hi = n
		if i+1 < len(rs) && rs[i+1].lo == n+1 { // it closed the gap to the next
			rs[i].hi = rs[i+1].hi
			rs = append(rs[:i+1], rs[i+2:]...)
		}
	case i < len(rs) && rs[i].lo == n+1:
		rs[i].lo = n
	default:
		rs = append(rs, numRun{})
		copy(rs[i+1:], rs[i:])
		rs[i] = numRun{n, n}
	}
	c.runs[prefix] = rs
}

// has reports whether name was closed.
func (c *closedNames) has(name string) bool {
	prefix, n, ok := splitName(name)
	if !ok {
		return c.other[name]
	}
	rs := c.runs[prefix]
	i := sort.Search(len(rs), func(k int) bool { return rs[k].hi >= n })
	return i < len(rs) && rs[i].lo <= n
}

// count is how many names were closed.
func (c *closedNames) count() int {
	total := len(c.other)
	for _, rs := range c.runs {
		for _, r := range rs {
			total += r.hi - r.lo + 1
		}
	}
	return total
}

// first is up to n of the closed names in the order the sockets were
// made (s2 before s10; a shorter name first, then by text).
func (c *closedNames) first(n int) []string {
	var names []string
	for prefix, rs := range c.runs {
		left := n
		for _, r := range rs {
			for k := r.lo; k <= r.hi && left > 0; k++ {
				names = append(names, prefix+strconv.Itoa(k))
				left--
			}
		}
	}
	for name := range c.other {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) < len(names[j])
		}
		return names[i] < names[j]
	})
	if len(names) > n {
		names = names[:n]
	}
	return names
}
