package shell

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
)

// BenchmarkRecordedCommand: one command with and without a recording
// under way (the recording's cost: its records encoded, buffered and
// written at a flush). cpu-ns/op is the process's CPU time (user and
// system, the collector's included) a command: on a shared machine it
// moves less than the wall time.
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
			cpu0 := benchCPU()
			for b.Loop() {
				out.Reset()
				errs.Reset()
				s.Exec(context.Background(), "say hello world", "")
			}
			b.ReportMetric(float64(benchCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// benchCPU is the process's CPU time so far, in nanoseconds.
func benchCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
