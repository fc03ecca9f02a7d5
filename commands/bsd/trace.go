// This file holds Trace, the record of the system calls a command made.

package bsd

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/sockshell/sockshell/shell/pyerr"
)

// maxTraceLines bounds the lines one Trace keeps; later calls are only counted.
const maxTraceLines = 500

// Trace collects one line per system call, with its real arguments and
// result, in the order they happen, e.g.
//
//	socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5
//	connect(5, {AF_INET, 127.0.0.1:8080}) = -1 ECONNREFUSED (Connection refused)
//
// Consecutive successful calls of the same system call on the same
// descriptor are folded into one line with their count and byte total, and
// only the first EAGAIN of a call on a descriptor gets a line (later ones
// are counted on it), so a long transfer does not flood the trace. A nil *Trace
// records nothing; all methods are safe for concurrent use.
type Trace struct {
	mu      sync.Mutex
	entries []traceEntry
	dropped int
	eagain  map[string]int // call key → index of its first EAGAIN entry
}

type traceEntry struct {
	call   string // the call with its arguments: "recvfrom(5, 1024)"
	result string // the last result: "7", "-1 EAGAIN (...)", "" when unknown
	count  int    // how many calls were folded into this entry
	total  int64  // the sum of the numeric results, when all were counts
	counts bool   // whether every folded result was a byte count
	note   string // a remark appended after the result
}

// NewTrace returns an empty trace.
func NewTrace() *Trace { return &Trace{} }

// Lines returns the recorded lines.
func (t *Trace) Lines() []string {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.entries)+1)
	for _, e := range t.entries {
		out = append(out, e.String())
	}
	if t.dropped > 0 {
		out = append(out, fmt.Sprintf("... %d more system calls not shown", t.dropped))
	}
	return out
}

// Reset forgets every recorded line.
func (t *Trace) Reset() {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.entries, t.dropped, t.eagain = nil, 0, nil
	t.mu.Unlock()
}

// Note appends a free-form line (not a system call), e.g. a remark about
// what the layer did on the caller's behalf.
func (t *Trace) Note(format string, args ...any) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.push(traceEntry{call: fmt.Sprintf(format, args...), count: 1})
}

// record adds one system call: call is "name(args)", n its return value when
// err is nil.
func (t *Trace) record(call string, n int64, err error) {
	if t == nil {
		return
	}
	result := formatResult(n, err)
	key := callKey(call)
	t.mu.Lock()
	defer t.mu.Unlock()
	again := false
	if e, ok := errnoOf(err); ok && e == syscall.EAGAIN {
		if i, seen := t.eagain[key]; seen {
			t.entries[i].count++
			return
		}
		again = true
	}
	if k := len(t.entries); k > 0 {
		last := &t.entries[k-1]
		sameCall := last.call == call && last.result == result
		folds := err == nil && last.counts && dataCalls[callName(call)] && callKey(last.call) == key
		if last.note == "" && (sameCall || folds) {
			if last.call != call {
				last.call = key + ", ...)"
			}
			last.count++
			last.result = result
			last.total += n
			return
		}
	}
	t.push(traceEntry{call: call, result: result, count: 1, total: n, counts: err == nil})
	if again && t.dropped == 0 {
		if t.eagain == nil {
			t.eagain = map[string]int{}
		}
		t.eagain[key] = len(t.entries) - 1
	}
}

// dataCalls are the calls a transfer repeats; their runs on one descriptor
// fold into one line even when their arguments differ.
var dataCalls = map[string]bool{"sendto": true, "recvfrom": true, "sendfile": true}

func callName(call string) string {
	if i := strings.IndexByte(call, '('); i >= 0 {
		return call[:i]
	}
	return call
}

// callKey is a call's name and first argument, its descriptor: "recvfrom(5".
func callKey(call string) string {
	if i := strings.IndexAny(call, ",)"); i >= 0 {
		return call[:i]
	}
	return call
}

// wait records that the caller now sleeps in the poller until fd is ready.
func (t *Trace) wait(fd int, events string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.push(traceEntry{call: fmt.Sprintf("poll(%d, %s) ...", fd, events), count: 1})
}

func (t *Trace) push(e traceEntry) {
	if len(t.entries) >= maxTraceLines {
		t.dropped++
		return
	}
	t.entries = append(t.entries, e)
}

func (e traceEntry) String() string {
	var b strings.Builder
	b.WriteString(e.call)
	if e.result != "" {
		b.WriteString(" = ")
		b.WriteString(e.result)
	}
	if e.count > 1 {
		if e.counts {
			fmt.Fprintf(&b, " (%d calls, %s in all)", e.count, count(e.total, "byte"))
		} else {
			fmt.Fprintf(&b, " (%d times)", e.count)
		}
	}
	if e.note != "" {
		b.WriteString(" ")
		b.WriteString(e.note)
	}
	return b.String()
}

// formatResult spells a result the way strace does: the return value, or -1
// and the errno's name and text.
func formatResult(n int64, err error) string {
	if err == nil {
		return strconv.FormatInt(n, 10)
	}
	if e, ok := errnoOf(err); ok {
		return fmt.Sprintf("-1 %s (%s)", errnoName(e), pyerr.StrError(e))
	}
	return "-1 (" + err.Error() + ")"
}
