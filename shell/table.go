// Tables: rows drawn as ASCII boxes, fitted to the width of
// the terminal. Long cells wrap (at a space or after punctuation where they
// can, else anywhere); the narrow columns keep their width and the wide ones
// share what is left. When even that leaves a column too narrow to read,
// each row prints as a record, one "column  value" line per cell. Nothing
// is cut: every character of every cell is printed. Width 0 (a pipe, a
// file) prints the table at its full width.
package shell

import (
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/clipperhouse/displaywidth"
)

// minColumn is the narrowest a wrapped column may get before the table
// prints as records instead.
const minColumn = 6

func renderTable(w io.Writer, header []string, rows [][]string, width int) error {
	if width <= 0 {
		return drawTable(w, header, rows, false)
	}
	header, rows = expandTabs(header), expandTabsRows(rows)
	widths, ok := fitColumns(header, rows, width)
	if !ok {
		_, err := io.WriteString(w, renderRecords(header, rows, width))
		return err
	}
	wrapped := false
	wrapRow := func(r []string) []string {
		out := make([]string, len(r))
		for i, c := range r {
			if i < len(widths) {
				out[i] = wrapCell(c, widths[i])
			} else {
				out[i] = c
			}
			wrapped = wrapped || strings.Contains(out[i], "\n")
		}
		return out
	}
	h := wrapRow(header)
	wrapped = false // a wrapped header needs no lines between rows
	body := make([][]string, len(rows))
	for i, r := range rows {
		body[i] = wrapRow(r)
	}
	return drawTable(w, h, body, wrapped)
}

// drawTable draws the ASCII table: a rule, the header, a rule, the rows
// (with a rule between rows when linesBetweenRows), a rule. Cells hold
// their own line breaks and are padded on the left-aligned grid of each
// column's widest line. It draws what tablewriter's ASCII Blueprint drew
// (TestDrawTableMatchesTablewriter compares them), in one pass and one
// write: a table of 1,000 rows took tablewriter 130 ms.
func drawTable(w io.Writer, header []string, rows [][]string, linesBetweenRows bool) error {
	n := len(header)
	for _, r := range rows {
		n = max(n, len(r))
	}
	split := func(r []string) [][]string {
		cells := make([][]string, n)
		for i := range cells {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			cells[i] = strings.Split(c, "\n")
		}
		return cells
	}
	head := split(header)
	body := make([][][]string, len(rows))
	for i, r := range rows {
		body[i] = split(r)
	}
	widths := make([]int, n)
	measure := func(cells [][]string) {
		for i, lines := range cells {
			for _, l := range lines {
				widths[i] = max(widths[i], displayWidth(l))
			}
		}
	}
	measure(head)
	for _, cells := range body {
		measure(cells)
	}
	var b strings.Builder
	rule := func() {
		b.WriteByte('+')
		for _, cw := range widths {
			for range cw + 2 {
				b.WriteByte('-')
			}
			b.WriteByte('+')
		}
		b.WriteByte('\n')
	}
	row := func(cells [][]string) {
		height := 1
		for _, lines := range cells {
			height = max(height, len(lines))
		}
		for k := range height {
			b.WriteByte('|')
			for i, lines := range cells {
				l := ""
				if k < len(lines) {
					l = lines[k]
				}
				b.WriteByte(' ')
				b.WriteString(l)
				for range widths[i] - displayWidth(l) + 1 {
					b.WriteByte(' ')
				}
				b.WriteByte('|')
			}
			b.WriteByte('\n')
		}
	}
	rule()
	row(head)
	rule()
	for i, cells := range body {
		if i > 0 && linesBetweenRows {
			rule()
		}
		row(cells)
	}
	if len(body) > 0 {
		rule()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tableOverhead is the width of the borders and padding of n columns in
// the ASCII style: "| " before each cell, " " after, and a final "|".
func tableOverhead(n int) int { return 3*n + 1 }

// fitColumns chooses a width for each column so the table is at most width
// wide. Columns that fit in an equal share keep their natural width; the
// rest share what remains equally (max-min fairness). ok is false when a
// column would get fewer than minColumn cells of width (or fewer than it
// needs, if it needs less).
func fitColumns(header []string, rows [][]string, width int) (widths []int, ok bool) {
	n := len(header)
	natural := make([]int, n)
	for i := range header {
		natural[i] = max(1, textWidth(header[i]))
		for _, r := range rows {
			if i < len(r) {
				natural[i] = max(natural[i], textWidth(r[i]))
			}
		}
	}
	avail := width - tableOverhead(n)
	total := 0
	for _, w := range natural {
		total += w
	}
	if total <= avail {
		return natural, true
	}
	if avail < n {
		return nil, false
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return natural[order[a]] < natural[order[b]] })
	widths = make([]int, n)
	left := avail
	for k, i := range order {
		share := left / (n - k)
		widths[i] = min(natural[i], share)
		left -= widths[i]
	}
	// Integer shares leave a remainder: give it to the capped columns.
	for _, i := range order {
		if left == 0 {
			break
		}
		if widths[i] < natural[i] {
			widths[i]++
			left--
		}
	}
	for i := range widths {
		if widths[i] < min(natural[i], minColumn) {
			return nil, false
		}
	}
	return widths, true
}

// renderRecords prints each row as a block of "column  value" lines, the
// values wrapped to the width, blocks separated by a "-[ row N ]-" line.
func renderRecords(header []string, rows [][]string, width int) string {
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
		b.WriteString(recordRule(n+1, len(rows), width))
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
func recordRule(n, of, width int) string {
	label := "-[ row " + strconv.Itoa(n) + " of " + strconv.Itoa(of) + " ]"
	if len(label) > width {
		label = "-[ " + strconv.Itoa(n) + " ]"
	}
	if len(label) > width {
		return strings.Repeat("-", width) + "\n"
	}
	return label + strings.Repeat("-", width-len(label)) + "\n"
}

// textWidth is the display width of the widest line of s.
func textWidth(s string) int {
	w := 0
	for _, l := range strings.Split(s, "\n") {
		w = max(w, displayWidth(l))
	}
	return w
}

// wrapCell breaks each line of s into lines at most width wide: after the
// last space or punctuation mark that fits, or, if there is none, at the
// width. Spaces where a line breaks are dropped; every other character
// stays, in order.
func wrapCell(s string, width int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		out = append(out, wrapLine(line, width)...)
	}
	return strings.Join(out, "\n")
}

func wrapLine(line string, width int) []string {
	var out []string
	for displayWidth(line) > width {
		runes := []rune(line)
		// The longest prefix that fits.
		fit, w := 0, 0
		for fit < len(runes) {
			rw := displayWidth(string(runes[fit]))
			if w+rw > width {
				break
			}
			w += rw
			fit++
		}
		if fit == 0 {
			fit = 1 // a character wider than the column still goes somewhere
		}
		cut, skip := fit, 0
		if runes[fit-1] != ' ' && fit < len(runes) && runes[fit] == ' ' {
			skip = 1 // breaking at a space that follows the prefix
		} else {
			for j := fit - 1; j > 0; j-- {
				if runes[j] == ' ' {
					cut, skip = j, 1
					break
				}
				if strings.ContainsRune(":._-/,=)]", runes[j]) && j+1 < fit {
					cut = j + 1
					break
				}
			}
		}
		out = append(out, string(runes[:cut]))
		line = string(runes[cut+skip:])
	}
	return append(out, line)
}

// expandTabs turns tabs into spaces (to the next multiple of 8 in each
// line), so the width counted is the width shown.
func expandTabs(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if !strings.Contains(c, "\t") {
			out[i] = c
			continue
		}
		var b strings.Builder
		col := 0
		for _, r := range c {
			switch r {
			case '\t':
				n := 8 - col%8
				b.WriteString(strings.Repeat(" ", n))
				col += n
			case '\n':
				b.WriteRune(r)
				col = 0
			default:
				b.WriteRune(r)
				col += displayWidth(string(r))
			}
		}
		out[i] = b.String()
	}
	return out
}

