package shell

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync/atomic"
	"unsafe"
)

// BytesRepr is Python's repr of bytes, as a string: AppendBytesRepr into
// a reused scratch buffer (up to 64 KiB of input, a recv's usual most),
// then one allocation of the result at its exact size, which a string
// conversion does not zero. Longer input is measured first, by a pass over
// the escape table, and written straight into a result of that size. For
// a caller that prints the repr, AppendBytesRepr into a buffer it keeps
// costs no allocation at all.
func BytesRepr(p []byte) string {
	if len(p) > reprChunk {
		q, t := reprQuote(p)
		size := 3 + reprLen(p, t)
		buf := make([]byte, size+64) // spare: escapes are stored 4 bytes, or 64, at a time
		buf[0], buf[1] = 'b', q
		reprFill(unsafe.Pointer(&buf[2]), p, t)
		buf[size-1] = q
		return unsafe.String(&buf[0], size)
	}
	sp := reprScratch.Swap(nil) // nil while another goroutine has it
	if sp == nil {
		sp = &[]byte{}
		*sp = make([]byte, 0, 4*reprScratchFor+reprRoom)
	}
	defer reprScratch.Store(sp)
	return string(AppendBytesRepr((*sp)[:0], p))
}

// AppendBytesRepr appends Python's repr of the bytes p to dst: b'...' with
// printable ASCII kept and everything else escaped, so no byte from a peer
// reaches the terminal raw. Python quotes with ' unless the bytes hold a '
// and no ", then with ". It may write in dst's spare capacity past the
// end of what it returns (each escape is stored as 4 bytes).
//
// It prints every recv, so it is built for speed (issue 13 asks for 1 GB/s;
// a byte at a time through a strings.Builder ran at 143 MB/s). The quote is
// chosen first by two IndexByte scans (vector instructions in the runtime).
// Then reprFill writes the escapes straight into dst, 64 KiB of input at a
// time, dst grown first (as append grows) when it has less room than the
// worst case, 4 bytes a byte; a dst reused from call to call soon has it.
// On a processor with AVX-512's byte instructions the fill does 16 bytes
// at a time with them (bytesrepr_amd64.s); elsewhere, and for the last
// bytes, it goes by words and a table.
func AppendBytesRepr(dst, p []byte) []byte {
	q, t := reprQuote(p)
	dst = append(dst, 'b', q)
	for {
		k := min(len(p), reprChunk)
		if cap(dst)-len(dst) < 4*k+4 {
			dst = slices.Grow(dst, 4*k+4)
		}
		base := unsafe.Pointer(unsafe.SliceData(dst))
		end := reprFill(unsafe.Add(base, len(dst)), p[:k], t)
		dst = dst[:uintptr(end)-uintptr(base)]
		if p = p[k:]; len(p) == 0 {
			return append(dst, q) // in the 4 spare bytes: never a new array
		}
	}
}

// reprQuote is the quote Python's bytes repr uses for p, and the escape
// table for it.
func reprQuote(p []byte) (byte, *reprTable) {
	if bytes.IndexByte(p, '\'') >= 0 && bytes.IndexByte(p, '"') < 0 {
		return '"', &reprDouble
	}
	return '\'', &reprSingle
}

// reprRoom is the room AppendBytesRepr needs in dst beyond 4 bytes a byte
// of input to need no new array: b and the two quotes, and 3 bytes for the
// last escape's 4-byte store.
const reprRoom = 6

// reprChunk is the longest input BytesRepr prints through the scratch
// buffer, and the most AppendBytesRepr fills at a time (so that dst grows
// by at most 4 times that beyond what the result needs); at most
// reprScratchFor, which sizes the scratch. A variable only so that a test
// can take the long ways with small input.
var reprChunk = reprScratchFor

const reprScratchFor = 64 << 10

// reprScratch holds BytesRepr's scratch buffer (256 KiB once a repr has
// run): the worst escape is 4 bytes a byte, and reprRoom more.
// Not a sync.Pool, which each collection empties: a session that prints
// big recvs would allocate a new one every few collections.
var reprScratch atomic.Pointer[[]byte]

const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// reprEscapes has the high bit set in a byte of w (and maybe in bytes
// above it) if some byte of w does not print as itself: one below 0x20,
// 0x7f or above, a backslash or a '. (A " is escaped only in double
// quotes, which are used only for bytes without one.) Each test is the
// "has a byte below n" trick, (w - n*ones) &^ w, which can mark a byte
// wrongly only above one it marks rightly: exact for "is there one".
func reprEscapes(w uint64) uint64 {
	bs, sq := w^('\\'*swarOnes), w^('\''*swarOnes) // a zero byte where equal
	return ((w-0x20*swarOnes)&^w | (w + swarOnes) | w | (bs-swarOnes)&^bs | (sq-swarOnes)&^sq) & swarHigh
}

