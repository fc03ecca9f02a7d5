package commands

import (
	"encoding/xml"
	"math/rand/v2"
	"strings"
	"testing"
)

// xmlEscape escapes as encoding/xml.EscapeText does: every special
// character, controls, invalid UTF-8, surrogates and non-characters.
func TestXMLEscapeAsEncodingXML(t *testing.T) {
	pieces := []string{"a", "s1 127.0.0.1:80", "\"", "'", "&", "<", ">", "\t", "\n", "\r", "\x00", "\x1b[31m", "\x7f", "é", "日本", "\ufffd", "\xff", "\xed\xa0\x80", "\uffff", "\U0001F600", "\xf4\x90\x80\x80"}
	r := rand.New(rand.NewPCG(13, 2))
	for i := range 3000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		if i == 0 {
			s = ""
		}
		var want strings.Builder
		xml.EscapeText(&want, []byte(s))
		if got := xmlEscape(s); got != want.String() {
			t.Fatalf("xmlEscape(%q) = %q, want %q (encoding/xml)", s, got, want.String())
		}
	}
}
