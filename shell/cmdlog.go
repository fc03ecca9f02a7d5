// The command log: every statement's event, kept apart from the event log
// and much longer than its ring (a busy socket's events would push the
// commands out of it), so that a view that needs every command of a long
// session (export python) gets them, or is told how many it missed.
//
// A long script leaves tens of thousands of statements here, so the log
// keeps each one compactly (cmdRecord): the facts of its event, its text
// packed in one string, which holds no pointers for the garbage collector
// to follow; the event itself (its Attrs, their boxed values, its
// message) is spelled again only when Commands asks. The log is bounded
// by count and by the bytes of that text.
package shell

import (
	"encoding/binary"
	"sync"
	"time"
)

// CommandLogSize is how many of the last statements the command log keeps.
const CommandLogSize = 1 << 16

// CommandLogBytes bounds the text the command log keeps (lines, names,
// Python lines): past it, the oldest statements are dropped, as past
// CommandLogSize. The last statement is always kept.
const CommandLogBytes = 16 << 20

// CommandEntry is one statement in the command log.
type CommandEntry struct {
	Event // the statement's command event (cmdevent.go)
	// DefaultTimeout is the Python that gives new sockets the session's
	// timeout as it stood after the statement ran
	// ("socket.setdefaulttimeout(30.0)").
	DefaultTimeout string
}

// cmdRecord is one statement as the command log keeps it. Result, class
// and defaultTimeout are shared strings (the kinds are constants, the
// timeout's Python is spelled once per change); the rest of the text is
// in blob (see pack).
type cmdRecord struct {
	seq            uint64
	end            time.Time
	dur            time.Duration
	blob           string
	result, class  string
	errno          int
	hasErrno       bool
	failed         bool
	defaultTimeout string
}

// commandLog is a queue of the last entries: at most size (0:
// CommandLogSize), with at most maxBytes (0: CommandLogBytes) of text.
//
// The records are kept in chunks of cmdChunk, the oldest first: the log
// grows a chunk at a time as statements come, and never copies what it
// has (a ring that doubles made and copied arrays of up to 64Ki records
// as a long script ran, and its empty half was the collector's to scan).
type commandLog struct {
	mu       sync.Mutex
	size     int
	maxBytes int
	chunks   [][]cmdRecord // each of cap cmdChunk, all full but the last
	head     int           // the oldest record's index in chunks[0]
	n        int
	spare    []cmdRecord // the last chunk emptied, for the next
	bytes    int
	dropped  uint64
	scratch  []byte // pack's buffer, reused
}

// cmdChunk is how many records a chunk of the command log holds.
const cmdChunk = 256

// at is the i-th record kept, the oldest first.
func (l *commandLog) at(i int) *cmdRecord {
	j := l.head + i
	return &l.chunks[j/cmdChunk][j%cmdChunk]
}

func (l *commandLog) limits() (size, maxBytes int) {
	size, maxBytes = l.size, l.maxBytes
	if size <= 0 {
		size = CommandLogSize
	}
	if maxBytes <= 0 {
		maxBytes = CommandLogBytes
	}
	return size, maxBytes
}

// add keeps the statement f that ended as event seq.
func (l *commandLog) add(seq uint64, f *cmdFacts, defaultTimeout string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.scratch = f.pack(l.scratch[:0])
	r := cmdRecord{seq: seq, end: f.end, dur: f.dur, blob: string(l.scratch),
		result: f.result, class: f.class, errno: f.errno, hasErrno: f.hasErrno, failed: f.failed,
		defaultTimeout: defaultTimeout}
	size, maxBytes := l.limits()
	if l.n == size {
		l.pop()
	}
	if k := len(l.chunks); k == 0 || len(l.chunks[k-1]) == cmdChunk {
		next := l.spare
		if next == nil {
			next = make([]cmdRecord, 0, cmdChunk)
		}
		l.chunks, l.spare = append(l.chunks, next), nil
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, r)
	l.n++
	l.bytes += len(r.blob)
	for l.bytes > maxBytes && l.n > 1 {
		l.pop()
	}
}

// pop drops the oldest record.
func (l *commandLog) pop() {
	r := l.at(0)
	l.bytes -= len(r.blob)
	*r = cmdRecord{}
	l.head++
	l.n--
	l.dropped++
	if l.head == len(l.chunks[0]) {
		// The oldest chunk is used up (full, or the last and emptied).
		l.spare = l.chunks[0][:0]
		l.chunks[0] = nil
		l.chunks, l.head = l.chunks[1:], 0
	}
}

// Commands returns the statements the command log keeps, oldest first, and
// how many older ones it no longer has. Each entry's Event is the one the
// statement's command event was (its Seq, Time, message and Attrs).
func (s *Session) Commands() (entries []CommandEntry, dropped uint64) {
	l := &s.commands
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]CommandEntry, 0, l.n)
	for i := 0; i < l.n; i++ {
		r := l.at(i)
		f := r.facts()
		ev := f.event()
		ev.Seq = r.seq
		out = append(out, CommandEntry{Event: ev, DefaultTimeout: r.defaultTimeout})
	}
	return out, l.dropped
}

// pack appends f's text to b: the command, line, resource and made, the
// Python lines, then the timing phases (each key and its duration), each
// string after its length as a uvarint.
func (f *cmdFacts) pack(b []byte) []byte {
	for _, s := range [...]string{f.name, f.line, f.resource, f.made} {
		b = packString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(f.python)))
	for _, p := range f.python {
		b = packString(b, p)
	}
	b = binary.AppendUvarint(b, uint64(len(f.timing)))
	for _, a := range f.timing {
		b = packString(b, a.Key)
		d, _ := a.Value.(time.Duration) // Call.Timing's values are all durations
		b = binary.AppendVarint(b, int64(d))
	}
	return b
}

func packString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// facts unpacks a record (the reverse of add and pack).
func (r *cmdRecord) facts() cmdFacts {
	f := cmdFacts{end: r.end, dur: r.dur, result: r.result, class: r.class,
		errno: r.errno, hasErrno: r.hasErrno, failed: r.failed}
	u := unpacker{s: r.blob}
	f.name, f.line, f.resource, f.made = u.str(), u.str(), u.str(), u.str()
	if n := u.num(); n > 0 {
		f.python = make([]string, n)
		for i := range f.python {
			f.python[i] = u.str()
		}
	}
	if n := u.num(); n > 0 {
		f.timing = make([]Attr, n)
		for i := range f.timing {
			k := u.str()
			d, w := binary.Varint([]byte(u.s[:min(len(u.s), binary.MaxVarintLen64)]))
			u.s = u.s[w:]
			f.timing[i] = Attr{Key: k, Value: time.Duration(d)}
		}
	}
	return f
}

// unpacker reads what pack wrote. The strings it returns share the blob.
type unpacker struct{ s string }

func (u *unpacker) num() int {
	n, w := binary.Uvarint([]byte(u.s[:min(len(u.s), binary.MaxVarintLen64)]))
	u.s = u.s[w:]
	return int(n)
}

func (u *unpacker) str() string {
	n := u.num()
	v := u.s[:n]
	u.s = u.s[n:]
	return v
}
