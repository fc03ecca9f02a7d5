package commands

import "golang.org/x/sys/unix"

// processCPU is the CPU time the process has used so far, in ns.
func processCPU() int64 {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
