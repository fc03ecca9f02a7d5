package commands

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// wrapFields is wrapText as strings.Fields would have it: the reference.
func wrapFields(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		if n > 0 && n+1+utf8.RuneCountInString(w) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += utf8.RuneCountInString(w)
	}
	return b.String()
}

// wrapText splits where strings.Fields does (Unicode spaces, invalid
// bytes as words' letters) and breaks lines at the same words.
func TestWrapTextAsFields(t *testing.T) {
	pieces := []string{"a", "word", "longerword", "é", "日本語", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\xff", "\xe2\x80", "x\u0085y", "--flag", "`code`"}
	r := rand.New(rand.NewPCG(13, 1))
	for i := range 3000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		text, width := b.String(), 1+r.IntN(30)
		if i == 0 {
			text = ""
		}
		if got, want := wrapText(text, width), wrapFields(text, width); got != want {
			t.Fatalf("wrapText(%q, %d) = %q, want %q", text, width, got, want)
		}
	}
}
