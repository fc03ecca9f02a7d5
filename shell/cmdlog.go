// The command log: every statement's event, kept apart from the event log
// and much longer than its ring (a busy socket's events would push the
// commands out of it), so that a view that needs every command of a long
// session (export python) gets them, or is told how many it missed.
//
// A long script leaves tens of thousands of statements here, so the log
// keeps each one compactly (cmdRecord): the numbers of its event, and its
// text packed in its chunk's buffer; neither holds a pointer for the
// garbage collector to follow; the event itself (its Attrs, their boxed
// values, its message) is spelled again only when Commands asks. The log
// is bounded by count and by the bytes of that text.
package shell

import (
	"encoding/binary"
	"sync"
	"time"
)

// CommandLogSize is how many of the last statements the command log keeps.
const CommandLogSize = 1 << 16

// CommandLogBytes bounds the text the command log keeps (lines, names,
// result kinds and error classes, the default timeout's Python,
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

// cmdRecord is one statement as the command log keeps it: its numbers,
// and where its text (see pack) stands in its chunk's text. It holds no
// pointer, so the collector never scans the records (tens of thousands
// after a long script: the largest part of the live heap).
type cmdRecord struct {
	seq       uint64
	dur       time.Duration
	off, size uint32 // the text: chunk.text[off : off+size]
	errno     int
	hasErrno  bool
	failed    bool
}

// cmdChunk is up to cmdChunkSize records, their end times (a time.Time
// holds a pointer, its Location: kept apart from the records) and their
// texts one after another in one buffer.
type cmdChunk struct {
	recs []cmdRecord
	ends []time.Time
	text []byte
}

// commandLog is a queue of the last entries: at most size (0:
// CommandLogSize), with at most maxBytes (0: CommandLogBytes) of text.
//
// The records are kept in chunks, the oldest first: the log grows a chunk
// at a time as statements come, and never copies what it has (a ring that
// doubled made and copied arrays of up to 64Ki records as a long script
// ran, and its records, each with five pointers, were the collector's to
// scan at every cycle).
type commandLog struct {
	mu       sync.Mutex
	size     int
	maxBytes int
	chunks   []*cmdChunk // all full but the last
	head     int         // the oldest record's index in chunks[0]
	n        int
	spare    *cmdChunk // the last chunk emptied, for the next
	bytes    int
	dropped  uint64
	scratch  []byte // pack's buffer, reused
}

// cmdChunkSize is how many records a chunk of the command log holds, and
// cmdChunkText the bytes of text a record has room for at first (a
// connect's: line, Python, phases; the buffer grows for longer ones).
const (
	cmdChunkSize = 256
	cmdChunkText = 128
)

// at is the i-th record kept, the oldest first, and its chunk.
func (l *commandLog) at(i int) (*cmdChunk, int) {
	j := l.head + i
	return l.chunks[j/cmdChunkSize], j % cmdChunkSize
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
	l.scratch = f.pack(l.scratch[:0], defaultTimeout)
	size, maxBytes := l.limits()
	if l.n == size {
		l.pop()
	}
	if k := len(l.chunks); k == 0 || len(l.chunks[k-1].recs) == cmdChunkSize {
		next := l.spare
		if next == nil {
			next = &cmdChunk{recs: make([]cmdRecord, 0, cmdChunkSize), ends: make([]time.Time, 0, cmdChunkSize),
				text: make([]byte, 0, cmdChunkSize*cmdChunkText)}
		}
		l.chunks, l.spare = append(l.chunks, next), nil
	}
	c := l.chunks[len(l.chunks)-1]
	c.recs = append(c.recs, cmdRecord{seq: seq, dur: f.dur, off: uint32(len(c.text)), size: uint32(len(l.scratch)),
		errno: f.errno, hasErrno: f.hasErrno, failed: f.failed})
	c.ends = append(c.ends, f.end)
	c.text = append(c.text, l.scratch...)
	l.n++
	l.bytes += len(l.scratch)
	for l.bytes > maxBytes && l.n > 1 {
		l.pop()
	}
}

// pop drops the oldest record.
func (l *commandLog) pop() {
	c, i := l.at(0)
	l.bytes -= int(c.recs[i].size)
	c.recs[i], c.ends[i] = cmdRecord{}, time.Time{}
	l.head++
	l.n--
	l.dropped++
	if l.head == len(c.recs) {
		// The oldest chunk is used up (full, or the last and emptied).
		c.recs, c.ends, c.text = c.recs[:0], c.ends[:0], c.text[:0]
		l.spare = c
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
		c, j := l.at(i)
		r := &c.recs[j]
		f, defaultTimeout := r.facts(c.ends[j], string(c.text[r.off:r.off+r.size]))
		ev := f.event()
		ev.Seq = r.seq
		out = append(out, CommandEntry{Event: ev, DefaultTimeout: defaultTimeout})
	}
	return out, l.dropped
}

// pack appends f's text to b: the command, line, resource and made, the
// result and the error's class, the Python of the default timeout, the
// Python lines, then the timing phases (each key and its duration), each
// string after its length as a uvarint.
func (f *cmdFacts) pack(b []byte, defaultTimeout string) []byte {
	for _, s := range [...]string{f.name, f.line, f.resource, f.made, f.result, f.class, defaultTimeout} {
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

// facts unpacks a record that ended at end, of text blob (the reverse of
// add and pack), and the Python of its default timeout.
func (r *cmdRecord) facts(end time.Time, blob string) (f cmdFacts, defaultTimeout string) {
	f = cmdFacts{end: end, dur: r.dur, errno: r.errno, hasErrno: r.hasErrno, failed: r.failed}
	u := unpacker{s: blob}
	f.name, f.line, f.resource, f.made = u.str(), u.str(), u.str(), u.str()
	f.result, f.class, defaultTimeout = u.str(), u.str(), u.str()
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
	return f, defaultTimeout
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