// reprFill writes p's escapes at dst and returns where they end. dst has
// room for 4 bytes a byte of p and 4 more, or for p's escapes and 64 more:
// no store goes past either (a 4-byte store of the last escape, or a
// 64-byte one of 16 bytes' escapes where 64 are allowed for them). The
// vector fill (reprFillVec) does what it can, in 16-byte blocks; the rest,
// or all of p without it, goes by 32-byte blocks. A block without an
// escape is copied as four words; in any other, each 8-byte word without one is copied whole (text with a
// CRLF or a quote now and then) and each other word takes its bytes'
// escapes from the table (reprTable.word). After a block whose escapes
// took at least half as much room again as its bytes (binary data: its
// words nearly all hold an escape), the next block skips the word tests
// and goes through the table at once, and so on until a block comes out
// shorter; a block's length out is free to know, so this costs no test.
// The words stay in registers and the bytes are loaded at fixed offsets
// from the block.
func reprFill(dst unsafe.Pointer, p []byte, t *reprTable) unsafe.Pointer {
	dst, i := reprFillVec(dst, p, t)
	dense := false
	base := unsafe.Pointer(unsafe.SliceData(p))
	for ; i+32 <= len(p); i += 32 {
		s, from := unsafe.Add(base, i), dst
		if dense {
			dst = t.block(dst, s)
		} else {
			w0, w1 := *(*uint64)(s), *(*uint64)(unsafe.Add(s, 8))
			w2, w3 := *(*uint64)(unsafe.Add(s, 16)), *(*uint64)(unsafe.Add(s, 24))
			e0, e1, e2, e3 := reprEscapes(w0), reprEscapes(w1), reprEscapes(w2), reprEscapes(w3)
			if e0|e1|e2|e3 == 0 {
				*(*uint64)(dst) = w0
				*(*uint64)(unsafe.Add(dst, 8)) = w1
				*(*uint64)(unsafe.Add(dst, 16)) = w2
				*(*uint64)(unsafe.Add(dst, 24)) = w3
				dst = unsafe.Add(dst, 32)
				continue
			}
			dst = t.word(dst, s, w0, e0)
			dst = t.word(dst, unsafe.Add(s, 8), w1, e1)
			dst = t.word(dst, unsafe.Add(s, 16), w2, e2)
			dst = t.word(dst, unsafe.Add(s, 24), w3, e3)
		}
		dense = uintptr(dst)-uintptr(from) >= 48
	}
	for _, c := range p[i:] {
		dst = t.put(dst, c)
	}
	return dst
}

// word writes the 8 bytes at s (w, loaded from there; e, its reprEscapes)
// at dst and returns where they end: w whole if no byte needs an escape,
// else each byte's escape from the table, unrolled (a loop's counter costs
// as much as a byte's escape). Each byte's load and store go together:
// loading all eight table entries first ran out of registers.
func (t *reprTable) word(dst, s unsafe.Pointer, w, e uint64) unsafe.Pointer {
	if e == 0 {
		*(*uint64)(dst) = w
		return unsafe.Add(dst, 8)
	}
	dst = t.put(t.put(t.put(t.put(dst, *(*byte)(s)), *(*byte)(unsafe.Add(s, 1))), *(*byte)(unsafe.Add(s, 2))), *(*byte)(unsafe.Add(s, 3)))
	return t.put(t.put(t.put(t.put(dst, *(*byte)(unsafe.Add(s, 4))), *(*byte)(unsafe.Add(s, 5))), *(*byte)(unsafe.Add(s, 6))), *(*byte)(unsafe.Add(s, 7)))
}

// block writes the escapes of the 32 bytes at s at dst and returns where
// they end, with no test at all: for each byte a table load, a 4-byte
// store of its escape and an add of its length. The bytes are taken from
// their word by shifts (a little faster than a load each), in one
// function for the block (every call spills what the caller holds in
// registers).
func (t *reprTable) block(dst, s unsafe.Pointer) unsafe.Pointer {
	for k := range 4 {
		w := binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Add(s, 8*k)), 8)) // byte(w) is the first on any machine
		dst = t.put(t.put(t.put(t.put(dst, byte(w)), byte(w>>8)), byte(w>>16)), byte(w>>24))
		dst = t.put(t.put(t.put(t.put(dst, byte(w>>32)), byte(w>>40)), byte(w>>48)), byte(w>>56))
	}
	return dst
}

// reprLen is the length of p's escapes in the quoting t is for, from the
// table (unrolled by 8: a loop's counter costs as much as a lookup).
func reprLen(p []byte, t *reprTable) int {
	n := uint64(0)
	for ; len(p) >= 8; p = p[8:] {
		b := p[:8:8]
		n += t[b[0]]>>32 + t[b[1]]>>32 + t[b[2]]>>32 + t[b[3]]>>32 +
			t[b[4]]>>32 + t[b[5]]>>32 + t[b[6]]>>32 + t[b[7]]>>32
	}
	for _, c := range p {
		n += t[c] >> 32
	}
	return int(n)
}

// reprTable is how each byte shows inside a bytes repr quoted with one
// quote character: the low 32 bits hold the escape's bytes as a 4-byte
// store writes them on this machine, the high 32 its length.
type reprTable [256]uint64

// put writes c's escape at dst (4 bytes, of which the escape's length
// count) and returns where the next one goes.
func (t *reprTable) put(dst unsafe.Pointer, c byte) unsafe.Pointer {
	e := t[c]
	*(*uint32)(dst) = uint32(e)
	return unsafe.Add(dst, e>>32)
}

var reprSingle, reprDouble = newReprTable('\''), newReprTable('"')

func newReprTable(q byte) (t reprTable) {
	const hexd = "0123456789abcdef"
	for i := range 256 {
		c := byte(i)
		var e string
		switch {
		case c == q || c == '\\':
			e = "\\" + string(c)
		case c == '\n':
			e = `\n`
		case c == '\r':
			e = `\r`
		case c == '\t':
			e = `\t`
		case c < 0x20 || c >= 0x7f:
			e = `\x` + string(hexd[c>>4]) + string(hexd[c&15])
		default:
			e = string(c)
		}
		var b [4]byte
		copy(b[:], e)
		t[i] = uint64(*(*uint32)(unsafe.Pointer(&b))) | uint64(len(e))<<32
	}
	return t
}
