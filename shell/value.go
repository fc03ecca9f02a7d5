// Values a command returns, and their Python repr.
package shell

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tuple is a Python tuple: ('127.0.0.1', 80).
type Tuple []any

// List is a Python list: ['a', 'b'].
type List []any

// Repr is text already in Python repr form, printed as it is
// (for objects like <socket fd=5, ...> that have no literal form).
// JSON is what the json renderer shows for it (nil: the text).
type Repr struct {
	Text string
	JSON any
}

// Text is plain text for a person (help, a gopher text file). Control
// characters in it are escaped when printed, except newline and tab.
type Text string

// None is Python's None: at the prompt it prints nothing.
type noneType struct{}

// None is the result of a command that returns nothing.
var None = noneType{}

// PyRepr formats v as Python's repr() would.
func PyRepr(v any) string {
	switch x := v.(type) {
	case nil, noneType:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s
	case string:
		return StrRepr(x)
	case []byte:
		return BytesRepr(x)
	case Tuple, List:
		return string(appendPyRepr(nil, x)) // one spelling of a tuple and a list
	case []string:
		l := make(List, len(x))
		for i, e := range x {
			l[i] = e
		}
		return PyRepr(l)
	case Repr:
		// Built by commands from values already in repr form; escaped
		// all the same, so every result reaches the terminal one way.
		return SafeText(x.Text)
	case Text:
		return SafeText(string(x))
	}
	return SafeText(fmt.Sprint(v))
}

// appendPyRepr appends PyRepr(v) to dst. Bytes, alone or in a tuple or a
// list (recvfrom's (bytes, address)), are printed straight into dst by
// AppendBytesRepr, and so are an address's plain host and its port; every
// other value is PyRepr's text, appended.
func appendPyRepr(dst []byte, v any) []byte {
	switch x := v.(type) {
	case []byte:
		return AppendBytesRepr(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case string:
		if plainASCII(x) {
			return append(append(append(dst, '\''), x...), '\'')
		}
	case Tuple:
		dst = append(dst, '(')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendPyRepr(dst, e)
		}
		if len(x) == 1 {
			dst = append(dst, ',')
		}
		return append(dst, ')')
	case List:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendPyRepr(dst, e)
		}
		return append(dst, ']')
	}
	return append(dst, PyRepr(v)...)
}

// StrRepr is Python's repr of a str: single quotes unless the text holds a
// single quote and no double quote; \\, \n, \r, \t escaped; every other
// character Python's str.isprintable() rejects (controls, C1, DEL, format
// characters such as bidirectional overrides and zero-width spaces, line and
// paragraph separators, spaces other than ' ', surrogates, private use,
// unassigned) as \xNN, \uNNNN or \UNNNNNNNN; printable non-ASCII kept.
// Bytes that are not UTF-8 show as \udcNN, the way Python's surrogateescape
// shows them.
func StrRepr(s string) string {
	if plainASCII(s) {
		return "'" + s + "'" // nothing to escape: most names, ports and words
	}
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\udc%02x`, s[i])
			i++
			continue
		}
		i += size
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case !unicode.IsPrint(r):
			// Go's IsPrint is Python's isprintable: letters, marks,
			// numbers, punctuation, symbols and the ASCII space.
			writeCodeEscape(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// writeCodeEscape writes r as Python's repr escapes it: \xNN, \uNNNN or \UNNNNNNNN.
func writeCodeEscape(b *strings.Builder, r rune) {
	switch {
	case r < 0x100:
		fmt.Fprintf(b, `\x%02x`, r)
	case r < 0x10000:
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		fmt.Fprintf(b, `\U%08x`, r)
	}
}

// SafeText escapes what could drive a terminal or disguise text meant for
// a person (a page, a menu row, an error quoting input), keeping newlines,
// tabs and spaces: controls, C1, DEL and every other character Python's
// str.isprintable() rejects except spaces (format characters such as
// bidirectional overrides and zero-width spaces, line separators, private
// use, unassigned) show as \xNN, \uNNNN or \UNNNNNNNN, as Python's repr
// writes them. A CR before LF is dropped. Invalid UTF-8 bytes show as \xNN.
func SafeText(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// CRLF line ends print as plain line ends.
		case !unicode.IsPrint(r) && !unicode.Is(unicode.Zs, r):
			writeCodeEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// OneLine is SafeText for text that must stay on one line (an error, its
// hint, a note quoting a peer's name): a line end in it shows as \n, as
// in a repr, so no text a peer chose can start a line of its own (a fake
// ">>> " prompt, a fake result) below it.
func OneLine(s string) string {
	if strings.ContainsAny(s, "\n") {
		s = strings.ReplaceAll(s, "\r\n", `\r\n`)
		s = strings.ReplaceAll(s, "\n", `\n`)
	}
	return SafeText(s)
}

// DataExpr is the Python expression for the bytes a DATA word stands for:
// a bytes literal, or a str literal with .encode() when the word was text
// with characters beyond ASCII. It is never cut: an explain line must stay
// runnable Python (the word is no longer than the line the user typed).
func DataExpr(w Word) string {
	if !w.Bytes && utf8.ValidString(w.Text) && !isASCII(w.Text) {
		return StrRepr(w.Text) + ".encode()"
	}
	return BytesRepr([]byte(w.Text))
}

// TextNote says, for a DATA word that was a str with characters beyond
// ASCII, that it went out as UTF-8 and how to send raw bytes instead;
// "" when the word's characters and bytes are the same.
func TextNote(w Word) string {
	if w.Bytes || isASCII(w.Text) || !utf8.ValidString(w.Text) {
		return ""
	}
	n := utf8.RuneCountInString(w.Text)
	chars := "characters"
	if n == 1 {
		chars = "character"
	}
	return fmt.Sprintf("%s is text (a str): its %d %s went out as UTF-8, %d bytes; a b'...' literal sends bytes as written (b'\\xff' is one byte)",
		StrRepr(w.Text), n, chars, len(w.Text))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// plainASCII reports whether s is printable ASCII without a quote or a
// backslash: its repr is s between single quotes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '\'' || c == '\\' {
			return false
		}
	}
	return true
}
