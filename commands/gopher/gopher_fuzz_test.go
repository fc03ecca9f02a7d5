package gopher

// Fuzz targets (issue 14) for what a gopher peer sends and what a gopher
// client asks our server: the text framing and the server's selectors.
// (FuzzParseMenu and FuzzParseURL are beside their parsers.) Seeds are in
// testdata/fuzz.

import (
	"bytes"
	"io"
	"path"
	"strings"
	"testing"
)

func FuzzTextReader(f *testing.F) {
	for _, s := range []string{"a\r\n..b\r\n.\r\nafter", ".", "..\n.\n", "x\n.\r", "\r\n.\r\n"} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		chunk = 1 + chunk&63
		whole, err := io.ReadAll(TextReader(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err)
		}
		if len(whole) > len(data) {
			t.Fatalf("%d bytes out of %d in", len(whole), len(data))
		}
		// Read in small pieces, the same bytes come out.
		r := TextReader(bytes.NewReader(data))
		var got []byte
		buf := make([]byte, chunk)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("Read returned 0 bytes and no error")
			}
		}
		if !bytes.Equal(got, whole) {
			t.Fatalf("in pieces of %d: %q, whole: %q", chunk, got, whole)
		}
	})
}

// FuzzSelector: whatever a client asks, the path served stays inside the
// root: relative, clean, no '..', no hidden name, no NUL.
func FuzzSelector(f *testing.F) {
	for _, s := range []string{"/", "", "../etc/passwd", "/a/../../b", "%2e%2e/x", "/.hidden", "a\x00b", "//abs/path", "a\r\nb", "./", "\\..\\x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sel string) {
		rel, err := relPath(sel)
		if err != nil {
			return
		}
		if rel == "." {
			return
		}
		if strings.HasPrefix(rel, "/") || path.Clean(rel) != rel || strings.IndexByte(rel, 0) >= 0 {
			t.Fatalf("selector %q maps to %q", sel, rel)
		}
		for _, part := range strings.Split(rel, "/") {
			if part == ".." || strings.HasPrefix(part, ".") {
				t.Fatalf("selector %q maps to %q", sel, rel)
			}
		}
		if back, err := relPath(selectorFor(rel)); err != nil || back != rel {
			t.Fatalf("selector %q → %q → selector %q → %q (%v)", sel, rel, selectorFor(rel), back, err)
		}
	})
}
