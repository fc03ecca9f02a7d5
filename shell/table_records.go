// Records: a table too wide for the terminal prints each row as a block
// of "column  value" lines, written into one byte slice (a thousand rows
// of ten columns are ten thousand lines: no string is built for a line).
package shell

import (
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// appendRecords appends each row as a block of "column  value" lines, the
// values wrapped to the width, blocks separated by a "-[ row N ]-" line;
// a line's trailing spaces are dropped.
func appendRecords(b []byte, header []string, rows [][]string, width int) []byte {
	keyW := 0
	for _, h := range header {
		keyW = max(keyW, textWidth(h))
	}
	valW := width - keyW - 2
	ownLine := valW < minColumn // a column name too long: values go below it
	if ownLine {
		valW = max(1, width-2)
	}
	for n, r := range rows {
		b = appendRecordRule(b, n+1, len(rows), width)
		for i, h := range header {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			if ownLine {
				for l := range lines(wrapCell(h, width)) {
					b = append(append(b, l...), '\n')
				}
				for l := range lines(wrapCell(v, valW)) {
					b = appendTrimmed(append(b, "  "...), l)
				}
				continue
			}
			key := h
			for l := range lines(wrapCell(v, valW)) {
				b = append(b, key...)
				b = appendSpaces(b, keyW-textWidth(key)+2)
				b = appendTrimmed(b, l)
				key = ""
			}
		}
	}
	if len(rows) == 0 {
		// No rows: the column names alone, as the table's header would show.
		for l := range lines(wrapCell(strings.Join(header, " "), width)) {
			b = append(append(b, l...), '\n')
		}
	}
	return b
}

// appendTrimmed ends a line: l, then the line's trailing spaces dropped
// (those of l and of the padding before it), then a line break.
func appendTrimmed(b []byte, l string) []byte {
	b = append(b, l...)
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return append(b, '\n')
}

// lines yields the lines of s (one empty line for an empty s).
func lines(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for {
			line, rest, more := strings.Cut(s, "\n")
			if !yield(line) || !more {
				return
			}
			s = rest
		}
	}
}

// appendRecordRule is the line above record n: "-[ row 2 of 5 ]-----",
// cut to width.
func appendRecordRule(b []byte, n, of, width int) []byte {
	start := len(b)
	b = append(b, "-[ row "...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, " of "...)
	b = strconv.AppendInt(b, int64(of), 10)
	b = append(b, " ]"...)
	if len(b)-start > width {
		b = strconv.AppendInt(append(b[:start], "-[ "...), int64(n), 10)
		b = append(b, " ]"...)
	}
	if len(b)-start > width {
		b = b[:start]
	}
	for len(b)-start < width {
		b = append(b, '-')
	}
	return append(b, '\n')
}

// displayWidth is twwidth.Width, counted without it for printable ASCII
// (a character a column; twwidth takes a lock for its options first).
func displayWidth(s string) int {
	if printableASCII(s) {
		return len(s)
	}
	return twwidth.Width(s)
}
