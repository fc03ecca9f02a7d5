// JSON output: one encoder for every JSON document the shell prints
// (results, errors, background events), so none can carry a byte that
// drives a terminal.
package shell

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// marshalJSON encodes v as one line of JSON ending in a newline. HTML
// characters stay as they are; every character Python's str.isprintable()
// rejects is written \uXXXX, as Python's json.dumps writes it (a surrogate
// pair above U+FFFF). encoding/json escapes only C0 controls (and U+2028,
// U+2029), so C1 controls such as CSI (U+009B), DEL and format characters
// such as bidirectional overrides would otherwise reach a terminal raw.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeJSONText(buf.Bytes()), nil
}

// escapeJSONText rewrites the non-printable characters of encoded JSON as
// \uXXXX. Outside strings JSON is ASCII without DEL, so every such
// character stands inside a string, where the escape means the same.
func escapeJSONText(p []byte) []byte {
	clean := true
	for _, c := range p {
		if c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return p
	}
	out := make([]byte, 0, len(p)+16)
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		if r >= 0x7f && !unicode.IsPrint(r) {
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else {
			out = append(out, p[i:i+size]...)
		}
		i += size
	}
	return out
}
