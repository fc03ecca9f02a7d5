package shell

import (
	"fmt"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// A table like `sockets` with many connections, wider than any terminal.
func wideSocketsTable() ([]string, [][]string) {
	header := []string{"name", "fd", "family", "type", "state", "local", "remote", "sent", "received", "timeout"}
	var rows [][]string
	for i := 1; i <= 4; i++ {
		rows = append(rows, []string{
			fmt.Sprintf("s%d", i), fmt.Sprint(i + 4), "AF_INET6", "SOCK_STREAM", "ESTABLISHED (peer closed)",
			fmt.Sprintf("[::ffff:127.0.0.1]:%d", 40000+i), "[2001:db8::1234:5678:9abc]:8080",
			fmt.Sprint(1 << (10 * i)), "1234567", "none",
		})
	}
	rows = append(rows, []string{"s9", "12", "AF_INET", "SOCK_DGRAM", "", "127.0.0.1:0", "", "0", "0", "30"})
	// One cell longer than any width, without a space, and one with wide characters.
	rows = append(rows, []string{"s10", "13", "AF_UNIX", "SOCK_STREAM", strings.Repeat("x", 130), "日本語のパス/日本語", "", "0", "0", "2.5"})
	return header, rows
}

// A table like a gopher menu: a few narrow columns and one long one.
func menuTable() ([]string, [][]string) {
	header := []string{"#", "type", "display", "selector", "host", "port"}
	rows := [][]string{
		{"1", "0", "About this gopherhole, and how the sockets tutorial was written for beginners", "/about.txt", "localhost", "7070"},
		{"2", "1", "Sockets", "/sockets/", "localhost", "7070"},
		{"3", "7", "Search the archive of every message posted to the list since 1992", "/cgi-bin/search?q=socket&max=100", "gopher.example.test", "70"},
	}
	return header, rows
}

// squash removes spaces: wrapping may drop the space it breaks at.
func squash(s string) string { return strings.ReplaceAll(s, " ", "") }

// cellsOfTable reads a rendered ASCII table back into rows of cells, joining
// the lines of a wrapped cell; the header is row 0.
func cellsOfTable(t *testing.T, out string) [][]string {
	t.Helper()
	var rows [][]string
	var block [][]string
	flush := func() {
		if block != nil {
			rows = append(rows, block[0])
			block = nil
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasPrefix(line, "+") {
			flush()
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) < 3 {
			t.Fatalf("not a table line: %q", line)
		}
		cells := parts[1 : len(parts)-1]
		if block == nil {
			block = [][]string{make([]string, len(cells))}
		}
		for i, c := range cells {
			block[0][i] += squash(c)
		}
	}
	flush()
	return rows
}

// cellsOfRecords reads records ("-[ row N of M ]---" and "key  value" lines)
// back into rows of cells, in header order.
func cellsOfRecords(t *testing.T, out string, header []string) [][]string {
	t.Helper()
	var rows [][]string
	cur := -1
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasPrefix(line, "-[ ") {
			rows = append(rows, make([]string, len(header)))
			cur = -1
			continue
		}
		if rows == nil {
			t.Fatalf("a line before the first record: %q", line)
		}
		key, val, _ := strings.Cut(line, "  ")
		if key != "" {
			cur++
			if cur >= len(header) || key != header[cur] {
				t.Fatalf("record line %q: want column %d of %q", line, cur, header)
			}
		}
		rows[len(rows)-1][cur] += squash(val)
	}
	return rows
}

// Issue 7 item 24: at 80, 60 and 40 columns every line fits, and every
// cell's text is there, in its row and column.
func TestTableFitsTheWidth(t *testing.T) {
	h, r := wideSocketsTable()
	testFit(t, h, r, "")
	h, r = menuTable()
	testFit(t, h, r, "+") // wide enough for a wrapped table at 80 and 60
}

func testFit(t *testing.T, header []string, rows [][]string, tableAt80 string) {
	t.Helper()
	full := render(t, header, rows, 0)
	if w := maxLineWidth(full); w <= 100 {
		t.Fatalf("the test table is only %d wide unfitted", w)
	}
	for _, width := range []int{80, 60, 40, 20, 12} {
		out := render(t, header, rows, width)
		if w := maxLineWidth(out); w > width {
			t.Errorf("width %d: a line is %d wide:\n%s", width, w, out)
		}
		if tableAt80 != "" && width >= 60 && !strings.HasPrefix(out, tableAt80) {
			t.Errorf("width %d: records, not a table:\n%s", width, out)
		}
		var got [][]string
		if strings.HasPrefix(out, "+") {
			got = cellsOfTable(t, out)
			if got[0] == nil || strings.Join(got[0], ",") != squash(strings.Join(header, ",")) {
				t.Errorf("width %d: header %q", width, got[0])
			}
			got = got[1:]
		} else {
			got = cellsOfRecords(t, out, header)
		}
		if len(got) != len(rows) {
			t.Fatalf("width %d: %d rows, want %d:\n%s", width, len(got), len(rows), out)
		}
		for i, r := range rows {
			for j, c := range r {
				if got[i][j] != squash(c) {
					t.Errorf("width %d: row %d column %s is %q, want %q", width, i+1, header[j], got[i][j], c)
				}
			}
		}
		t.Logf("width %d:\n%s", width, out)
	}
}

// A table that fits is printed as it always was; a pipe (width 0) gets the
// full table, however wide.
func TestTableThatFitsIsUnchanged(t *testing.T) {
	header := []string{"name", "port"}
	rows := [][]string{{"http", "80"}, {"gopher", "70"}}
	if a, b := render(t, header, rows, 0), render(t, header, rows, 80); a != b {
		t.Errorf("fitted %q, unfitted %q", b, a)
	}
	wh, wr := wideSocketsTable()
	for _, line := range strings.Split(render(t, wh, wr, 0), "\n") {
		if strings.Contains(line, "|") && strings.Count(line, "|") != len(wh)+1 {
			t.Errorf("unfitted table wraps: %q", line)
		}
	}
}

// The narrow columns keep their width; the wide ones give way.
func TestFitNarrowColumnsFirst(t *testing.T) {
	header, rows := wideSocketsTable()
	widths, ok := fitColumns(header, rows, 120)
	if !ok {
		t.Fatal("no table at 120 columns")
	}
	for i, h := range header[:4] { // name, fd, family, type
		nat := textWidth(h)
		for _, r := range rows {
			nat = max(nat, textWidth(r[i]))
		}
		if widths[i] != nat {
			t.Errorf("column %s: width %d, want its natural %d", h, widths[i], nat)
		}
	}
	total := tableOverhead(len(header))
	for _, w := range widths {
		total += w
	}
	if total != 120 {
		t.Errorf("the fitted table is %d wide, want all of 120", total)
	}
}

func maxLineWidth(s string) int {
	w := 0
	for _, l := range strings.Split(s, "\n") {
		w = max(w, twwidth.Width(l))
	}
	return w
}
