// Tables: rows rendered with olekukonko/tablewriter, fitted to the width of
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
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/tw"
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
		_, err := w.Write(appendRecords(nil, header, rows, width))
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

// drawTable renders with tablewriter; cells hold their own line breaks.
// With lines between rows, a row whose cells wrapped reads as one row.
// The tablewriter.Table is reused (tablePool): a new one costs far more
// than the drawing of a small table (it allocates a 10,240-entry cache).
// Rows of one line each, without lines between them, are given to
// tablewriter stacked as the lines of one row (stackRows).
func drawTable(w io.Writer, header []string, rows [][]string, linesBetweenRows bool) error {
	st := plainRows
	switch {
	case linesBetweenRows:
		st = linesBetween
	case len(rows) > 1 && !anyLineBreak(rows):
		st = stackedRows
		rows = [][]string{stackRows(rows)}
	}
	d := tables.get(st)
	defer tables.put(st, d)
	d.t.Header(header)
	for _, r := range rows {
		if err := d.t.Append(r); err != nil {
			return err
		}
	}
	err := d.t.Render()
	if _, werr := w.Write(d.out.Bytes()); err == nil {
		err = werr
	}
	return err
}

// newTablewriter is the table every table of the shell is drawn with:
// ASCII borders, left-aligned, the cells as given (no case change, no
// wrapping, no trimming: the shell has wrapped them to the width).
//
// The renderer is the shell's lineRenderer (shell/table_draw.go), not
// tablewriter's default Blueprint: on this configuration both draw the same
// bytes (TestLineRendererDrawsAsBlueprint), and Blueprint formats debug arguments
// and builds strings for every cell and separator.
func newTablewriter(w io.Writer, linesBetweenRows bool) *tablewriter.Table {
	return tablewriter.NewTable(w, tableOptions(tableRenderer(linesBetweenRows))...)
}

// tableRendition is the ASCII style, with or without lines between rows.
func tableRendition(linesBetweenRows bool) tw.Rendition {
	rendition := tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)}
	if linesBetweenRows {
		rendition.Settings.Separators.BetweenRows = tw.On
	}
	return rendition
}

func tableRenderer(linesBetweenRows bool) tw.Renderer {
	return newLineRenderer(tableRendition(linesBetweenRows))
}

// tableOptions are the table's settings, drawn by the renderer r.
func tableOptions(r tw.Renderer) []tablewriter.Option {
	return []tablewriter.Option{
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
		// Cells are strings: the stringer cache is never read. A cache that
		// keeps nothing spares Reset the new 10,240-entry map it would make.
		tablewriter.WithStringerCacheCustom(noStringerCache{}),
	}
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

// textWidth is the display width of the widest line of s.
func textWidth(s string) int {
	w := 0
	for {
		line, rest, more := strings.Cut(s, "\n")
		w = max(w, displayWidth(line))
		if !more {
			return w
		}
		s = rest
	}
}

// wrapCell breaks each line of s into lines at most width wide: after the
// last space or punctuation mark that fits, or, if there is none, at the
// width. Spaces where a line breaks are dropped; every other character
// stays, in order.
func wrapCell(s string, width int) string {
	if strings.IndexByte(s, '\n') < 0 && displayWidth(s) <= width {
		return s // one line that fits: the common cell
	}
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
			rw := twwidth.Width(string(runes[fit]))
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
				col += twwidth.Width(string(r))
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
