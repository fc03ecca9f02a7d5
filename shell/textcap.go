// TextCap: text collected for the screen as it streams in, bounded by what
// printing it shows (its escapes counted), not by the bytes read.
package shell

import (
	"unicode"
	"unicode/utf8"
)

// TextCap keeps the text written to it while what it would show stays
// within a bound. Each character counts as the bytes its widest shown form
// takes: a printable one its UTF-8 bytes; \n, \t, '"' and '\\' two (JSON
// escapes them), \r four (\x0d at the prompt); any other control or non-printable character six
// (\x1b is four at the prompt, \u001b six in JSON), twelve above U+FFFF (a
// JSON surrogate pair); a byte that is no UTF-8 six (\xNN at the prompt,
// \ufffd in JSON). So a page of ESC bytes is cut as soon as a page of
// letters would be, and the text shown, in any format, stays within the
// bound. The count is made once, as the bytes come; a character split
// between two writes is counted when it is whole.
type TextCap struct {
	buf     []byte
	pending []byte // the start of a character whose rest has not come yet
	room    int
	cut     bool
	kept    int64 // bytes written before the cut (or all of them)
}

// NewTextCap returns a TextCap that shows at most max bytes.
func NewTextCap(max int) *TextCap { return &TextCap{room: max} }

// Write keeps what fits and drops the rest; it never fails, so a reply is
// read to its end however much of it is shown.
func (t *TextCap) Write(p []byte) (int, error) {
	n := len(p)
	if t.cut {
		return n, nil
	}
	if len(t.pending) > 0 {
		m := len(t.pending)
		k := min(len(p), utf8.UTFMax-m)
		joined := append(t.pending, p[:k]...)
		used := t.scan(joined)
		if t.cut {
			return n, nil
		}
		if used < m {
			// Still incomplete, and all of p went into it.
			t.pending = joined[used:]
			return n, nil
		}
		t.pending = t.pending[:0]
		p = p[used-m:]
	}
	used := t.scan(p)
	if !t.cut && used < len(p) {
		t.pending = append(t.pending[:0], p[used:]...)
	}
	return n, nil
}

// scan keeps the whole characters of p that fit and returns how many bytes
// it took; an incomplete character at the end is left for the next write
// (or Bytes).
func (t *TextCap) scan(p []byte) int {
	i := 0
	for i < len(p) {
		if !utf8.FullRune(p[i:]) {
			break
		}
		r, size := utf8.DecodeRune(p[i:])
		w := shownWidth(r, size)
		if w > t.room {
			t.cut = true
			break
		}
		t.room -= w
		i += size
	}
	t.grow(i)
	t.buf = append(t.buf, p[:i]...)
	t.kept += int64(i)
	return i
}

// grow makes room for n more bytes. The buffer doubles, never past the
// most it can hold (every byte kept costs at least one byte of room):
// append's own growth, 1.25x for large slices, made a 16 MiB page
// allocate 100 MB on the way.
func (t *TextCap) grow(n int) {
	need := len(t.buf) + n
	if need <= cap(t.buf) {
		return
	}
	c := min(max(2*cap(t.buf), need, 4096), need+t.room)
	b := make([]byte, len(t.buf), c)
	copy(b, t.buf)
	t.buf = b
}

// shownWidth is the most bytes a character of size bytes takes once shown.
func shownWidth(r rune, size int) int {
	switch {
	case r == utf8.RuneError && size == 1:
		return 6
	case r == '\r':
		return 4 // \x0d at the prompt unless before \n
	case r == '\n' || r == '\t' || r == '"' || r == '\\':
		return 2
	case r < 0x20 || r == 0x7f:
		return 6
	case r < 0x80:
		return 1
	case !unicode.IsPrint(r):
		if r > 0xffff {
			return 12
		}
		return 6
	}
	return size
}

// Bytes returns the text kept. A character still incomplete at the end is
// kept as the bytes it is (shown escaped, one by one), if they fit.
func (t *TextCap) Bytes() []byte {
	if len(t.pending) > 0 && !t.cut {
		p := t.pending
		t.pending = nil
		for _, c := range p {
			if t.room < 6 {
				t.cut = true
				break
			}
			t.room -= 6
			t.buf = append(t.buf, c)
			t.kept++
		}
	}
	return t.buf
}

// Cut reports whether some of the text was dropped.
func (t *TextCap) Cut() bool { return t.cut }

// Kept is how many bytes of the text were kept.
func (t *TextCap) Kept() int64 { return t.kept }
