// Lexer: splits a command line into statements (separated by ';') of words,
// with single and double quotes, Python string literals (str, bytes, raw)
// and '#' comments.
package shell

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sockshell/sockshell/shell/internal/uniname"
	"github.com/sockshell/sockshell/shell/pyerr"
)

// Word is one lexed word. Text holds the bytes after quote removal and escape
// processing. A word written as text (a bare word, or a '…' literal without
// b) is a Python str: Text is its UTF-8 encoding, so '\xff' and 'caf\u00e9'
// give two bytes for their last character. A b'…' literal is Python bytes:
// Text holds exactly those bytes ('\xff' is the one byte 0xff), and Bytes is
// set. Quoted words are never taken as options.
type Word struct {
	Text   string
	Quoted bool
	Bytes  bool // written as a b'…' literal: Text is bytes, not text
	Pos    int  // byte offset of the word's start in the line
}

// SyntaxError is a lexing error with the byte position where it happened.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s (at column %d)", e.Msg, e.Pos+1) }

// Python classes lexing errors as a usage error.
func (e *SyntaxError) Python() pyerr.Exception {
	return pyerr.Exception{Class: "UsageError", Msg: e.Error()}
}

// literal says how the body of a quoted part (or a bare word) is read.
type literal struct {
	bytes bool // b'…': ASCII only, escapes give bytes, \u \U \N are not escapes
	raw   bool // r'…': a backslash is kept with the character after it
	bare  bool // an unquoted word: also \<space>, \; and \# escapes
}

// Lex splits line into statements of words. Quotes may be single or double,
// with Python's prefixes r, b, u, rb and br in any case (f-strings are
// refused: nothing here evaluates Python). Escapes follow Python's string
// literals: \r \n \t \\ \' \" \a \b \f \v \xHH and octal \ooo in both kinds;
// \uXXXX, \UXXXXXXXX and \N{NAME} in str literals; in a raw literal a
// backslash is kept.
// Bare words are read as str literals, and there \<space>, \; and \# also
// escape. Parts with no space between them form one word ('a'"b" is ab); bytes
// and str parts cannot be mixed, as in Python. '#' at the start of a word
// begins a comment that runs to the end of the line.
func Lex(line string) ([][]Word, error) {
	var stmts [][]Word
	var cur []Word
	// buf is reused from word to word; a word spelled as the line has it
	// (no quotes, no escapes: most are) is the line's own text.
	var buf bytes.Buffer
	inWord, quoted := false, false
	hasBytes, hasText := false, false // the kinds of the word's parts so far
	// lazy: the word so far is line[start:i] as it stands, and buf holds
	// none of it yet (a plain word is never copied into buf).
	lazy := false
	start, i := 0, 0
	unlazy := func() {
		if lazy {
			buf.WriteString(line[start:i])
			lazy = false
		}
	}
	flush := func() {
		if inWord {
			text := ""
			if lazy {
				text = line[start:i]
			} else if rest := line[start:]; len(rest) >= buf.Len() && buf.String() == rest[:buf.Len()] {
				text = rest[:buf.Len()]
			} else {
				text = buf.String()
			}
			if cur == nil {
				cur = make([]Word, 0, 4)
			}
			cur = append(cur, Word{Text: text, Quoted: quoted, Bytes: hasBytes, Pos: start})
		}
		buf.Reset()
		inWord, quoted, hasBytes, hasText, lazy = false, false, false, false, false
	}
	endStmt := func() {
		flush()
		if len(cur) > 0 {
			stmts = append(stmts, cur)
		}
		cur = nil
	}
	mix := func(pos int, bytesPart bool) error {
		if bytesPart {
			hasBytes = true
		} else {
			hasText = true
		}
		if hasBytes && hasText {
			return &SyntaxError{Pos: pos, Msg: "cannot mix bytes and str in one word (b'…' next to text); Python refuses it too"}
		}
		return nil
	}
	for i < len(line) {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			flush()
			i++
		case c == ';':
			endStmt()
			i++
		case c == '#' && !inWord:
			i = len(line)
		case c == '\'' || c == '"':
			var lit literal
			unlazy()
			if !inWord {
				inWord, start = true, i
			} else if p := line[start:i]; !quoted && buf.Len() == len(p) && isPrefix(p) {
				// A prefix at the start of the word: r'…', b'…', rb'…', u'…'.
				buf.Reset()
				hasText = false
				lp := strings.ToLower(p)
				if strings.Contains(lp, "f") {
					return nil, &SyntaxError{Pos: start, Msg: "f-strings are not supported (nothing here evaluates Python); write a plain '…' literal"}
				}
				lit.bytes = strings.Contains(lp, "b")
				lit.raw = strings.Contains(lp, "r")
			}
			if err := mix(i, lit.bytes); err != nil {
				return nil, err
			}
			quoted = true
			j, err := readQuoted(line, i, lit, &buf)
			if err != nil {
				return nil, err
			}
			i = j
		default:
			if !inWord {
				inWord, start, lazy = true, i, true
			}
			if err := mix(i, false); err != nil {
				return nil, err
			}
			if c == '\\' {
				unlazy()
				j, err := readEscape(line, i, literal{bare: true}, &buf)
				if err != nil {
					return nil, err
				}
				i = j
				continue
			}
			if !lazy {
				buf.WriteByte(c)
			}
			i++
		}
	}
	endStmt()
	return stmts, nil
}

