// Item types: their short names, which are binary, and which type a file
// gets from its name and contents.

package gopher

import (
	"bytes"
	"path"
	"strings"
	"unicode/utf8"
)

var typeNames = map[byte]string{
	'0': "TXT", '1': "MENU", '2': "CSO", '3': "ERR", '4': "BINHEX", '5': "DOS",
	'6': "UUE", '7': "SEARCH", '8': "TELNET", '9': "BIN", '+': "MIRROR",
	'g': "GIF", 'I': "IMG", 'T': "TN3270", 'i': "INFO", 'h': "HTML",
	's': "SOUND", 'd': "DOC", 'p': "PNG", 'r': "RTF", 'P': "PDF", 'X': "XML",
}

// TypeName returns a short upper-case name for an item type ("TXT" for
// '0', "MENU" for '1', …), or the character itself for a type it does not
// know.
func TypeName(b byte) string {
	if n, ok := typeNames[b]; ok {
		return n
	}
	return string(rune(b))
}

// IsBinary reports whether items of type t are binary files: RFC 1436
// types 5 and 9 and the common extensions for images, sounds, documents
// and video (g, I, p, s, d, P, ;). Their replies are raw bytes up to the
// end of the connection and should be saved rather than shown.
func IsBinary(t byte) bool {
	return strings.IndexByte("59gIpsdP;", t) >= 0
}

// IsMenu reports whether a reply of type t is a menu: '1' and, after a
// search, '7'.
func IsMenu(t byte) bool { return t == '1' || t == '7' }

var typeByExt = map[string]byte{
	".txt": '0', ".md": '0', ".go": '0', ".c": '0', ".h": '0', ".py": '0',
	".sh": '0', ".rs": '0', ".json": '0', ".csv": '0', ".conf": '0',
	".log": '0', ".text": '0', ".asc": '0', ".rst": '0', ".org": '0',
	".gif": 'g', ".png": 'I', ".jpg": 'I', ".jpeg": 'I', ".bmp": 'I',
	".webp": 'I', ".html": 'h', ".htm": 'h',
	".pdf": '9', ".zip": '9', ".gz": '9', ".tar": '9', ".bin": '9',
	".exe": '9', ".mp3": 's', ".wav": 's', ".ogg": 's', ".hqx": '4',
	".uue": '6',
}

// TypeForName returns the item type a file named name gets from its
// extension, and false when the extension says nothing.
func TypeForName(name string) (byte, bool) {
	t, ok := typeByExt[strings.ToLower(path.Ext(name))]
	return t, ok
}

// SniffType guesses the type of a file from its first bytes: '0' (text)
// for UTF-8 without NUL bytes and with few control characters, '9'
// (binary) otherwise.
func SniffType(head []byte) byte {
	if bytes.IndexByte(head, 0) >= 0 {
		return '9'
	}
	// A multi-byte character may be cut at the end of head.
	trimmed := head
	for i := 0; i < utf8.UTFMax && len(trimmed) > 0; i++ {
		if utf8.Valid(trimmed) {
			break
		}
		trimmed = trimmed[:len(trimmed)-1]
	}
	if !utf8.Valid(trimmed) {
		return '9'
	}
	control := 0
	for _, c := range trimmed {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\b' && c != 0x1b {
			control++
		}
	}
	if control*20 > len(trimmed) {
		return '9'
	}
	return '0'
}
