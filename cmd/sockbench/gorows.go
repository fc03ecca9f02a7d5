package main

import "fmt"

// bench runs one package's benchmarks and returns a metric's sample.
type benchResult map[string]map[string]sample

func (r benchResult) get(name, unit string) (sample, error) {
	s := r[name][unit]
	if len(s) == 0 {
		return nil, fmt.Errorf("no %s figure for %s", unit, name)
	}
	return s, nil
}

func throughput(v float64) string { return fmt.Sprintf("%.0f MB/s", v) }

// rowSocketLayer is row 9: the socket layer beside net.Conn, and the bytes
// repr printer, both Go benchmarks of the same run.
func rowSocketLayer(c *config) error {
	r, err := goBench("./commands/bsd", "^(BenchmarkRecvLoopback|BenchmarkSendRecvEvents)$", c.count, c.benchtime)
	if err != nil {
		return err
	}
	res := benchResult(r)
	ours, err := res.get("BenchmarkRecvLoopback/bsd", "MB/s")
	if err != nil {
		return err
	}
	ref, err := res.get("BenchmarkRecvLoopback/net", "MB/s")
	if err != nil {
		return err
	}
	allocs, _ := res.get("BenchmarkRecvLoopback/bsd", "allocs/op")
	// Throughput: higher is better, so ours over the reference.
	compare("9", "receive throughput vs net.Conn (4 MiB a op)", ref, ours, 1, throughput,
		fmt.Sprintf("%.0f allocs per 4 MiB op", allocs.median()))
	figures[len(figures)-1].ours, figures[len(figures)-1].ref = throughput(ours.median()), throughput(ref.median())
	if a, err := res.get("BenchmarkSendRecvEvents/none", "allocs/op"); err == nil {
		figures = append(figures, figure{row: "9", what: "send+recv of 64 B, explain off",
			ours: fmt.Sprintf("%.0f allocs/op", a.median()), note: "target: no allocation per call beyond the result"})
	}

	// BenchmarkBytesRepr times the printer as a result is printed: appended
	// into a buffer reused from call to call. BenchmarkPrintBytes is the
	// whole path of a 64 KiB bytes result (Session.Exec, the python format,
	// the terminal); its allocations are the dispatcher's, none for the text.
	r, err = goBench("./shell", "^(BenchmarkBytesRepr|BenchmarkPrintBytes)$", c.count, c.benchtime)
	if err != nil {
		return err
	}
	repr, err := benchResult(r).get("BenchmarkBytesRepr", "MB/s")
	if err != nil {
		return err
	}
	compare("9", "bytes repr of 64 KiB vs 1 GB/s", sample{1000}, repr, 1, throughput, "")
	figures[len(figures)-1].ours, figures[len(figures)-1].ref = throughput(repr.median()), "1000 MB/s (budget)"
	if b, err := benchResult(r).get("BenchmarkPrintBytes/bytes", "B/op"); err == nil {
		a, _ := benchResult(r).get("BenchmarkPrintBytes/bytes", "allocs/op")
		figures = append(figures, figure{row: "9", what: "printing a 64 KiB recv result",
			ours: fmt.Sprintf("%.0f B/op, %.0f allocs/op", b.median(), a.median()), note: "the repr's 188 KB goes into a reused buffer"})
	}
	return nil
}

// rowInteractive is row 10: Go benchmarks of the interactive paths against
// their budgets.
func rowInteractive(c *config) error {
	r, err := goBench("./commands", "^BenchmarkInteractive", c.count, c.benchtime)
	if err != nil {
		return err
	}
	res := benchResult(r)
	for _, b := range []struct {
		name, what, unit string
		budget, scale    float64 // budget in seconds; scale: unit to seconds
	}{
		{"BenchmarkInteractiveCompleteServices", "Tab over the services database", "ns/op", 5e-3, 1e-9},
		{"BenchmarkInteractiveCompleteSockets", "Tab over 1,000 sockets", "ns/op", 5e-3, 1e-9},
		{"BenchmarkInteractiveSocketsTable", "sockets table of 1,000 sockets", "ns/op", 5e-3, 1e-9},
		{"BenchmarkInteractiveHelp", "help", "ns/op", 5e-3, 1e-9},
		{"BenchmarkInteractiveCtrlC", "Ctrl-C to the prompt in a blocking recv", "ms-to-prompt", 50e-3, 1e-3},
	} {
		s, err := res.get(b.name, b.unit)
		if err != nil {
			return err
		}
		secs := make(sample, len(s))
		for i, v := range s {
			secs[i] = v * b.scale
		}
		compare("10", b.what, secs, sample{b.budget}, 1, seconds, "")
		figures[len(figures)-1].ref = seconds(b.budget) + " (budget)"
		if b.name == "BenchmarkInteractiveSocketsTable" {
			if err := addTablesFloor(c, "10", "BenchmarkTableFloorSockets", 1,
				"a table of 1,000 rows like it", sample{b.budget}, "the budget"); err != nil {
				return err
			}
			figures[len(figures)-1].ref = seconds(b.budget) + " (budget)"
		}
	}
	return nil
}