func expandTabsRows(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = expandTabs(r)
	}
	return out
}

// displayWidth is the number of terminal cells s takes: its length when it
// is printable ASCII (every cell of a sockets table, nearly always), else
// the sum of its characters' widths (wide characters count 2, combining
// ones 0), escape sequences (CSI, OSC) counting nothing and a tab 8, as
// expandTabs counts it. It reads no environment: tablewriter's twwidth
// guessed a tab's width and East Asian widths from the environment, the
// editor's configuration and the project in the working directory, and its
// start-up took a third of sockshell's cold start (issue 13).
func displayWidth(s string) int {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x7e {
		i++
	}
	if i == len(s) {
		return len(s)
	}
	w := i
	for _, r := range stripEscapes(s[i:]) {
		if r == '\t' {
			w += 8
			continue
		}
		w += displaywidth.Rune(r)
	}
	return w
}

// stripEscapes drops the terminal's escape sequences from s: CSI (ESC [
// parameters, intermediates, a final byte) and OSC (ESC ] up to BEL or
// ESC \).
func stripEscapes(s string) string {
	if strings.IndexByte(s, 0x1b) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != 0x1b || i+1 >= len(s) || (s[i+1] != '[' && s[i+1] != ']') {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 2
		if s[i+1] == '[' {
			for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
				j++
			}
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
				j++
			}
			if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
				i = j + 1
				continue
			}
		} else {
			end := -1
			for k := j; k < len(s); k++ {
				if s[k] == 0x07 {
					end = k + 1
					break
				}
				if s[k] == 0x1b && k+1 < len(s) && s[k+1] == '\\' {
					end = k + 2
					break
				}
			}
			if end > 0 {
				i = end
				continue
			}
		}
		b.WriteByte(s[i]) // not a whole sequence: kept as it is
		i++
	}
	return b.String()
}
