package shell

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Records drawn into a byte slice are, byte for byte, what session 11's
// string-building code drew (kept below as the reference), on random
// tables at random widths: wrapped values, empty ones, column names too
// long for a value beside them, wide (CJK) text, no rows.
func TestRecordsAsBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 11))
	for n := range 500 {
		var header []string
		var rows [][]string
		if n%2 == 0 {
			header, rows = wideTable(r)
		} else {
			header, rows = singleLineTable(r)
		}
		if n%7 == 0 {
			header = append(header, strings.Repeat("long column name ", 1+r.IntN(4)))
		}
		if n%11 == 0 {
			rows = nil
		}
		width := 1 + r.IntN(90)
		want := recordsReference(header, rows, width)
		if got := string(appendRecords(nil, header, rows, width)); got != want {
			t.Fatalf("records %d at width %d (%q, %q): drew\n%s\nbefore\n%s", n, width, header, rows, got, want)
		}
	}
}

// recordsReference is renderRecords as session 11 wrote it, the reference
// the new one must match byte for byte. It prints each row as a block of "column  value" lines, the
// values wrapped to the width, blocks separated by a "-[ row N ]-" line.
func recordsReference(header []string, rows [][]string, width int) string {
	keyW := 0
	for _, h := range header {
		keyW = max(keyW, textWidth(h))
	}
	valW := width - keyW - 2
	ownLine := valW < minColumn // a column name too long: values go below it
	if ownLine {
		valW = max(1, width-2)
	}
	var b strings.Builder
	for n, r := range rows {
		b.WriteString(recordRuleReference(n+1, len(rows), width))
		for i, h := range header {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			lines := strings.Split(wrapCell(v, valW), "\n")
			if ownLine {
				for _, l := range strings.Split(wrapCell(h, width), "\n") {
					b.WriteString(l + "\n")
				}
				for _, l := range lines {
					b.WriteString(strings.TrimRight("  "+l, " ") + "\n")
				}
				continue
			}
			for j, l := range lines {
				key := ""
				if j == 0 {
					key = h
				}
				b.WriteString(strings.TrimRight(key+strings.Repeat(" ", keyW-textWidth(key)+2)+l, " ") + "\n")
			}
		}
	}
	if len(rows) == 0 {
		// No rows: the column names alone, as the table's header would show.
		for _, l := range strings.Split(wrapCell(strings.Join(header, " "), width), "\n") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// recordRule is the line above record n: "-[ row 2 of 5 ]-----", cut to width.
func recordRuleReference(n, of, width int) string {
	label := "-[ row " + strconv.Itoa(n) + " of " + strconv.Itoa(of) + " ]"
	if len(label) > width {
		label = "-[ " + strconv.Itoa(n) + " ]"
	}
	if len(label) > width {
		return strings.Repeat("-", width) + "\n"
	}
	return label + strings.Repeat("-", width-len(label)) + "\n"
}
