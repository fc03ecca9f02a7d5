package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
)

// Row 7's exchange floor: cmd/sockbench/dnsfloor asks dnsmasq the row's
// questions with the very bytes the dns command sends and reads each
// reply, and does nothing else (no parse beyond the ID, no table, no
// output): the round trips themselves, dnsmasq's time and the kernel's.
// It runs twice in the row's hyperfine run: with a socket a query, as the
// dns command and dig -f each make one, and with one socket for all (what
// a socket a query costs is the difference). Under the row go the two
// floors against dig -f's whole run, and the row's floor: the answer
// tables drawn by tablewriter alone (floors.go) plus the round trips, the
// least row 7 can cost while each answer is drawn as a table; against dig
// -f, and against sockshell's run (how far above its floor it is). The
// row's script also runs with `set format python` first: the same
// queries, each answer printed as a Python list and no table drawn, so
// the row shows what is ours beside what is the tables'.

// dnsFloorPackage is the floor's main package, from the checkout's root.
const dnsFloorPackage = "./cmd/sockbench/dnsfloor"

// The names of the floor's two runs among the row's timings, and of the
// row's script run with `set format python` (no table drawn).
const (
	dnsFloorEach = "round trips, a socket each"
	dnsFloorOne  = "round trips, one socket"
	dnsNoTables  = "sockshell dns, set format python"
)

// dnsFloorProcs builds the floor into the run's temporary directory and
// checks that it runs (every reply came, and was the reply to its query);
// it returns the floor's two runs, to time beside the row's commands.
func dnsFloorProcs(c *config, server string, queries int) ([]proc, error) {
	bin := filepath.Join(c.tmp, "dns-floor")
	if out, err := exec.Command("go", "build", "-o", bin, dnsFloorPackage).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building %s (run from the checkout's root): %v\n%s", dnsFloorPackage, err, out)
	}
	args := fmt.Sprintf("%s %d %d", server, queries, dnsNames)
	procs := []proc{
		{name: dnsFloorEach, line: q(bin) + " -socket each " + args},
		{name: dnsFloorOne, line: q(bin) + " -socket one " + args},
	}
	for _, p := range procs {
		if _, _, err := runOnce(p); err != nil {
			return nil, fmt.Errorf("row 7's floor (%s): %v", p.line, err)
		}
	}
	return procs, nil
}

// dnsFloorLines puts the exchange floors and the row's floor under row 7.
// t is the row's timings by name; tables is the answer tables' floor, in
// seconds for the row's queries.
func dnsFloorLines(t map[string]sample, queries int, tables sample) {
	dig, ok := t["dig -f"]
	each, okEach := t[dnsFloorEach]
	if !ok || !okEach {
		return
	}
	floorLine("7", fmt.Sprintf("floor: the %d round trips alone, a socket each, vs dig -f's whole run", queries), each, dig,
		"cmd/sockbench/dnsfloor: the dns command's query bytes, the reply's ID checked, nothing printed")
	if one, ok := t[dnsFloorOne]; ok {
		floorLine("7", fmt.Sprintf("floor: the %d round trips alone, one socket, vs dig -f's whole run", queries), one, dig,
			"a socket a query (as dns and dig make) costs the difference from the line above")
	}
	if py, ok := t[dnsNoTables]; ok {
		floorLine("7", fmt.Sprintf("%d DNS queries without the tables (set format python), vs dig -f", queries), py, dig,
			"not the row: the same script, each answer printed as a Python list, no table drawn")
	}
	if len(tables) == 0 {
		return
	}
	both := sumQuartiles(tables, each)
	floorLine("7", "floor: the tables + the round trips (a socket each), vs dig -f's whole run", both, dig,
		"the least the row can cost while tablewriter draws each answer (row's target ≥ 1×)")
	if ss, ok := t["sockshell dns"]; ok {
		floorLine("7", "floor: the tables + the round trips, vs sockshell dns", both, ss,
			"above 1: sockshell's run is that many times the floor's")
	}
}

// sumQuartiles is the sum of two independent measurements, as a sample
// whose first quartile, median and third quartile are the sums of theirs
// (the two are measured apart, so no run of one goes with a run of the
// other).
func sumQuartiles(a, b sample) sample {
	q1 := a.quantile(0.25) + b.quantile(0.25)
	m := a.median() + b.median()
	q3 := a.quantile(0.75) + b.quantile(0.75)
	return sample{q1, q1, m, q3, q3}
}
