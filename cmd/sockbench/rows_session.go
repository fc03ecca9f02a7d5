package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The budgets of row 8 ("the session's own features cost nearly
// nothing"). The watcher's: its prompt hook (start and stop, each time the
// prompt waits) within a millisecond with 1,000 sockets, a fifth of row
// 10's interactive 5 ms; a pass over 1,000 sockets within 1% of a core at
// the watcher's period (250 ms: 2.5 ms). The timeline's: `timeline --last
// 20` after 100,000 events within row 10's 5 ms, and the log's heap after
// them within 8 MB (it keeps the last 4096). The wire view and recording:
// at most 15% slower than without (a ratio of at least 1/1.15).
const (
	watchPromptBudget = 1e-3
	watchPassBudget   = 2.5e-3
	timelineBudget    = 5e-3
	timelineMemBudget = 8.0 // MB
	featureSlowdown   = 1 / 1.15
)

// rowFeatures is row 8: the notice watcher with 1,000 sockets, the wire
// view on a bulk transfer, the timeline after 100,000 events (Go
// benchmarks in ./commands), and a recorded script against the same
// script unrecorded (whole processes).
func rowFeatures(c *config) error {
	wire := c.bulk
	// BenchmarkWireTransfer's size, 1 GiB unless told (the benchmark
	// reads it from the environment, as a Go benchmark takes no flags).
	os.Setenv("SOCKSHELL_WIRE_BENCH_BYTES", fmt.Sprint(wire))
	defer os.Unsetenv("SOCKSHELL_WIRE_BENCH_BYTES")
	benchtime, count := c.benchtime, c.count
	r, err := goBench("./commands", "^(BenchmarkWatchPrompt|BenchmarkWatchPass|BenchmarkTimeline)$/^(1000|events=100000)$", count, benchtime)
	if err != nil {
		return err
	}
	res := benchResult(r)
	for _, b := range []struct {
		name, unit, what string
		budget           float64
	}{
		{"BenchmarkWatchPrompt/1000", "ns/op", "watcher: prompt hook with 1,000 sockets", watchPromptBudget},
		// A pass's cost is the CPU it takes (its wall time on a loaded
		// machine is mostly waiting for a core).
		{"BenchmarkWatchPass/1000", "cpu-ns/op", "watcher: CPU of one pass over 1,000 sockets", watchPassBudget},
		{"BenchmarkTimeline/events=100000", "ns/op", "timeline --last 20 after 100,000 events", timelineBudget},
	} {
		s, err := res.get(b.name, b.unit)
		if err != nil {
			return err
		}
		compare("8", b.what, scale(s, 1e-9), sample{b.budget}, 1, seconds, "")
		figures[len(figures)-1].ref = seconds(b.budget) + " (budget)"
	}
	if mem, err := res.get("BenchmarkTimeline/events=100000", "MB-retained"); err == nil {
		compare("8", "timeline: the log's heap after 100,000 events", mem, sample{timelineMemBudget}, 1,
			func(v float64) string { return fmt.Sprintf("%.2f MB", v) }, "the log keeps the last 4096 events")
	}

	if err := rowWire(c, wire); err != nil {
		return err
	}
	return rowRecording(c)
}

// rowRecording times one script with `record FILE` as its first line and
// the same script without (10,000 commands; 500 with -short).
//
// The row's figure is a user's usual case: `record FILE` makes a new file
// (without --force the shell refuses an existing one, and the run fails,
// so the figure cannot be of anything else). The last run's recording is
// removed before each run, outside the timed part. Replacing an existing
// recording (--force) is timed beside it, without a target: its rename
// over the old file also frees that file's blocks (1.4-1.6 ms for the
// 2.6 MB of 10,000 commands), which is the price of deleting a file, not
// of recording.
func rowRecording(c *config) error {
	n := 10000
	if c.short {
		n = 500
	}
	var body strings.Builder
	for i := 0; i < n/2; i++ {
		body.WriteString("servport http tcp\nservname 80 tcp\n")
	}
	plain, recorded := filepath.Join(c.tmp, "plain.sock"), filepath.Join(c.tmp, "recorded.sock")
	forced := filepath.Join(c.tmp, "forced.sock")
	rec, old := filepath.Join(c.tmp, "rec.jsonl"), filepath.Join(c.tmp, "old.jsonl")
	scripts := map[string]string{
		plain:    body.String(),
		recorded: fmt.Sprintf("record %s\n%s", rec, body.String()),
		forced:   fmt.Sprintf("record %s --force\n%s", old, body.String()),
	}
	for name, text := range scripts {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			return err
		}
	}
	t, err := c.timer.time([]proc{
		{name: "recorded", line: c.ss + " " + q(recorded), prepare: "rm -f " + q(rec)},
		{name: "plain", line: c.ss + " " + q(plain)},
		{name: "forced", line: c.ss + " " + q(forced)},
	})
	if err != nil {
		return err
	}
	st, err := os.Stat(rec)
	if err != nil {
		return fmt.Errorf("the recorded script left no recording: %v", err)
	}
	os.Remove(rec)
	os.Remove(old)
	compare("8", fmt.Sprintf("recording a %d-command script vs not", n/2*2), t["recorded"], t["plain"], featureSlowdown, seconds,
		fmt.Sprintf("recording %.1f MB, a new file each run", float64(st.Size())/1e6))
	floorLine("8", "recording over the last run's recording (--force) vs not", t["forced"], t["plain"],
		"not the row's figure: the rename over the old file also frees its blocks")
	return nil
}

// scale multiplies every value of s (a unit to seconds).
func scale(s sample, k float64) sample {
	out := make(sample, len(s))
	for i, v := range s {
		out[i] = v * k
	}
	return out
}
