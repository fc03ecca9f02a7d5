package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTimerPrepares: a run whose command fails when what it makes is
// already there (mkdir) succeeds every time only if the prepare step
// removes it before each run, warm-ups included: through hyperfine's
// --prepare when hyperfine is installed, and through the timer's own runs.
// Row 8 times recording into a new file this way.
func TestTimerPrepares(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "made")
	mkdir := proc{name: "mkdir", line: "mkdir " + q(dir), prepare: "rm -rf " + q(dir)}
	other := proc{name: "true", line: "true"}
	timers := []*timer{{runs: 3, warmup: 1, tmp: t.TempDir()}}
	if hf, err := exec.LookPath("hyperfine"); err == nil {
		timers = append(timers, &timer{hyperfine: hf, runs: 3, warmup: 1, tmp: t.TempDir()})
	} else {
		t.Log("hyperfine is not installed (Debian: hyperfine): only the timer's own runs")
	}
	for _, tm := range timers {
		got, err := tm.time([]proc{mkdir, other})
		if err != nil {
			t.Fatalf("hyperfine %q: %v", tm.hyperfine, err)
		}
		if len(got["mkdir"]) != 3 || len(got["true"]) != 3 {
			t.Fatalf("hyperfine %q: %d and %d runs, want 3 each", tm.hyperfine, len(got["mkdir"]), len(got["true"]))
		}
		// Without the prepare step the second run fails: the test can fail.
		bare := mkdir
		bare.prepare = ""
		if _, err := tm.time([]proc{bare}); err == nil {
			t.Fatalf("hyperfine %q: mkdir of an existing directory did not fail", tm.hyperfine)
		}
	}
}
