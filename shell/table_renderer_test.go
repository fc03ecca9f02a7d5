package shell

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
)

// blueprintTable draws with a plain new tablewriter table and its default
// renderer, Blueprint: the reference every table of the shell must match.
func blueprintTable(t *testing.T, header []string, rows [][]string, between bool) string {
	t.Helper()
	var out bytes.Buffer
	bt := tablewriter.NewTable(&out, tableOptions(renderer.NewBlueprint(tableRendition(between)))...)
	bt.Header(header)
	for _, row := range rows {
		if err := bt.Append(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := bt.Render(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// wideTable is a random table whose cells are wrapped to a random width
// (cells of several lines, as renderTable makes them), with wide (CJK)
// characters, empty cells and, sometimes, rows shorter or longer than the
// header.
func wideTable(r *rand.Rand) (header []string, rows [][]string) {
	words := []string{"", "a", "AF_INET6", "SOCK_DGRAM", "('::1', 8080, 0, 0)", "日本語", "中文字符和 ascii 混合",
		"ＦＵＬＬ　ＷＩＤＴＨ", "x y z", "one\ntwo\nthree", strings.Repeat("長", 30), "a-b.c/d:e", " lead", "trail ", "|+-"}
	cell := func() string {
		c := words[r.IntN(len(words))]
		if r.IntN(3) > 0 {
			c += " " + words[r.IntN(len(words))]
		}
		if r.IntN(2) == 0 {
			c = wrapCell(c, 2+r.IntN(10))
		}
		return c
	}
	cols := 1 + r.IntN(7)
	for range cols {
		header = append(header, cell())
	}
	for range r.IntN(10) {
		n := cols
		if r.IntN(8) == 0 {
			n = max(1, cols+r.IntN(3)-1)
		}
		row := make([]string, n)
		for i := range row {
			row[i] = cell()
		}
		rows = append(rows, row)
	}
	return header, rows
}

// The shell's renderer draws what tablewriter's default renderer draws, in
// both styles, on random tables: kept tables (drawTable) and new ones.
func TestLineRendererDrawsAsBlueprint(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 13))
	for n := range 800 {
		var header []string
		var rows [][]string
		if n%2 == 0 {
			header, rows = wideTable(r)
		} else {
			header, rows = randomTable(r)
		}
		for _, between := range []bool{false, true} {
			want := blueprintTable(t, header, rows, between)
			var kept bytes.Buffer
			if err := drawTable(&kept, header, rows, between); err != nil {
				t.Fatal(err)
			}
			if got := freshTable(t, header, rows, between); got != want || kept.String() != want {
				t.Fatalf("table %d (%q, %q, between rows %v): Blueprint drew\n%s\na new table\n%s\na kept one\n%s",
					n, header, rows, between, want, got, kept.String())
			}
		}
	}
}

// The whole path (tabs expanded, columns fitted, cells wrapped) at random
// widths draws what Blueprint draws from the same wrapped cells.
func TestRenderTableAsBlueprint(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 14))
	for n := range 300 {
		header, rows := wideTable(r)
		for i, row := range rows {
			rows[i] = append(row, make([]string, max(0, len(header)-len(row)))...)[:len(header)]
		}
		width := 20 + r.IntN(100)
		var got bytes.Buffer
		if err := renderTable(&got, header, rows, width); err != nil {
			t.Fatal(err)
		}
		h, body := expandTabs(header), expandTabsRows(rows)
		widths, ok := fitColumns(h, body, width)
		if !ok {
			continue // printed as records: no table drawn
		}
		wrap := func(row []string) []string {
			out := make([]string, len(row))
			for i, c := range row {
				out[i] = wrapCell(c, widths[i])
			}
			return out
		}
		between := false
		var wb [][]string
		for _, row := range body {
			w := wrap(row)
			between = between || strings.Contains(strings.Join(w, ""), "\n")
			wb = append(wb, w)
		}
		if want := blueprintTable(t, wrap(h), wb, between); got.String() != want {
			t.Fatalf("table %d at width %d (%q, %q): drew\n%s\nBlueprint\n%s", n, width, header, rows, got.String(), want)
		}
	}
}

// tablewriter's width cache is off: a table drawn keeps none of its
// strings, and the widths counted afresh are still right for wide text.
func TestTableWidthsNotCached(t *testing.T) {
	var out bytes.Buffer
	if err := drawTable(&out, []string{"name", "寬"}, [][]string{{"日本語", "x"}, {"port 40001", "ＦＵＬＬ"}}, false); err != nil {
		t.Fatal(err)
	}
	if size, capacity, _ := twwidth.GetCacheStats(); size != 0 || capacity != 0 {
		t.Errorf("twwidth's cache holds %d of %d strings after a table: it should be off", size, capacity)
	}
	want := "+------------+----------+\n" +
		"| name       | 寬       |\n" +
		"+------------+----------+\n" +
		"| 日本語     | x        |\n" +
		"| port 40001 | ＦＵＬＬ |\n" +
		"+------------+----------+\n"
	if out.String() != want {
		t.Errorf("drew\n%s\nwant\n%s", out.String(), want)
	}
}
