package main

// Issue 14: fromfd 0 / fromfd 1 when the shell's standard input and output
// are a socket (inetd or socat EXEC style). The socket made from them is a
// dup of the same open file description; O_NONBLOCK set on it was set on
// the shell's stdin too, and its next read failed (EAGAIN), ending the run.

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestFromFDOfStdioSocket(t *testing.T) {
	for _, fd := range []string{"0", "1"} {
		t.Run("fromfd "+fd, func(t *testing.T) {
			pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			ours := os.NewFile(uintptr(pair[0]), "ours")
			theirs := os.NewFile(uintptr(pair[1]), "stdio")
			defer ours.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, sockshellBinary(t))
			cmd.Env = append(filteredEnv(), "NO_COLOR=1", "HOME="+t.TempDir())
			cmd.Stdin, cmd.Stdout = theirs, theirs
			var errb strings.Builder
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			theirs.Close()
			ours.SetDeadline(time.Now().Add(20 * time.Second)) // a hang guard, not a timing check
			r := bufio.NewReader(ours)
			say := func(line string) { ours.WriteString(line + "\n") }
			expect := func(want string) string {
				t.Helper()
				var got strings.Builder
				for !strings.Contains(got.String(), want) {
					line, err := r.ReadString('\n')
					got.WriteString(line)
					if err != nil {
						t.Fatalf("waiting for %q: %v; read %q; stderr %q", want, err, got.String(), errb.String())
					}
				}
				return got.String()
			}
			say("fromfd " + fd)
			out := expect("<socket")
			if !strings.Contains(out, "family=AF_UNIX") || strings.Contains(out, "invalid IP") {
				t.Errorf("fromfd %s: %q", fd, out)
			}
			// The shell reads its next line (it failed here), and the
			// socket made from its stdio works: a send reaches us.
			say("servport http tcp")
			expect("80")
			say("send s1 hello-from-s1")
			expect("hello-from-s1")
			say("close s1")
			say("servport gopher tcp")
			expect("70")
			say("exit 3")
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 3 {
				t.Errorf("exit: %v; stderr %q", err, errb.String())
			}
		})
	}
}
