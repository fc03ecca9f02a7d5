package shell

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// singleLineTable is a random table whose cells are one line each (the
// tables drawn stacked): up to 40 rows, empty cells and empty rows, wide
// (CJK) text, tabs, rows shorter or longer than the header.
func singleLineTable(r *rand.Rand) (header []string, rows [][]string) {
	words := []string{"", "", "a", "AF_INET", "SOCK_DGRAM", "127.0.0.1:40001", "日本語", "ＦＵＬＬ", "x y z",
		" padded ", "trail ", "|", "+-+", "tab\there", strings.Repeat("w", 30), "none"}
	cols := 1 + r.IntN(10)
	for range cols {
		header = append(header, words[2+r.IntN(len(words)-2)])
	}
	for range r.IntN(41) {
		n := cols
		if r.IntN(6) == 0 {
			n = max(0, cols+r.IntN(5)-2)
		}
		row := make([]string, n)
		if r.IntN(8) > 0 { // else a row of empty cells
			for i := range row {
				row[i] = words[r.IntN(len(words))]
			}
		}
		rows = append(rows, row)
	}
	return header, rows
}

// Rows of one line each, drawn stacked as one tablewriter row, come out as
// a plain new Blueprint table draws them row by row.
func TestStackedRowsDrawAsBlueprint(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 7))
	stacked := 0
	for n := range 600 {
		header, rows := singleLineTable(r)
		if len(rows) > 1 && !anyLineBreak(rows) {
			stacked++
		}
		want := blueprintTable(t, header, rows, false)
		var got bytes.Buffer
		if err := drawTable(&got, header, rows, false); err != nil {
			t.Fatal(err)
		}
		if got.String() != want {
			t.Fatalf("table %d (%q, %q): drew\n%s\nBlueprint row by row\n%s", n, header, rows, got.String(), want)
		}
	}
	if stacked < 400 {
		t.Errorf("only %d of 600 tables were drawn stacked", stacked)
	}
}

// stackRows puts cell i of every row, in order, on the lines of cell i;
// a short row leaves an empty line, a row of no cells none.
func TestStackRows(t *testing.T) {
	got := stackRows([][]string{{"a", "b", "c"}, {"d"}, {}, {"", "e", "f", "g"}})
	want := []string{"a\nd\n", "b\n\ne", "c\n\nf", "\n\ng"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("stackRows = %q, want %q", got, want)
	}
}

// BenchmarkDrawLongTable draws a table like `sockets` with 1,000 sockets
// (ten columns of one line each) at no width (a pipe: tablewriter, the
// rows stacked), at 200 columns (fitted, then tablewriter), at 90 (some
// cells wrapped: a line between rows, not stacked) and at 80 (too narrow:
// as records).
func BenchmarkDrawLongTable(b *testing.B) {
	header := []string{"name", "fd", "family", "type", "state", "local", "remote", "sent", "received", "timeout"}
	var rows [][]string
	for i := range 1000 {
		rows = append(rows, []string{"s" + strconv.Itoa(i+1), strconv.Itoa(i + 3), "AF_INET", "SOCK_DGRAM", "unbound",
			"0.0.0.0:0", "", "0", "0", "none"})
	}
	for _, width := range []int{0, 200, 90, 80} {
		b.Run("width="+strconv.Itoa(width), func(b *testing.B) {
			var out bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				if err := renderTable(&out, header, rows, width); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
