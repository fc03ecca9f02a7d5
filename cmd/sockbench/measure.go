package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sample is a set of repeated measurements of one thing, in seconds (or in
// the unit a benchmark reports).
type sample []float64

func (s sample) quantile(q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	v := slices.Clone(s)
	slices.Sort(v)
	pos := q * float64(len(v)-1)
	lo := int(pos)
	if lo+1 >= len(v) {
		return v[lo]
	}
	f := pos - float64(lo)
	return v[lo]*(1-f) + v[lo+1]*f
}

func (s sample) median() float64 { return s.quantile(0.5) }

// proc is one whole process to time: a command line, run by the shell
// when shell is set (it has a redirection), or split into words. prepare,
// if set, is a command line (split into words) run before every run,
// warm-ups included, outside the timed part (hyperfine's --prepare): what
// a run needs set up again, such as a file it must create being gone.
type proc struct {
	name    string
	line    string
	shell   bool
	prepare string
}

// timer times whole processes: hyperfine when it is installed, else its
// own repeated runs.
type timer struct {
	hyperfine string // path, or "" for the fallback
	runs      int
	warmup    int
	tmp       string
}

// time runs each command runs times (after warmup runs) and returns the
// wall-clock seconds of each run, by command.
func (t *timer) time(cmds []proc) (map[string]sample, error) {
	if t.hyperfine != "" {
		return t.viaHyperfine(cmds)
	}
	out := map[string]sample{}
	for _, c := range cmds {
		for i := 0; i < t.warmup+t.runs; i++ {
			if c.prepare != "" {
				if _, _, err := runOnce(proc{name: c.name, line: c.prepare}); err != nil {
					return nil, fmt.Errorf("%s: prepare: %v", c.name, err)
				}
			}
			d, _, err := runOnce(c)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", c.name, err)
			}
			if i >= t.warmup {
				out[c.name] = append(out[c.name], d.Seconds())
			}
		}
	}
	return out, nil
}

func (t *timer) viaHyperfine(cmds []proc) (map[string]sample, error) {
	js := filepath.Join(t.tmp, "hyperfine.json")
	args := []string{"--style", "none", "--runs", strconv.Itoa(t.runs),
		"--warmup", strconv.Itoa(t.warmup), "--export-json", js}
	// A row is timed uniformly: without a shell when no command needs one
	// (-N, so the shell's own start is not in the figure), else through
	// the shell, whose start hyperfine measures and subtracts.
	noShell, prepare := true, false
	for _, c := range cmds {
		if c.shell {
			noShell = false
		}
		if c.prepare != "" {
			prepare = true
		}
	}
	if noShell {
		args = append(args, "-N")
	}
	// hyperfine takes one --prepare for all commands or one each, in order;
	// a command without one gets `true`.
	for _, c := range cmds {
		if !prepare {
			break
		}
		p := c.prepare
		if p == "" {
			p = "true"
		}
		args = append(args, "--prepare", p)
	}
	for _, c := range cmds {
		args = append(args, "--command-name", c.name)
	}
	for _, c := range cmds {
		args = append(args, c.line)
	}
	cmd := exec.Command(t.hyperfine, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("hyperfine: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	raw, err := os.ReadFile(js)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Results []struct {
			Command string    `json:"command"`
			Times   []float64 `json:"times"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	out := map[string]sample{}
	for _, r := range doc.Results {
		out[r.Command] = r.Times
	}
	return out, nil
}

// runOnce runs c once, its output discarded, and returns its wall time and
// its peak resident set size in KiB.
func runOnce(c proc) (time.Duration, int64, error) {
	var cmd *exec.Cmd
	if c.shell {
		cmd = exec.Command("sh", "-c", c.line)
	} else {
		w := splitWords(c.line)
		cmd = exec.Command(w[0], w[1:]...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, 0, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	return d, rss, nil
}

// splitWords splits a command line into words as the shell would for the
// simple lines used here: spaces separate, '…' and "…" quote.
func splitWords(line string) []string {
	var words []string
	var cur strings.Builder
	in := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// benchLine matches one line of `go test -bench` output.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

// goBench runs Go benchmarks matching pattern in pkg, count times each, and
// returns every metric by benchmark name and unit ("ns/op", "MB/s",
// "allocs/op", custom ones).
func goBench(pkg, pattern string, count int, benchtime string) (map[string]map[string]sample, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", pattern, "-benchmem",
		"-count", strconv.Itoa(count), "-benchtime", benchtime, pkg)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test %s: %v: %s%s", pkg, err, out.String(), stderr.String())
	}
	res := map[string]map[string]sample{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		if res[m[1]] == nil {
			res[m[1]] = map[string]sample{}
		}
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			res[m[1]][f[i+1]] = append(res[m[1]][f[i+1]], v)
		}
	}
	return res, nil
}
