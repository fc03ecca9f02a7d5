package shell

import (
	"fmt"
	"io"
	"strconv"
	"testing"
)

// The floors of issue 13's table rows: what tablewriter alone costs to
// draw the tables those rows print, by the cheapest path the shell has to
// it (a kept table, stacked rows, the shell's renderer). sockbench prints
// them beside the rows (row 10's sockets table, row 7's answer tables):
// a row whose budget is under its floor cannot be met while tablewriter
// draws its tables.

// BenchmarkTableFloorSockets draws a table of 1,000 rows shaped like the
// sockets table of 1,000 connected sockets (its ten columns, cells of
// the widths such a table has).
func BenchmarkTableFloorSockets(b *testing.B) {
	header := []string{"name", "fd", "family", "type", "state", "local", "remote", "sent", "received", "timeout"}
	rows := make([][]string, 1000)
	for i := range rows {
		n := strconv.Itoa(i + 1)
		rows[i] = []string{"s" + n, strconv.Itoa(i + 5), "AF_INET", "SOCK_STREAM", "ESTABLISHED",
			fmt.Sprintf("127.0.0.1:%d", 40000+i), "127.0.0.1:8080", "0", "0", "30"}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := drawTable(io.Discard, header, rows, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTableFloorAnswer draws the one-row table a `dns` query of one
// A record prints.
func BenchmarkTableFloorAnswer(b *testing.B) {
	header := []string{"section", "name", "ttl", "class", "type", "data"}
	rows := [][]string{{"answer", "h1.bench.test.", "0", "IN", "A", "192.0.2.1"}}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		rows[0][2] = strconv.Itoa(n % 100)
		if err := drawTable(io.Discard, header, rows, false); err != nil {
			b.Fatal(err)
		}
	}
}
