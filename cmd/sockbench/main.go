// Command sockbench is issue 13's side-by-side benchmark: sockshell and the
// tools a user would pick instead (python3, getent, socat, nc, curl,
// gophernicus) on the same work, in one run on the same machine. Every
// figure is a ratio measured in that run: the reference's median time over
// sockshell's, so above 1 means sockshell is faster.
//
//	go run ./cmd/sockbench                 the full run (1 GiB transfers)
//	go run ./cmd/sockbench -short          small sizes, few runs (CI)
//	go run ./cmd/sockbench -rows 1,4       only some rows
//
// Whole processes are timed with hyperfine when it is installed (else by
// the harness's own repeated runs, and it says so); paths inside the shell
// with Go's benchmarks (go test -bench). A row whose reference tool is
// missing is skipped with the reason. It installs nothing, only talks to
// loopback, and never fails on a figure: its exit status says whether it
// could run, not whether sockshell won.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/sys/unix"
)

// config is the run's sizes and repetitions.
type config struct {
	short     bool
	runs      int    // runs per timed process
	bulk      int64  // bytes per bulk transfer (rows 4, 5)
	lines     int    // lines of the scripted-throughput row (2)
	churn     int    // connections of the churn row (3)
	benchtime string // go test -benchtime
	count     int    // go test -count
	ss        string // the sockshell binary
	tmp       string
	timer     *timer
	floors    benchResult // the table floors, measured once (floors.go)
}

// figure is one line of the table.
type figure struct {
	row    string
	what   string
	ours   string // sockshell's median, formatted
	ref    string // the reference's median, formatted ("" for a budget)
	ratio  float64
	lo, hi float64 // the ratio's spread (from the quartiles)
	target string  // where the issue says we must stand
	meets  bool
	floor  bool   // a floor beside a row (floors.go): a ratio, no target
	note   string // a skip's reason, or extra facts (allocations, RSS)
}

var figures []figure

func skip(row, what, why string) {
	figures = append(figures, figure{row: row, what: what, note: "skipped: " + why})
	fmt.Fprintf(os.Stderr, "sockbench: row %s %s skipped: %s\n", row, what, why)
}

// compare adds "ref over ours" from two samples of times (lower is better).
func compare(row, what string, ours, ref sample, target float64, unit func(float64) string, note string) {
	r := ref.median() / ours.median()
	f := figure{row: row, what: what, ours: unit(ours.median()), ref: unit(ref.median()),
		ratio: r, lo: ref.quantile(0.25) / ours.quantile(0.75), hi: ref.quantile(0.75) / ours.quantile(0.25),
		target: fmt.Sprintf("≥ %.3g×", target), meets: r >= target, note: note}
	figures = append(figures, f)
}

func seconds(v float64) string {
	switch {
	case v >= 1:
		return fmt.Sprintf("%.2f s", v)
	case v >= 1e-3:
		return fmt.Sprintf("%.2f ms", v*1e3)
	default:
		return fmt.Sprintf("%.1f µs", v*1e6)
	}
}

