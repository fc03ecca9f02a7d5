// The shell's tw.Renderer: tablewriter (v1.1.5, the table's library) lays
// out every table (its widths, its lines, which line is the top, a row or
// the bottom) and calls a renderer with each line; this one writes the line
// into a byte slice it keeps, with no allocation per cell. tablewriter's
// own renderers (Blueprint, Ocean) build strings per cell and box debug
// arguments per cell even with their logger off; on the shell's
// configuration (borders on, no merged cells, no colour) this one writes
// the same bytes as Blueprint (TestLineRendererDrawsAsBlueprint compares
// them on random tables).
package shell

import (
	"io"
	"slices"

	"github.com/olekukonko/ll"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// lineRenderer draws one table at a time (tablewriter calls Start, then the
// lines in order, then Close).
type lineRenderer struct {
	config tw.Rendition
	w      io.Writer
	// cols and widths are the columns (sorted) and their widths, fixed by
	// the first line drawn, as Ocean fixes them.
	cols   []int
	widths []int
	fixed  bool
	line   []byte
	// The symbols of the style, looked up once.
	column, row              string
	rowWidth                 int
	topL, topM, topR         string
	midL, midM, midR         string
	botL, botM, botR         string
	left, right, betweenCols bool
}

var _ tw.Renderer = (*lineRenderer)(nil)

// newLineRenderer takes the rendition Ocean makes of r (tablewriter's
// defaults for a renderer, with r's settings over them), so that
// tablewriter sees the same configuration through Config as before.
func newLineRenderer(r tw.Rendition) *lineRenderer {
	o := renderer.NewOcean()
	o.Rendition(r)
	l := &lineRenderer{config: o.Config()}
	s := l.config.Symbols
	l.column, l.row = s.Column(), s.Row()
	l.rowWidth = max(twwidth.Width(l.row), 1)
	l.topL, l.topM, l.topR = s.TopLeft(), s.TopMid(), s.TopRight()
	l.midL, l.midM, l.midR = s.MidLeft(), s.Center(), s.MidRight()
	l.botL, l.botM, l.botR = s.BottomLeft(), s.BottomMid(), s.BottomRight()
	l.left, l.right = l.config.Borders.Left.Enabled(), l.config.Borders.Right.Enabled()
	l.betweenCols = l.config.Settings.Separators.BetweenColumns.Enabled()
	return l
}

func (l *lineRenderer) Config() tw.Rendition { return l.config }
func (l *lineRenderer) Logger(*ll.Logger)    {}

func (l *lineRenderer) Start(w io.Writer) error {
	l.w = w
	l.reset()
	return nil
}

func (l *lineRenderer) Close() error {
	l.reset()
	return nil
}

func (l *lineRenderer) reset() {
	l.cols, l.widths, l.fixed = l.cols[:0], l.widths[:0], false
}

// fix takes the widths of the first line drawn for the whole table.
func (l *lineRenderer) fix(ctx tw.Formatting) bool {
	if l.fixed {
		return true
	}
	if len(ctx.Row.Widths) == 0 {
		return false
	}
	for c := range ctx.Row.Widths {
		l.cols = append(l.cols, c)
	}
	slices.Sort(l.cols)
	for _, c := range l.cols {
		l.widths = append(l.widths, ctx.Row.Widths[c])
	}
	l.fixed = true
	return true
}

func (l *lineRenderer) Header(lines [][]string, ctx tw.Formatting) {
	if !l.fix(ctx) || len(lines) == 0 || len(lines[0]) == 0 {
		return
	}
	for _, line := range lines {
		l.content(ctx, line)
	}
}

func (l *lineRenderer) Footer(lines [][]string, ctx tw.Formatting) {
	l.Header(lines, ctx)
}

func (l *lineRenderer) Row(line []string, ctx tw.Formatting) {
	if l.fix(ctx) {
		l.content(ctx, line)
	}
}

// Line draws a border or separator: corners and junctions by where it is
// (the top, the bottom or between), the row symbol across each column.
func (l *lineRenderer) Line(ctx tw.Formatting) {
	if !l.fix(ctx) {
		return
	}
	top := (ctx.Level == tw.LevelHeader && ctx.Row.Location == tw.LocationFirst) ||
		(ctx.Level == tw.LevelBody && ctx.Row.Location == tw.LocationFirst && len(ctx.Row.Previous) == 0)
	bottom := (ctx.Level == tw.LevelBody && ctx.Row.Location == tw.LocationEnd && !ctx.HasFooter) ||
		(ctx.Level == tw.LevelFooter && ctx.Row.Location == tw.LocationEnd)
	left, mid, right := l.midL, l.midM, l.midR
	switch {
	case top:
		left, mid, right = l.topL, l.topM, l.topR
	case bottom:
		left, mid, right = l.botL, l.botM, l.botR
	}
	b := l.line[:0]
	if l.left {
		b = append(b, left...)
	}
	for i, w := range l.widths {
		if w > 0 {
			for range max(w/l.rowWidth, 1) {
				b = append(b, l.row...)
			}
		}
		if i < len(l.widths)-1 && l.betweenCols {
			b = append(b, mid...)
		}
	}
	if l.right {
		b = append(b, right...)
	}
	l.flush(append(b, '\n'))
}

// content draws a line of cells: each padded (tablewriter's padding, one
// space each side) and aligned to its column's width.
func (l *lineRenderer) content(ctx tw.Formatting, line []string) {
	b := l.line[:0]
	if l.left {
		b = append(b, l.column...)
	}
	for i, c := range l.cols {
		width := l.widths[i]
		text, align := "", tw.AlignLeft
		switch ctx.Row.Position {
		case tw.Header:
			align = tw.AlignCenter
		case tw.Footer:
			align = tw.AlignRight
		}
		padL, padR := tw.Space, tw.Space
		if cell, ok := ctx.Row.Current[c]; ok {
			text = cell.Data
			if cell.Align.Validate() == nil && cell.Align != tw.AlignNone {
				align = cell.Align
			}
			if cell.Padding.Paddable() {
				padL, padR = cell.Padding.Left, cell.Padding.Right
			}
		} else if c < len(line) {
			text = line[c]
		}
		if width > 0 {
			b = appendCell(b, text, width, padL, padR, align)
		}
		if i < len(l.cols)-1 && l.betweenCols {
			b = append(b, l.column...)
		}
	}
	if l.right {
		b = append(b, l.column...)
	}
	l.flush(append(b, '\n'))
}

// appendCell is text padded and aligned to width (its display width).
// Plain ASCII text between one-space paddings, the shell's usual cell, is
// written directly; any other cell goes through formatCell.
func appendCell(b []byte, text string, width int, padL, padR string, align tw.Align) []byte {
	if padL == tw.Space && padR == tw.Space && printableASCII(text) && len(text)+2 <= width {
		spare := width - 2 - len(text)
		before := 0
		switch align {
		case tw.AlignRight:
			before = spare
		case tw.AlignCenter:
			before = spare / 2
		}
		b = append(b, ' ')
		b = appendSpaces(b, before)
		b = append(b, text...)
		b = appendSpaces(b, spare-before)
		return append(b, ' ')
	}
	return append(b, formatCell(text, width, padL, padR, align)...)
}

// formatCell is the general case, by the rules tablewriter's renderers
// follow: an empty padding is a space; text wider than the room between
// the paddings is cut to it; the spare room goes after the text (left),
// before it (right) or both sides (center, the odd space after); a cell
// whose display width still differs from the column's is filled with
// spaces at its end (before it, right-aligned) or cut to the width.
func formatCell(text string, width int, padL, padR string, align tw.Align) string {
	if padL == "" {
		padL = tw.Space
	}
	if padR == "" {
		padR = tw.Space
	}
	room := max(width-twwidth.Width(padL)-twwidth.Width(padR), 0)
	if twwidth.Width(text) > room {
		text = twwidth.Truncate(text, room)
	}
	spare := max(room-twwidth.Width(text), 0)
	before, after := 0, spare
	switch align {
	case tw.AlignRight:
		before, after = spare, 0
	case tw.AlignCenter:
		before, after = spare/2, spare-spare/2
	}
	cell := padL + spaces(before) + text + spaces(after) + padR
	switch got := twwidth.Width(cell); {
	case got < width && align == tw.AlignRight:
		cell = spaces(width-got) + cell
	case got < width:
		cell += spaces(width - got)
	case got > width:
		cell = twwidth.Truncate(cell, width)
	}
	return cell
}

// printableASCII says whether s is printable ASCII only (its display width is
// its length).
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

func spaces(n int) string { return string(appendSpaces(nil, n)) }

// flush writes a line and keeps the slice for the next.
func (l *lineRenderer) flush(b []byte) {
	l.line = b[:0]
	_, _ = l.w.Write(b)
}