// isPrefix reports whether p is a Python string prefix (r, u, b, f and
// their two-letter combinations, any case).
func isPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// readQuoted reads a quoted string starting at line[i] (the quote) into buf and
// returns the index after the closing quote.
func readQuoted(line string, i int, lit literal, buf *bytes.Buffer) (int, error) {
	q := line[i]
	open := i
	i++
	for i < len(line) {
		c := line[i]
		switch {
		case c == q:
			return i + 1, nil
		case c == '\\' && lit.raw:
			// r'\n' is a backslash and an n; r'\'' is a backslash and a
			// quote, which does not end the literal.
			buf.WriteByte(c)
			if i+1 < len(line) {
				buf.WriteByte(line[i+1])
				i++
			}
			i++
		case c == '\\':
			j, err := readEscape(line, i, lit, buf)
			if err != nil {
				return 0, err
			}
			i = j
		case c >= 0x80 && lit.bytes:
			return 0, &SyntaxError{Pos: i, Msg: `bytes can only contain ASCII literal characters (write \xHH for a byte, or drop the b for text sent as UTF-8)`}
		default:
			buf.WriteByte(c)
			i++
		}
	}
	return 0, &SyntaxError{Pos: open, Msg: fmt.Sprintf("unterminated string: the %c opened here is never closed", q)}
}

// readEscape reads the escape sequence at line[i] (a backslash) into buf and
// returns the index after it. In str literals a \x, octal, \u or \U escape
// names a code point, written as UTF-8; in bytes literals \x and octal name
// a byte.
func readEscape(line string, i int, lit literal, buf *bytes.Buffer) (int, error) {
	if i+1 >= len(line) {
		return 0, &SyntaxError{Pos: i, Msg: "a backslash at the end of the line escapes nothing"}
	}
	c := line[i+1]
	simple := map[byte]byte{'n': '\n', 'r': '\r', 't': '\t', '\\': '\\', '\'': '\'', '"': '"',
		'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v'}
	if lit.bare {
		// Shell escapes, in bare words only: Python keeps '\ ' as it is.
		simple[' '], simple[';'], simple['#'] = ' ', ';', '#'
	}
	put := func(v rune) error {
		if lit.bytes {
			buf.WriteByte(byte(v))
			return nil
		}
		if v >= 0xd800 && v <= 0xdfff {
			return &SyntaxError{Pos: i, Msg: fmt.Sprintf(`\u%04x is a surrogate, which UTF-8 cannot encode (Python: UnicodeEncodeError: surrogates not allowed)`, v)}
		}
		buf.WriteRune(v)
		return nil
	}
	if r, ok := simple[c]; ok {
		buf.WriteByte(r)
		return i + 2, nil
	}
	switch {
	case c == 'x':
		if i+4 <= len(line) && isHex(line[i+2]) && isHex(line[i+3]) {
			return i + 4, put(rune(unhex(line[i+2])<<4 | unhex(line[i+3])))
		}
		return 0, &SyntaxError{Pos: i, Msg: `bad \x escape: it needs exactly two hex digits, as in \x0a`}
	case c >= '0' && c <= '7':
		v, j := 0, i+1
		for j < len(line) && j < i+4 && line[j] >= '0' && line[j] <= '7' {
			v = v*8 + int(line[j]-'0')
			j++
		}
		if v > 255 {
			return 0, &SyntaxError{Pos: i, Msg: "octal escape out of range (more than \\377)"}
		}
		return j, put(rune(v))
	case (c == 'u' || c == 'U') && !lit.bytes:
		n := 4
		if c == 'U' {
			n = 8
		}
		var v rune
		for k := 0; k < n; k++ {
			if i+2+k >= len(line) || !isHex(line[i+2+k]) {
				return 0, &SyntaxError{Pos: i, Msg: fmt.Sprintf(`truncated \%c escape: it needs exactly %d hex digits, as in %s`, c, n, map[byte]string{'u': `\u00e9`, 'U': `\U0001f600`}[c])}
			}
			v = v<<4 | rune(unhex(line[i+2+k]))
		}
		if v > utf8.MaxRune {
			return 0, &SyntaxError{Pos: i, Msg: fmt.Sprintf(`illegal Unicode character \U%08x: the largest is \U0010ffff`, v)}
		}
		return i + 2 + n, put(v)
	case c == 'N' && !lit.bytes:
		// Names are letters, digits, spaces and hyphens; the scan stops
		// at anything else, so it never runs past the closing quote.
		end := i + 3
		for end < len(line) && (isHex(line[end]) || line[end] >= 'g' && line[end] <= 'z' || line[end] >= 'G' && line[end] <= 'Z' || line[end] == ' ' || line[end] == '-') {
			end++
		}
		if i+2 >= len(line) || line[i+2] != '{' || end >= len(line) || line[end] != '}' {
			return 0, &SyntaxError{Pos: i, Msg: `malformed \N character escape: write \N{NAME}, as in \N{EURO SIGN}`}
		}
		name := line[i+3 : end]
		r, ok := uniname.Lookup(name)
		if !ok {
			return 0, &SyntaxError{Pos: i, Msg: fmt.Sprintf(`unknown Unicode character name %s (names are Unicode %s's, as in \N{LATIN SMALL LETTER E WITH ACUTE})`, StrRepr(name), uniname.Version)}
		}
		return end + 1, put(r)
	}
	// Python keeps an unknown escape as it is, backslash included.
	buf.WriteByte('\\')
	return i + 1, nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
