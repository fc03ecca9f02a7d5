package main

// SIGTERM and SIGHUP during a write (issue 14, Files): the shell ends at
// once with status 128+N, as the signal's default would, and the
// temporary file of the write under way is removed, not left beside its
// target (shell/loop.go, shell/fileio/temps.go).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

func TestSignalDuringRecvOutLeavesNoTempFile(t *testing.T) {
	bin := sockshellBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			skipIfIgnored(t, sig)
			// A peer that sends the first bytes and then nothing.
			ln := testenv.Listen(t, "tcp")
			quiet := make(chan struct{})
			defer close(quiet)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				c.Write([]byte("first"))
				select {
				case <-quiet:
				case <-time.After(waitLimit):
				}
			}()
			dir := t.TempDir()
			cmd := exec.Command(bin, "--no-history", "-c",
				fmt.Sprintf("set timeout none; connect 127.0.0.1 %d; recv s1 --out %s", testenv.Port(ln.Addr()), filepath.Join(dir, "out")))
			cmd.Env = append(filteredEnv(), "HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir())
			wait := startReaped(t, cmd)
			// The first bytes are in the temporary file.
			for deadline := time.Now().Add(waitLimit); ; time.Sleep(5 * time.Millisecond) {
				if names := testenv.DirNames(t, dir); len(names) == 1 {
					if st, err := os.Stat(filepath.Join(dir, names[0])); err == nil && st.Size() == 5 {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("no temporary file of 5 bytes in %s: %v", dir, testenv.DirNames(t, dir))
				}
			}
			cmd.Process.Signal(sig)
			if _, ended := wait(waitLimit); !ended {
				t.Fatalf("sockshell did not end after %v", sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != 128+int(sig) {
				t.Errorf("exit status %d, want %d", code, 128+int(sig))
			}
			if names := testenv.DirNames(t, dir); len(names) != 0 {
				t.Errorf("%v left %v behind", sig, names)
			}
		})
	}
}

// TestNohupKeepsSIGHUPIgnored: under nohup (SIGHUP ignored from the
// start) the shell does not install its SIGHUP handler, so a hangup
// changes nothing: the transfer goes on and is saved whole.
func TestNohupKeepsSIGHUPIgnored(t *testing.T) {
	bin := sockshellBinary(t)
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Skip("no nohup (coreutils)")
	}
	ln := testenv.Listen(t, "tcp")
	more := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("first"))
		select {
		case <-more:
			c.Write([]byte(" and the rest"))
		case <-time.After(waitLimit):
		}
	}()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cmd := exec.Command(nohup, bin, "--no-history", "-c",
		fmt.Sprintf("set timeout none; connect 127.0.0.1 %d; recv s1 --out %s", testenv.Port(ln.Addr()), out))
	cmd.Env = append(filteredEnv(), "HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(5 * time.Millisecond) {
		if names := testenv.DirNames(t, dir); len(names) == 1 {
			if st, err := os.Stat(filepath.Join(dir, names[0])); err == nil && st.Size() == 5 {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			t.Fatalf("no temporary file of 5 bytes in %s", dir)
		}
	}
	cmd.Process.Signal(syscall.SIGHUP)
	close(more)
	select {
	case <-done:
	case <-time.After(waitLimit):
		cmd.Process.Kill()
		<-done
		t.Fatal("sockshell did not end when the peer closed")
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status %d after SIGHUP under nohup, want 0", code)
	}
	testenv.WantFile(t, out, "first and the rest")
}
