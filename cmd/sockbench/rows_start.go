package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
)

// Row 1's floor: cmd/sockbench/floor, a program that links what sockshell
// must link to answer `-c 'servport http tcp'` as Python would (cgo through
// net, so libc and runtime/cgo's start; tablewriter, the design card's
// table library, and its initialisers) and only prints 80. It is built as
// sockshell is and timed in the same hyperfine run; its lines are the
// floor's, without a target: where the floor's own ratio is under the
// row's target, no change to what sockshell does at a start can meet it.

// floorPackage is the floor's main package, from the checkout's root.
const floorPackage = "./cmd/sockbench/floor"

// buildStartFloor builds the floor into the run's temporary directory.
func buildStartFloor(c *config) (string, error) {
	bin := filepath.Join(c.tmp, "start-floor")
	if out, err := exec.Command("go", "build", "-o", bin, floorPackage).CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s (run from the checkout's root): %v\n%s", floorPackage, err, out)
	}
	return bin, nil
}

// startFloorLines puts the floor's lines under row 1: the floor against
// each reference timed, and against sockshell (how far above its floor
// sockshell starts). t is the row's timings, by command name.
func startFloorLines(t map[string]sample) {
	floor, ok := t["floor"]
	if !ok {
		return
	}
	const what = "floor: cgo+tablewriter, prints 80, vs "
	for _, ref := range []struct{ name, note string }{
		{"python3", "not sockshell: the least a start can cost (row's target ≥ 30×)"},
		{"getent", "not sockshell: the least a start can cost (row's target ≥ 0.5×)"},
		{"sockshell", "above 1: sockshell's start is that many times the floor's"},
	} {
		if s, ok := t[ref.name]; ok {
			floorLine("1", what+ref.name, floor, s, ref.note)
		}
	}
}
