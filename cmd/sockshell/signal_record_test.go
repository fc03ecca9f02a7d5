package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// TestSignalKeepsRecordedSteps: a recording under way when SIGTERM or
// SIGHUP ends the shell keeps every step that had finished: the file is
// put in place (no temporary file is left), whole JSON lines from the
// header on, without the end record (the recording did not end cleanly).
// The signal comes while a command blocks, right after the steps before it
// finished (the peer accepts the connection the command after them
// makes), so what they wrote is still waiting to be flushed.
func TestSignalKeepsRecordedSteps(t *testing.T) {
	bin := sockshellBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			skipIfIgnored(t, sig)
			ln := testenv.Listen(t, "tcp")
			dir := t.TempDir()
			file := filepath.Join(dir, "r.jsonl")
			finished := []string{"servport http tcp", "servname 53 udp", "socket udp", "bind s1 127.0.0.1 0", "servport https tcp", "set timeout none"}
			line := strings.Join(finished, "; ") + fmt.Sprintf("; connect 127.0.0.1 %d; recv s2 10", testenv.Port(ln.Addr()))
			cmd := exec.Command(bin, "--no-history", "--record", file, "-c", line)
			cmd.Env = append(filteredEnv(), "HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir())
			wait := startReaped(t, cmd)
			accepted := make(chan error, 1)
			go func() {
				c, err := ln.Accept()
				if err == nil {
					t.Cleanup(func() { c.Close() })
				}
				accepted <- err
			}()
			select {
			case err := <-accepted:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(waitLimit):
				t.Fatal("the shell never connected")
			}
			cmd.Process.Signal(sig)
			if _, ended := wait(waitLimit); !ended {
				t.Fatalf("sockshell did not end after %v", sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != 128+int(sig) {
				t.Errorf("exit status %d, want %d", code, 128+int(sig))
			}
			if names := testenv.DirNames(t, dir); len(names) != 1 || names[0] != "r.jsonl" {
				t.Fatalf("the directory holds %v, want the recording alone", names)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(string(b), "\n") {
				t.Errorf("the recording ends in a cut line: %q", b[max(0, len(b)-80):])
			}
			recs := recordLines(t, file)
			if recs[0]["type"] != "header" {
				t.Errorf("first record %v, want the header", recs[0])
			}
			got := commandLines(recs)
			if len(got) < len(finished) || strings.Join(got[:len(finished)], "; ") != strings.Join(finished, "; ") {
				t.Errorf("recorded %q, want every finished step: %q", got, finished)
			}
			if len(got) > len(finished)+1 {
				t.Errorf("recorded %q: the blocked recv is not a finished step", got)
			}
			if last := recs[len(recs)-1]; last["type"] == "end" {
				t.Errorf("an end record after %v: %v", sig, last)
			}
		})
	}
}
