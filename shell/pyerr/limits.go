// This file holds the hints for errnos that say the process or the system
// ran out of descriptors, with the limit read when the error is shown.

package pyerr

import (
	"fmt"
	"syscall"
)

// LimitHint is the hint for EMFILE and ENFILE, "" for any other errno.
// EMFILE: every descriptor below the process's RLIMIT_NOFILE is in use (the
// kernel gives the lowest free one, and there is none under the limit).
// The limit is the one in force now: the Go runtime raises the soft limit
// it was started with to the hard one, so that is the figure `ulimit -n`
// had to set.
func LimitHint(e syscall.Errno) string {
	switch e {
	case syscall.EMFILE:
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return "every file descriptor this process may have (RLIMIT_NOFILE, `ulimit -n`) is in use: close a socket (`sockets` lists them) and try again"
		}
		return fmt.Sprintf("this process may have %d file descriptors open at once (RLIMIT_NOFILE, set by `ulimit -n` before it started) and all %d are in use: close a socket (`sockets` lists them) and try again", lim.Cur, lim.Cur)
	case syscall.ENFILE:
		return "the whole system's table of open files is full (its limit is /proc/sys/fs/file-max): close sockets or files, here or in other programs, and try again"
	}
	return ""
}
