// This file holds the services(5) parser: glibc's rules for a line, the
// port as C's strtoul reads it, the whole file parsed in place.

package netdb

import (
	"bufio"
	"io"
	"strings"
)

// parseServices reads services(5) lines.
func parseServices(r io.Reader) ([]Service, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return parseServicesText(string(data))
}

// maxServicesLine is the longest line read (as bufio.Scanner's limit
// refused longer ones before): a longer line makes the file unreadable.
const maxServicesLine = 1<<20 - 1

// parseServicesText parses a whole services file. The entries' names,
// protocols and aliases are slices of text, their aliases of one array:
// a start parses /etc/services in a few allocations, not one a line.
func parseServicesText(text string) ([]Service, error) {
	out := make([]Service, 0, strings.Count(text, "\n")+1)
	var aliases []string
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if len(line) > maxServicesLine {
			return nil, bufio.ErrTooLong
		}
		if s, ok := parseServiceLine(line, &aliases); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// isSpace reports C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// parseServiceLine parses "name port/proto [alias...] [# comment]" with glibc's
// rules: the port is read as strtoul with base 0 (so 0x50 and 0120 are 80), must be
// followed by one or more slashes or end the line (leaving an empty protocol),
// values above 2^32-1 are rejected and the rest are cut to 16 bits.
//
// The line's aliases are appended to *arena and the entry's Aliases is
// the part of it they fill (capped, so nothing appended later shows).
func parseServiceLine(line string, arena *[]string) (Service, bool) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	i := 0
	skip := func() {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
	}
	word := func() string {
		start := i
		for i < len(line) && !isSpace(line[i]) {
			i++
		}
		return line[start:i]
	}
	skip()
	if i == len(line) {
		return Service{}, false
	}
	name := word()
	skip()
	port, n, ok := parseCUlong(line[i:])
	if !ok || port > 0xffffffff {
		return Service{}, false
	}
	i += n
	switch {
	case i == len(line):
	case line[i] == '/':
		for i < len(line) && line[i] == '/' {
			i++
		}
	default:
		return Service{}, false
	}
	proto := word()
	skip()
	var aliases []string
	if i < len(line) {
		if *arena == nil {
			*arena = make([]string, 0, 256)
		}
		start := len(*arena)
		for i < len(line) {
			*arena = append(*arena, word())
			skip()
		}
		aliases = (*arena)[start:len(*arena):len(*arena)]
	}
	return Service{Name: name, Port: int(port & 0xffff), Proto: proto, Aliases: aliases}, true
}

// parseCUlong reads an unsigned number as C's strtoul(s, &end, 0) does for the
// inputs a services file holds, returning the value, the bytes consumed and
// whether a number was read. Negative numbers are refused, as glibc refuses them
// here; a value too large for 64 bits saturates.
func parseCUlong(s string) (uint64, int, bool) {
	i := 0
	if i < len(s) && s[i] == '+' {
		i++
	}
	base := uint64(10)
	if i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && digitVal(s[i+2]) < 16 {
		base = 16
		i += 2
	} else if i < len(s) && s[i] == '0' {
		base = 8
	}
	start := i
	var v uint64
	for i < len(s) {
		d := digitVal(s[i])
		if d >= base {
			break
		}
		if v > (^uint64(0)-d)/base {
			v = ^uint64(0)
		} else {
			v = v*base + d
		}
		i++
	}
	if i == start {
		return 0, 0, false
	}
	return v, i, true
}

func digitVal(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 99
}
