package main

// screenText: the pty's output without escape sequences, built as the bytes
// arrive, for the screen helpers (helpers_test.go). Reading it costs nothing
// per Expect: the old helper ran plain() on every prefix of the output to
// find where a match ended in raw bytes, which was quadratic (a progress bar
// made TestEventDuringProgressOnPTY run 9 minutes under -race).
//
// An escape sequence split across two reads from the pty is held back until
// its end arrives, so the text never shows half of one; at EOF what is held
// is shown as plain() would show it.

import (
	"math/rand"
	"strings"
	"sync"
	"testing"
)

type screenText struct {
	text    []byte // the plain text so far
	pending []byte // the start of an escape sequence whose end has not come
}

// feed adds bytes read from the pty.
func (st *screenText) feed(b []byte) {
	st.pending = append(st.pending, b...)
	st.scan(false)
}

// flush shows what is held back, at EOF.
func (st *screenText) flush() { st.scan(true) }

func (st *screenText) all() string { return string(st.text) }

// since is the text after offset mark.
func (st *screenText) since(mark int) string { return string(st.text[mark:]) }

// scan moves what is complete from pending to text; with final, all of it.
func (st *screenText) scan(final bool) {
	p := st.pending
	i := 0
	for i < len(p) {
		switch p[i] {
		case '\a':
			i++
			continue
		case 0x1b:
			n, complete := escapeLen(p[i:])
			if !complete && !final {
				st.pending = append(st.pending[:0], p[i:]...)
				return
			}
			if n > 0 {
				i += n
				continue
			}
		}
		st.text = append(st.text, p[i])
		i++
	}
	st.pending = st.pending[:0]
}

// escapeLen matches b (starting with ESC) against the sequences plain()
// removes: CSI (ESC [ params final letter) and a charset choice (ESC ( or
// ESC ) and one of A B 0 1 2). It returns the length of the sequence (0 if
// b starts none) and whether b was long enough to tell.
func escapeLen(b []byte) (n int, complete bool) {
	if len(b) < 2 {
		return 0, false
	}
	switch b[1] {
	case '[':
		for j := 2; j < len(b); j++ {
			c := b[j]
			switch {
			case c >= '0' && c <= '9' || c == ';' || c == '?':
			case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
				return j + 1, true
			default:
				return 0, true
			}
		}
		return 0, false
	case '(', ')':
		if len(b) < 3 {
			return 0, false
		}
		if strings.IndexByte("AB012", b[2]) >= 0 {
			return 3, true
		}
	}
	return 0, true
}

// TestScreenTextAgreesWithPlain: fed in any pieces, the text is plain() of
// the whole, escape sequences split anywhere included; before EOF it never
// shows part of a sequence that is still coming.
func TestScreenTextAgreesWithPlain(t *testing.T) {
	samples := []string{
		"sockshell\r\n\x1b[J\x1b[2K\r>>>  \b\x1b[J\x1b[2K\r>>> s\x1b[J\x1b[2K\r>>> se\r\n",
		"\x1b[?2004h>>> \x1b[1;31mred\x1b[0m \x1b(B\x1b)0 bell\a done",
		"a\x1b[12;X\x1b[1\x1bb\x1b(Z\x1b(\x1b[K\x1b",  // broken sequences stay text, as plain() keeps them
		"\x1b\x1b[2K\x1b\x1b(B\a\a\x1b[?25l end\x1b[", // a sequence that never ends, at EOF
		strings.Repeat("\r\x1b[K  3.2 MiB  (1.1 MiB/s)", 50),
	}
	rng := rand.New(rand.NewSource(1))
	for _, s := range samples {
		for range 200 {
			var st screenText
			rest := []byte(s)
			for len(rest) > 0 {
				k := 1 + rng.Intn(len(rest))
				st.feed(rest[:k])
				fed := len(s) - len(rest) + k
				// What is shown is final: a prefix of plain() of the whole.
				if got := st.all(); !strings.HasPrefix(plain([]byte(s)), got) {
					t.Fatalf("%q fed up to %d: text %q is no prefix of plain()", s, fed, got)
				}
				rest = rest[k:]
			}
			st.flush()
			if got, want := st.all(), plain([]byte(s)); got != want {
				t.Fatalf("%q in pieces: %q, want %q", s, got, want)
			}
		}
	}
}

// TestExpectMarkIsPlainText: a mark after a match is exactly after it, even
// when escape sequences sit inside and around the match, so each of two
// prompts drawn one after the other is matched once.
func TestExpectMarkIsPlainText(t *testing.T) {
	sc := &screen{t: t}
	sc.cond = sync.NewCond(&sc.mu)
	raw := "x\x1b[2Kz >>> \x1b[J\x1b[2K\r>>> a\r\n"
	sc.out.WriteString(raw)
	sc.plain.feed([]byte(raw))
	sc.plain.flush()
	sc.eof = true
	if got := sc.Expect(`xz`); got != "xz" {
		t.Fatalf("Expect(xz) = %q", got)
	}
	sc.Expect(prompt)
	sc.Expect(prompt)
	if rest := sc.sinceMark(); rest != "a\r\n" {
		t.Fatalf("after two prompts the rest is %q, want %q", rest, "a\r\n")
	}
}
