package main

import (
	"fmt"
	"os"
	"regexp"
)

// wireRounds is how many transfers row 8's wire view times with the
// capture off and as many with it on, in turn (off, on, off, on, ...),
// one transfer a sample (go test -benchtime 1x): on a shared machine the
// load moves within seconds, and -count would run all the offs before
// all the ons.
const (
	wireRounds      = 8
	wireRoundsShort = 3
)

// roundSuffix is what go test adds to the name of a sub-benchmark run
// again under the same name ("off#01").
var roundSuffix = regexp.MustCompile(`#\d+$`)

// rowWire is row 8's wire view: BenchmarkWireTransfer's bulk transfer
// (wire bytes) with the capture off and on, in rounds, on over off.
func rowWire(c *config, wire int64) error {
	rounds := wireRounds
	if c.short {
		rounds = wireRoundsShort
	}
	os.Setenv("SOCKSHELL_WIRE_BENCH_ROUNDS", fmt.Sprint(rounds))
	defer os.Unsetenv("SOCKSHELL_WIRE_BENCH_ROUNDS")
	r, err := goBench("./commands", "^BenchmarkWireTransfer$", 1, "1x")
	if err != nil {
		return err
	}
	// The rounds' samples under one name each: off#01 is off's second.
	res := benchResult{}
	for name, units := range r {
		name = roundSuffix.ReplaceAllString(name, "")
		if res[name] == nil {
			res[name] = map[string]sample{}
		}
		for unit, s := range units {
			res[name][unit] = append(res[name][unit], s...)
		}
	}
	off, errOff := res.get("BenchmarkWireTransfer/off", "MB/s")
	on, errOn := res.get("BenchmarkWireTransfer/on", "MB/s")
	switch {
	case errOff != nil:
		return errOff
	case errOn != nil:
		// The benchmark skips "on" where capture cannot run (not root).
		skip("8", "wire view on a bulk transfer", "the capture could not start (needs root or CAP_NET_RAW): "+errOn.Error())
		return nil
	}
	note := fmt.Sprintf("%d transfers each, in turn", len(on))
	if d, err := res.get("BenchmarkWireTransfer/on", "dropped/op"); err == nil {
		note += fmt.Sprintf("; %.0f packets dropped by the kernel a transfer", d.median())
	}
	cpuOff, err1 := res.get("BenchmarkWireTransfer/off", "cpu-ns/op")
	cpuOn, err2 := res.get("BenchmarkWireTransfer/on", "cpu-ns/op")
	if err1 == nil && err2 == nil {
		note += fmt.Sprintf("; CPU a transfer %s off, %s on", seconds(cpuOff.median()*1e-9), seconds(cpuOn.median()*1e-9))
	}
	// Throughput: on over off, at least 1/1.15 (no more than 15% slower).
	compare("8", fmt.Sprintf("wire view on vs off, %s sendfile", size(wire)), off, on, featureSlowdown, throughput, note)
	figures[len(figures)-1].ours, figures[len(figures)-1].ref = throughput(on.median())+" (on)", throughput(off.median())+" (off)"
	return nil
}
