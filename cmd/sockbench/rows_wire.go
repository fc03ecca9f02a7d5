package main

import (
	"fmt"
	"os"
)

// wireRounds is how many samples row 8's wire view takes with the capture
// off and as many with it on, in turn (off, on, off, on, ...): on a
// shared machine the load moves within seconds, and -count would run all
// the offs before all the ons. A sample is the mean of wireBenchtime
// transfers in a new session (after go test's first run of one, in
// another, which is not counted), as the row measured before: a
// session's first transfer with the wire on also grows its heap for the
// 65,536 packets it keeps.
const (
	wireRounds         = 4
	wireBenchtime      = "2x"
	wireRoundsShort    = 3
	wireBenchtimeShort = "1x"
)

// roundName is the name go test gives the round-th run (from 0) of a
// sub-benchmark run again under the same name: "off", "off#01", ...
func roundName(name string, round int) string {
	if round == 0 {
		return name
	}
	return fmt.Sprintf("%s#%02d", name, round)
}

// rowWire is row 8's wire view: BenchmarkWireTransfer's bulk transfer
// (wire bytes) with the capture off and on, in rounds. The figure is the
// median of each round's on over off (and its quartiles the spread): the
// two transfers of a round ran seconds apart, under the same load, where
// the medians of all the ons and all the offs each take the load of the
// whole run.
func rowWire(c *config, wire int64) error {
	rounds, benchtime := wireRounds, wireBenchtime
	if c.short {
		rounds, benchtime = wireRoundsShort, wireBenchtimeShort
	}
	os.Setenv("SOCKSHELL_WIRE_BENCH_ROUNDS", fmt.Sprint(rounds))
	defer os.Unsetenv("SOCKSHELL_WIRE_BENCH_ROUNDS")
	r, err := goBench("./commands", "^BenchmarkWireTransfer$", 1, benchtime)
	if err != nil {
		return err
	}
	res := benchResult(r)
	what := fmt.Sprintf("wire view on vs off, %s sendfile", size(wire))
	var off, on, ratios, cpuOff, cpuOn, dropped sample
	for i := 0; i < rounds; i++ {
		o, err := res.get(roundName("BenchmarkWireTransfer/off", i), "MB/s")
		if err != nil {
			return err
		}
		n, err := res.get(roundName("BenchmarkWireTransfer/on", i), "MB/s")
		if err != nil {
			// The benchmark skips "on" where capture cannot run (not root).
			skip("8", "wire view on a bulk transfer", "the capture could not start (needs root or CAP_NET_RAW): "+err.Error())
			return nil
		}
		off, on, ratios = append(off, o...), append(on, n...), append(ratios, n.median()/o.median())
		if s, err := res.get(roundName("BenchmarkWireTransfer/off", i), "cpu-ns/op"); err == nil {
			cpuOff = append(cpuOff, s...)
		}
		if s, err := res.get(roundName("BenchmarkWireTransfer/on", i), "cpu-ns/op"); err == nil {
			cpuOn = append(cpuOn, s...)
		}
		if s, err := res.get(roundName("BenchmarkWireTransfer/on", i), "dropped/op"); err == nil {
			dropped = append(dropped, s...)
		}
	}
	note := fmt.Sprintf("%d rounds of off then on (spread: the rounds' quartiles)", rounds)
	if len(dropped) > 0 {
		note += fmt.Sprintf("; %.0f packets dropped by the kernel a transfer", dropped.median())
	}
	if len(cpuOff) > 0 && len(cpuOn) > 0 {
		note += fmt.Sprintf("; CPU a transfer %s off, %s on", seconds(cpuOff.median()*1e-9), seconds(cpuOn.median()*1e-9))
	}
	// Throughput: on over off, at least 1/1.15 (no more than 15% slower).
	ratio := ratios.median()
	figures = append(figures, figure{row: "8", what: what,
		ours: throughput(on.median()) + " (on)", ref: throughput(off.median()) + " (off)",
		ratio: ratio, lo: ratios.quantile(0.25), hi: ratios.quantile(0.75),
		target: fmt.Sprintf("≥ %.3g×", featureSlowdown), meets: ratio >= featureSlowdown, note: note})
	return nil
}
