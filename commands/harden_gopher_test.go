package commands

// Issue 14: a gopher text page is capped by what it shows, not by the
// bytes read, so a page of control bytes (each shown as a four- or
// six-byte escape) stays within the bound in every format.

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
)

func TestGopherTextCapCountsEscapes(t *testing.T) {
	old := maxText
	maxText = 64 << 10
	t.Cleanup(func() { maxText = old })
	const sent = 1 << 20
	page := map[string][]byte{
		"/esc":  bytes.Repeat([]byte{0x1b}, sent),
		"/c1":   bytes.Repeat([]byte("\u0085"), sent/2), // NEL as UTF-8: \x85, \u0085 in JSON
		"/text": bytes.Repeat([]byte("abc\n"), sent/4),
	}
	port := gopherFake(t, func(c net.Conn, sel string) { c.Write(page[sel]) })
	g := newGopherSession(t)
	for _, format := range []string{"python", "json"} {
		g.MustExec("set format " + format)
		for _, sel := range []string{"/esc", "/c1", "/text"} {
			out, errs := g.Exec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/0%s", port, sel))
			if errs != "" {
				t.Fatalf("%s %s: %s", format, sel, errs)
			}
			_, note, _ := strings.Cut(out, "text cut after ")
			if note == "" {
				t.Fatalf("%s %s: no note that the text was cut:\n%.300s", format, sel, out)
			}
			// What is shown (its escapes included) stays within the cap:
			// a JSON document adds its keys and the note (under 1 KiB).
			if len(out) > maxText+1024 {
				t.Errorf("%s %s: %d bytes shown, cap %d", format, sel, len(out), maxText)
			}
			// And the cap is not far below it: the kept text fills it.
			if len(out) < maxText/2 {
				t.Errorf("%s %s: only %d bytes shown of a cap of %d", format, sel, len(out), maxText)
			}
			if !strings.Contains(note, fmt.Sprintf("of %d bytes", len(page[sel]))) {
				t.Errorf("%s %s: the note does not count the reply's bytes: %q", format, sel, note)
			}
		}
	}
}
