// Stacked rows: tablewriter's cost is per row and per line (per row it
// converts, splits and measures the cells and makes maps of their merge
// states; per line it makes maps of cell contexts). Rows that are one line
// each, with no line drawn between them, draw the same bytes when given to
// tablewriter as the lines of one row: a cell of several lines is drawn
// line under line, each padded to its column's width, and the widths are
// the widest line of each column either way. So the shell gives such a
// table's rows to tablewriter stacked, each column's cells joined by line
// breaks, and the per-row work is done once. tablewriter's TrimLine (on by
// default) drops a line of a row that is blank in every cell; an empty row
// is a line of its own in a table, so the stacked table has it off.
// TestStackedRowsDrawAsBlueprint compares both ways on random tables.
package shell

import (
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// tableStyle is how a table is given to tablewriter; each style has its
// own kept tables.
type tableStyle int

const (
	plainRows    tableStyle = iota // rows as they are, no lines between them
	linesBetween                   // a line between rows (some cell wrapped)
	stackedRows                    // one row: the rows' lines stacked
	tableStyles
)

// newStyledTable is a table for the style: the shell's table
// (newTablewriter), with blank lines kept for stacked rows.
func newStyledTable(w io.Writer, st tableStyle) *tablewriter.Table {
	opts := tableOptions(tableRenderer(st == linesBetween))
	if st == stackedRows {
		opts = append(opts, tablewriter.WithTrimLine(tw.Off))
	}
	return tablewriter.NewTable(w, opts...)
}

// anyLineBreak says whether a cell of the rows has a line break.
func anyLineBreak(rows [][]string) bool {
	for _, r := range rows {
		for _, c := range r {
			if strings.IndexByte(c, '\n') >= 0 {
				return true
			}
		}
	}
	return false
}

// stackRows is one row whose cell i holds cell i of every row, one a line
// (an empty line where a row is shorter). Rows of no cells are left out:
// tablewriter draws nothing for them.
func stackRows(rows [][]string) []string {
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	out := make([]string, n)
	var b strings.Builder
	for c := range n {
		size := len(rows)
		for _, r := range rows {
			if c < len(r) {
				size += len(r[c])
			}
		}
		b.Grow(size)
		first := true
		for _, r := range rows {
			if len(r) == 0 {
				continue
			}
			if !first {
				b.WriteByte('\n')
			}
			first = false
			if c < len(r) {
				b.WriteString(r[c])
			}
		}
		out[c] = b.String()
		b = strings.Builder{}
	}
	return out
}
