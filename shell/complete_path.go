// Completion of file and directory paths, from the real file system.
package shell

import (
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPathCandidates bounds the entries read from one directory, so Tab in a
// huge directory answers at once.
const maxPathCandidates = 1000

// completePath lists the paths that could complete partial (as typed, with
// the lexer's backslash escapes): the entries of its directory whose names
// start with its last element, directories with a trailing "/". With dirsOnly,
// files are left out. Names starting with "." show only when the last element
// does. Each candidate is written as it must be typed: characters the lexer
// treats specially are escaped with a backslash.
func completePath(partial string, dirsOnly bool) []string {
	// A word begun with a quote and not yet closed completes inside the
	// quote, and a file closes it: '/tmp/my f<Tab> gives '/tmp/my file.txt'.
	var quote byte
	if partial != "" && (partial[0] == '\'' || partial[0] == '"') && !strings.ContainsRune(partial[1:], rune(partial[0])) {
		quote = partial[0]
	}
	typed := unescapeWord(partial)
	if quote != 0 {
		typed = unescapeQuoted(partial[1:])
	}
	dir, base := filepath.Split(typed)
	readDir := dir
	if readDir == "" {
		readDir = "."
	}
	f, err := os.Open(readDir)
	if err != nil {
		return nil
	}
	defer f.Close()
	entries, _ := f.ReadDir(maxPathCandidates)
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(readDir, name)); err == nil {
				isDir = fi.IsDir()
			}
		}
		if dirsOnly && !isDir {
			continue
		}
		if !showableName(name) {
			continue // never print a hostile name's control bytes to the terminal
		}
		cand, ok := escapeWord(dir + name)
		if quote != 0 {
			cand, ok = escapeQuoted(dir+name, quote)
		}
		if !ok {
			continue
		}
		switch {
		case isDir:
			cand += "/"
		case quote != 0:
			cand += string(quote)
		}
		// The candidate must extend what was typed; a partial written with
		// other escapes than ours (\x20 for a space) is offered nothing.
		if strings.HasPrefix(cand, partial) {
			out = append(out, cand)
		}
	}
	return out
}

// escapeWord writes s as a bare word the lexer reads back as s; ok is
// false for a name with a control character other than tab, newline or
// carriage return, which completion does not offer.
func escapeWord(s string) (string, bool) {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case ' ', ';', '\'', '"', '\\':
			b.WriteByte('\\')
		case '#':
			if i == 0 {
				b.WriteByte('\\')
			}
		case '\t':
			b.WriteString(`\t`)
			continue
		case '\n':
			b.WriteString(`\n`)
			continue
		case '\r':
			b.WriteString(`\r`)
			continue
		}
		if r < 0x20 || r == 0x7f {
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// unescapeWord reads a partial bare word as the lexer would; a word it
// cannot read yet (an unfinished escape or quote) is taken as typed.
func unescapeWord(s string) string {
	if !strings.ContainsAny(s, `\'"`) {
		return s
	}
	stmts, err := Lex(s)
	if err != nil || len(stmts) != 1 || len(stmts[0]) != 1 {
		return s
	}
	return stmts[0][0].Text
}

// escapeQuoted writes s as the inside of a quoted word, after its opening
// quote q: a backslash and q are escaped. ok is false as for escapeWord.
func escapeQuoted(s string, q byte) (string, bool) {
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\' || r == rune(q):
			b.WriteByte('\\')
		case r == '\t':
			b.WriteString(`\t`)
			continue
		case r == '\n':
			b.WriteString(`\n`)
			continue
		case r == '\r':
			b.WriteString(`\r`)
			continue
		case r < 0x20 || r == 0x7f:
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// unescapeQuoted reads the inside of an unfinished quoted word: a backslash
// takes the character after it (enough for paths, which is all it is used for).
func unescapeQuoted(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// showableName reports whether a file name may be offered as it is: valid
// UTF-8 without control characters other than tab, newline and carriage
// return (those are escaped) and without invisible format characters
// (bidirectional overrides, zero-width spaces), which could make one name
// look like another in the list Tab prints.
func showableName(name string) bool {
	if !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
