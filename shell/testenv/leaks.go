// This file is every test package's leak check: once its tests have
// passed, no goroutine of theirs is still running (go.uber.org/goleak) and
// the process holds no descriptor it did not hold before them.

package testenv

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.uber.org/goleak"
)

// TestingM is what a TestMain has (*testing.M), and what testscript.Main
// takes.
type TestingM interface{ Run() int }

// LeakBound is how long a leak may take to go away by itself after the
// tests (a goroutine on its way out, a descriptor a closing goroutine is
// about to close): a guard, never a timing assertion. Nothing waits for it
// when nothing leaked.
const LeakBound = 10 * time.Second

// Main is a test package's TestMain: it runs the tests, then, when they
// passed, checks for leaked goroutines and descriptors (Checked), tells
// the leaks to report (the test binary's standard error, which its
// TestMain owns), and exits. Each test package's main_test.go calls it,
// giving it that standard error.
func Main(m TestingM, report io.Writer, opts ...goleak.Option) {
	os.Exit(Checked(m, report, opts...).Run())
}

// Checked wraps m so that its Run, after tests that passed, fails (exit
// status 1, the leaks told to report) when a goroutine the tests started is
// still running or a descriptor they opened is still open. opts are
// goleak's, for a goroutine that truly belongs to a library's
// process-lifetime pool (say which and why where it is passed).
func Checked(m TestingM, report io.Writer, opts ...goleak.Option) TestingM {
	// The shell's one subscription to SIGINT, SIGTERM and SIGHUP lives as
	// long as the process, as os/signal's own goroutine does
	// (shell/signals.go).
	opts = append(opts, goleak.IgnoreAnyFunction("github.com/sockshell/sockshell/shell.forwardSignals"))
	return checked{m: m, opts: opts, bound: LeakBound, report: report}
}

type checked struct {
	m      TestingM
	opts   []goleak.Option
	bound  time.Duration // LeakBound
	report io.Writer     // where leaks are told
}

func (c checked) Run() int {
	startPoller()
	before := OpenFDs()
	code := c.m.Run()
	if code != 0 {
		return code
	}
	if err := waitNoGoroutines(c.opts, c.bound); err != nil {
		fmt.Fprintf(c.report, "testenv: goroutines still running after the tests passed:\n%v\n", err)
		return 1
	}
	// The testing package leaves a -cpuprofile (and -trace) file open
	// after the run: it is the go command's, not a test's.
	for _, f := range testOutputFiles() {
		before[-1-len(before)] = f
	}
	if extra := waitNoNewFDs(before, c.bound); len(extra) > 0 {
		fmt.Fprintf(c.report, "testenv: descriptors still open after the tests passed (fd → what):\n%s\n", strings.Join(extra, "\n"))
		return 1
	}
	return 0
}

// waitNoGoroutines asks goleak until it finds none or bound passes.
func waitNoGoroutines(opts []goleak.Option, bound time.Duration) error {
	deadline := time.Now().Add(bound)
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitNoNewFDs returns the descriptors open now that were not open (to the
// same thing) before, once none are or bound passes.
func waitNoNewFDs(before map[int]string, bound time.Duration) []string {
	deadline := time.Now().Add(bound)
	for {
		extra := NewFDs(before)
		if len(extra) == 0 || time.Now().After(deadline) {
			return extra
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// OpenFDs returns the process's open descriptors, each with what
// /proc/self/fd says it is ("socket:[123]", a path, "pipe:[45]"). The
// descriptor that reads the directory is not among them.
func OpenFDs() map[int]string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	fds := map[int]string{}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		link, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil { // closed since: it was the directory's own
			continue
		}
		if strings.HasPrefix(link, "/proc/") && strings.HasSuffix(link, "/fd") {
			continue
		}
		fds[fd] = link
	}
	return fds
}

// startPoller makes the Go runtime open its network poller (an epoll
// instance and its wake-up eventfd, kept for the process's life) now, by
// opening and closing a pipe, so that a count taken after it holds them.
func startPoller() {
	r, w, err := os.Pipe()
	if err == nil {
		r.Close()
		w.Close()
	}
}

// testOutputFiles are the files the testing package writes for the go
// command (-test.cpuprofile and the like), as absolute paths.
func testOutputFiles() []string {
	dir := ""
	if f := flag.Lookup("test.outputdir"); f != nil {
		dir = f.Value.String()
	}
	var out []string
	for _, name := range []string{"cpuprofile", "memprofile", "blockprofile", "mutexprofile", "trace", "coverprofile"} {
		f := flag.Lookup("test." + name)
		if f == nil || f.Value.String() == "" {
			continue
		}
		path := f.Value.String()
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		if abs, err := filepath.Abs(path); err == nil {
			out = append(out, abs)
		}
	}
	return out
}

// NewFDs returns, sorted, "fd → what" for each descriptor open now that
// was not open to the same thing in before. A negative key of before
// holds a path that may be open on any descriptor (the go command's
// output files).
func NewFDs(before map[int]string) []string {
	var extra []int
	now := OpenFDs()
	anywhere := map[string]bool{}
	for fd, link := range before {
		if fd < 0 {
			anywhere[link] = true
		}
	}
	for fd, link := range now {
		if before[fd] != link && !anywhere[link] {
			extra = append(extra, fd)
		}
	}
	sort.Ints(extra)
	out := make([]string, len(extra))
	for i, fd := range extra {
		out[i] = fmt.Sprintf("%d → %s", fd, now[fd])
	}
	return out
}
