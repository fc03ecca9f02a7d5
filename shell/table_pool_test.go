package shell

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// randomTable is a table of random shape: 1 to 6 columns, 0 to 8 rows,
// cells empty, short, long, wide (CJK) or of several lines.
func randomTable(r *rand.Rand) (header []string, rows [][]string) {
	words := []string{"", "a", "AF_INET", "SOCK_STREAM", "('127.0.0.1', 80)", "日本語", "x y z", "line one\nline two",
		strings.Repeat("w", 40), " padded ", "|", "+-+", "tab\there"}
	cols := 1 + r.IntN(6)
	for range cols {
		header = append(header, words[1+r.IntN(len(words)-1)])
	}
	for range r.IntN(9) {
		row := make([]string, cols)
		for i := range row {
			row[i] = words[r.IntN(len(words))]
		}
		rows = append(rows, row)
	}
	return header, rows
}

// freshTable draws with a new tablewriter table: the reference.
func freshTable(t *testing.T, header []string, rows [][]string, between bool) string {
	t.Helper()
	var fresh bytes.Buffer
	ft := newTablewriter(&fresh, between)
	ft.Header(header)
	for _, row := range rows {
		if err := ft.Append(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := ft.Render(); err != nil {
		t.Fatal(err)
	}
	return fresh.String()
}

// A reused table draws exactly what a new one draws: nothing of one table
// (its widths, its rows, its style) is left in the next.
func TestReusedTableDrawsAsANewOne(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	for n := range 600 {
		header, rows := randomTable(r)
		between := r.IntN(3) == 0
		var again bytes.Buffer
		if err := drawTable(&again, header, rows, between); err != nil {
			t.Fatal(err)
		}
		if want := freshTable(t, header, rows, between); again.String() != want {
			t.Fatalf("table %d (%q, %q, between rows %v): a reused table drew\n%s\na new one\n%s", n, header, rows, between, again.String(), want)
		}
	}
}

// Tables drawn at the same time from several goroutines each get a table
// of their own.
func TestTablesDrawnConcurrently(t *testing.T) {
	header := []string{"name", "value"}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows := [][]string{{"g", strings.Repeat("v", g+1)}}
			var want bytes.Buffer
			ft := newTablewriter(&want, false)
			ft.Header(header)
			_ = ft.Append(rows[0])
			_ = ft.Render()
			for range 200 {
				var got bytes.Buffer
				if err := drawTable(&got, header, rows, false); err != nil || got.String() != want.String() {
					errs <- got.String()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a table drawn beside others came out as\n%s", e)
	}
}

// The addrinfo table of localhost 80, drawn by a kept tablewriter table
// (a cell changed each time).
func BenchmarkDrawSmallTable(b *testing.B) {
	header := []string{"family", "type", "proto", "canonname", "sockaddr"}
	rows := [][]string{{"AF_INET", "SOCK_STREAM", "6", "", "('127.0.0.1', 80)"},
		{"AF_INET", "SOCK_DGRAM", "17", "", "('127.0.0.1', 80)"}, {"AF_INET", "SOCK_RAW", "0", "", "('127.0.0.1', 80)"}}
	var out bytes.Buffer
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		rows[0][3] = strconv.Itoa(n)
		out.Reset()
		if err := drawTable(&out, header, rows, false); err != nil {
			b.Fatal(err)
		}
	}
}
