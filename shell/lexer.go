// Lexer: splits a command line into statements (separated by ';') of words,
// with single and double quotes, Python string escapes and '#' comments.
package shell

import (
	"fmt"
	"strings"
)

// Word is one lexed word. Text holds the bytes after quote removal and escape
// processing, so it may hold any byte (a literal like '\xff' is one byte 0xff).
// Quoted words are never taken as options.
type Word struct {
	Text   string
	Quoted bool
	Pos    int // byte offset of the word's start in the line
}

// SyntaxError is a lexing error with the byte position where it happened.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s (at column %d)", e.Msg, e.Pos+1) }

// PythonError classes lexing errors as a usage error.
func (e *SyntaxError) PythonError() (string, int, bool, string) {
	return "UsageError", 0, false, e.Error()
}

// Lex splits line into statements of words. Quotes may be single or double;
// inside them, and in bare words, backslash escapes follow Python's string
// literals: \r \n \t \\ \' \" \xHH \0 \a \b \f \v and octal \ooo. A quote
// directly preceded by b (b'..') is a bytes literal and is read the same way.
// '#' at the start of a word begins a comment that runs to the end of the line.
func Lex(line string) ([][]Word, error) {
	var stmts [][]Word
	var cur []Word
	var buf strings.Builder
	inWord, quoted := false, false
	start := 0
	flush := func() {
		if inWord {
			cur = append(cur, Word{Text: buf.String(), Quoted: quoted, Pos: start})
		}
		buf.Reset()
		inWord, quoted = false, false
	}
	endStmt := func() {
		flush()
		if len(cur) > 0 {
			stmts = append(stmts, cur)
		}
		cur = nil
	}
	i := 0
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
			if !inWord {
				inWord, start = true, i
			} else if buf.Len() == 1 && buf.String() == "b" && !quoted && i == start+1 {
				buf.Reset() // b'...' bytes literal prefix
			}
			quoted = true
			j, err := readQuoted(line, i, &buf)
			if err != nil {
				return nil, err
			}
			i = j
		case c == '\\':
			if !inWord {
				inWord, start = true, i
			}
			j, err := readEscape(line, i, &buf)
			if err != nil {
				return nil, err
			}
			i = j
		default:
			if !inWord {
				inWord, start = true, i
			}
			buf.WriteByte(c)
			i++
		}
	}
	endStmt()
	return stmts, nil
}

// readQuoted reads a quoted string starting at line[i] (the quote) into buf and
// returns the index after the closing quote.
func readQuoted(line string, i int, buf *strings.Builder) (int, error) {
	q := line[i]
	open := i
	i++
	for i < len(line) {
		c := line[i]
		switch {
		case c == q:
			return i + 1, nil
		case c == '\\':
			j, err := readEscape(line, i, buf)
			if err != nil {
				return 0, err
			}
			i = j
		default:
			buf.WriteByte(c)
			i++
		}
	}
	return 0, &SyntaxError{Pos: open, Msg: fmt.Sprintf("unterminated string: the %c opened here is never closed", q)}
}

// readEscape reads the escape sequence at line[i] (a backslash) into buf and
// returns the index after it.
func readEscape(line string, i int, buf *strings.Builder) (int, error) {
	if i+1 >= len(line) {
		return 0, &SyntaxError{Pos: i, Msg: "a backslash at the end of the line escapes nothing"}
	}
	c := line[i+1]
	simple := map[byte]byte{'n': '\n', 'r': '\r', 't': '\t', '\\': '\\', '\'': '\'', '"': '"',
		'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v', ' ': ' ', ';': ';', '#': '#'}
	if r, ok := simple[c]; ok {
		buf.WriteByte(r)
		return i + 2, nil
	}
	switch {
	case c == 'x':
		if i+4 <= len(line) && isHex(line[i+2]) && isHex(line[i+3]) {
			buf.WriteByte(unhex(line[i+2])<<4 | unhex(line[i+3]))
			return i + 4, nil
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
		buf.WriteByte(byte(v))
		return j, nil
	}
	// Python keeps an unknown escape as it is, backslash included.
	buf.WriteByte('\\')
	buf.WriteByte(c)
	return i + 2, nil
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
