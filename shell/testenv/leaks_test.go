package testenv

import (
	"os"
	"strings"
	"testing"
	"time"
)

// runFunc is a TestingM whose Run is a function.
type runFunc func() int

func (f runFunc) Run() int { return f() }

// TestCheckedFindsLeaks: the leak check fails tests that passed but left a
// goroutine running or a descriptor open, names what leaked, passes tests
// that cleaned up, and keeps a failing status as it is.
func TestCheckedFindsLeaks(t *testing.T) {
	check := func(run func() int) (int, string) {
		var report Buffer
		code := checked{m: runFunc(run), bound: 200 * time.Millisecond, report: &report}.Run()
		return code, report.String()
	}
	stop := make(chan struct{})
	code, report := check(func() int {
		go parkedUntil(stop)
		return 0
	})
	close(stop)
	if code != 1 || !strings.Contains(report, "testenv.parkedUntil") {
		t.Errorf("a goroutine left running: status %d, report %q", code, report)
	}
	var f *os.File
	code, report = check(func() int {
		f, _ = os.Open("/dev/null")
		return 0
	})
	f.Close()
	if code != 1 || !strings.Contains(report, "→ /dev/null") {
		t.Errorf("a descriptor left open: status %d, report %q", code, report)
	}
	code, report = check(func() int {
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { parkedUntil(stop); close(done) }()
		f, _ := os.Open("/dev/null")
		f.Close()
		close(stop)
		<-done
		return 0
	})
	if code != 0 || report != "" {
		t.Errorf("nothing left behind: status %d, report %q", code, report)
	}
	if code, _ = check(func() int { return 3 }); code != 3 {
		t.Errorf("failing tests: status %d, want theirs (3)", code)
	}
}

// parkedUntil blocks until stop is closed: a goroutine with a name.
func parkedUntil(stop <-chan struct{}) { <-stop }