func main() {
	short := flag.Bool("short", false, "small sizes and few runs (the CI check that the benchmark works)")
	rows := flag.String("rows", "", "rows to run, with commas and ranges: 1,4 or 1-5 (default: all)")
	runs := flag.Int("runs", 0, "runs per timed process (default 10, 3 with -short)")
	ss := flag.String("sockshell", "", "the sockshell binary (default: built from ./cmd/sockshell)")
	bulk := flag.Int64("bulk", 0, "bytes per bulk transfer (default 1 GiB, 8 MiB with -short)")
	md := flag.Bool("markdown", false, "print the table as Markdown (for docs/performance.md)")
	flag.Parse()

	all := []struct {
		id  string
		run func(*config) error
	}{
		{"1", rowColdStart}, {"2", rowScripted}, {"3", rowChurn}, {"4", rowBulk},
		{"5", rowGopher}, {"6", rowTLS}, {"7", rowDNS}, {"8", rowFeatures},
		{"9", rowSocketLayer}, {"10", rowInteractive},
	}
	ids := make([]string, len(all))
	for i, r := range all {
		ids[i] = r.id
	}
	want, err := parseRows(*rows, ids)
	if err != nil {
		fatal(err)
	}
	tmp, err := os.MkdirTemp("", "sockbench-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(tmp)
	// gophernicus runs as nobody and must read the files served.
	os.Chmod(tmp, 0o755)

	c := &config{short: *short, runs: 10, bulk: 1 << 30, lines: 100000, churn: 10000,
		benchtime: "1s", count: 6, tmp: tmp}
	if c.short {
		c.runs, c.bulk, c.lines, c.churn, c.benchtime, c.count = 3, 8<<20, 2000, 300, "20x", 3
	}
	if *runs > 0 {
		c.runs = *runs
	}
	if *bulk > 0 {
		c.bulk = *bulk
	}
	c.timer = &timer{runs: c.runs, warmup: 1, tmp: tmp}
	if hf, err := exec.LookPath("hyperfine"); err == nil {
		c.timer.hyperfine = hf
	} else {
		fmt.Fprintln(os.Stderr, "sockbench: hyperfine is not installed (Debian: hyperfine); timing processes with the harness's own repeated runs")
	}
	c.ss = *ss
	if c.ss == "" {
		c.ss = filepath.Join(tmp, "sockshell")
		if out, err := exec.Command("go", "build", "-o", c.ss, "./cmd/sockshell").CombinedOutput(); err != nil {
			fatal(fmt.Errorf("building ./cmd/sockshell (run from the checkout's root): %v\n%s", err, out))
		}
	}

	failed := false
	for _, r := range all {
		if len(want) > 0 && !want[r.id] {
			continue
		}
		fmt.Fprintf(os.Stderr, "sockbench: row %s…\n", r.id)
		if err := r.run(c); err != nil {
			// A row that cannot run is an error of the harness (or of
			// sockshell), never a slow figure.
			fmt.Fprintf(os.Stderr, "sockbench: row %s: %v\n", r.id, err)
			figures = append(figures, figure{row: r.id, what: "(could not run)", note: "error: " + firstLine(err.Error())})
			failed = true
		}
	}
	printMachine(c)
	printTable(*md)
	if failed {
		os.Exit(1)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "sockbench:", err)
	os.Exit(1)
}

func printMachine(c *config) {
	var u unix.Utsname
	unix.Uname(&u)
	kernel := unix.ByteSliceToString(u.Release[:])
	timing := "hyperfine"
	if c.timer.hyperfine == "" {
		timing = "own repeated runs (hyperfine not installed)"
	}
	mode := "full"
	if c.short {
		mode = "short"
	}
	fmt.Printf("machine: %d cores, Linux %s, %s; %s run: %d runs a process (%s), go test -count %d -benchtime %s; bulk %s\n\n",
		runtime.NumCPU(), kernel, goVersion(), mode, c.runs, timing, c.count, c.benchtime, size(c.bulk))
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func printTable(md bool) {
	verdict := func(f figure) string {
		switch {
		case f.target == "":
			return ""
		case f.meets:
			return "meets"
		}
		return "MISSES"
	}
	ratio := func(f figure) string {
		if f.target == "" && !f.floor {
			return ""
		}
		return fmt.Sprintf("%.2f× (%.2f–%.2f)", f.ratio, f.lo, f.hi)
	}
	if md {
		fmt.Println("| row | what | sockshell | reference | ratio (spread) | target | | notes |")
		fmt.Println("|---|---|---|---|---|---|---|---|")
		for _, f := range figures {
			fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", f.row, f.what, f.ours, f.ref, ratio(f), f.target, verdict(f), f.note)
		}
		return
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "row\twhat\tsockshell\treference\tratio (spread)\ttarget\t\tnotes")
	for _, f := range figures {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.row, f.what, f.ours, f.ref, ratio(f), f.target, verdict(f), f.note)
	}
	w.Flush()
	fmt.Println("\nratio: the reference's median over sockshell's (time), or sockshell's over the reference's (throughput); above 1, sockshell is faster. Spread: from the quartiles of both.")
}

// have reports whether a tool is installed; a missing one skips its row.
// python3 is its interpreter itself, not a launcher in front of it (a
// pyenv shim is a shell script that would add its own start to python's).
func have(tool string, paths ...string) (string, bool) {
	if p, err := exec.LookPath(tool); err == nil {
		if tool == "python3" {
			if out, err := exec.Command(p, "-c", "import sys; print(sys.executable)").Output(); err == nil {
				if exe := strings.TrimSpace(string(out)); exe != "" {
					return exe, true
				}
			}
		}
		return p, true
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}
