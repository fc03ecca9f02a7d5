// This file holds gethostname.

package netdb

import (
	"os"
	"strings"
)

// Hostname answers socket.gethostname(): the kernel's node name.
func Hostname() (string, error) {
	if b, err := os.ReadFile("/proc/sys/kernel/hostname"); err == nil {
		return strings.TrimRight(string(b), "\n"), nil
	}
	h, err := os.Hostname()
	if err != nil {
		return "", &Error{Class: ClassOS, Msg: err.Error(), Err: err}
	}
	return h, nil
}
