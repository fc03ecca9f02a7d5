package shell

import (
	"context"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkRecordedCommand: one command with and without a recording
// under way (the recording's cost: a command's record collected, then
// encoded and written by the writer goroutine). cpu-ns/op is the process's
// CPU time (user and system, the collector's and the writer's included) a
// command: on a shared machine it moves less than the wall time.
// path-cpu-ns/op is the CPU time of the command's own thread (the loop is
// locked to it): what the command's path costs, without the writer's
// work beside it; it moves least of the three with the machine's load.
func BenchmarkRecordedCommand(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run("record="+name, func(b *testing.B) {
			s, out, errs := recordSession(b)
			if on {
				if err := s.StartRecording(filepath.Join(b.TempDir(), "r.jsonl"), false); err != nil {
					b.Fatal(err)
				}
			}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0, path0 := benchCPU(), threadCPU()
			for b.Loop() {
				out.Reset()
				errs.Reset()
				s.Exec(context.Background(), "say hello world", "")
			}
			b.ReportMetric(float64(benchCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(threadCPU()-path0)/float64(b.N), "path-cpu-ns/op")
		})
	}
}

// threadCPU is the calling thread's CPU time so far, in nanoseconds.
func threadCPU() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return ts.Nano()
}

// benchCPU is the process's CPU time so far, in nanoseconds.
func benchCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkRecordEncode: the writer's work for one step's record, without
// the file: the row's two commands' records (servport, servname), encoded
// from their facts into the writer's buffer.
func BenchmarkRecordEncode(b *testing.B) {
	start := time.Now()
	e := newRecEncoder(start, 0)
	facts := []*cmdFacts{
		{name: "servport", line: "servport http tcp", dur: 8 * time.Microsecond, result: "int",
			python: []string{"socket.getservbyname('http', 'tcp')"}},
		{name: "servname", line: "servname 80 tcp", dur: 6 * time.Microsecond, result: "str",
			python: []string{"socket.getservbyport(80, 'tcp')"}},
	}
	outs := [][]byte{[]byte("80\n"), []byte("'http'\n")}
	n := 0
	for b.Loop() {
		if len(e.buf) > 1<<20 {
			e.buf = e.buf[:0]
		}
		n++
		f := facts[n%2]
		f.end = start.Add(time.Duration(n) * 11 * time.Microsecond)
		e.step(&recItem{kind: itemStep, facts: f, step: n}, outs[n%2], []byte{})
	}
	if e.err != nil {
		b.Fatal(e.err)
	}
}
