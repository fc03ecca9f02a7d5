package main

// Ctrl-C outside the prompt: SIGINT during a blocking lookup in -c ends the
// run with KeyboardInterrupt and exit status 130.

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// TestInterruptExitStatus: SIGINT during a blocking -c lookup ends the run
// with KeyboardInterrupt on stderr and exit status 130, for every kind of
// lookup (a reverse lookup once waited out the resolver's 5 s try).
func TestInterruptExitStatus(t *testing.T) {
	bin := sockshellBinary(t)
	for _, lookup := range []string{"resolve nosuch.test", "resolve --all nosuch.test", "addrinfo nosuch.test 80",
		"hostbyaddr 192.0.2.1", "fqdn 192.0.2.1"} {
		t.Run(lookup, func(t *testing.T) { interruptLookup(t, bin, lookup) })
	}
}

func interruptLookup(t *testing.T, bin, lookup string) {
	bh, err := startBlackhole()
	if err != nil {
		t.Fatal(err)
	}
	defer bh.conn.Close()
	cmd := exec.Command(bin, "-c", fmt.Sprintf("set dns 127.0.0.1:%d; set timeout none; %s; servport http", bh.port(), lookup))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = nil
	wait := startReaped(t, cmd)
	if !bh.waitQuery(20 * time.Second) {
		t.Fatal("the lookup never reached the silent DNS server")
	}
	cmd.Process.Signal(syscall.SIGINT)
	werr, ended := wait(interruptGuard)
	if !ended {
		t.Fatalf("sockshell did not end within %v of SIGINT", interruptGuard)
	}
	var ee *exec.ExitError
	if !errors.As(werr, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130", werr)
	}
	if !regexp.MustCompile(`^-c:1:\d+: KeyboardInterrupt\n$`).MatchString(stderr.String()) {
		t.Errorf("stderr %q, want -c:1:COL: KeyboardInterrupt", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}
