package main

// Issue 7, item 31: a FIFO never hangs the binary; a real SIGINT ends a
// command waiting on one, with KeyboardInterrupt and status 130.

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fifoBound bounds each wait of these tests ("fail if it hangs").
const fifoBound = 20 * time.Second

// holdsOpen reports whether process pid has path open.
func holdsOpen(pid int, path string) bool {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && l == path {
			return true
		}
	}
	return false
}

// interruptWhen runs the binary with -c cmds, sends SIGINT once ready()
// holds, and returns its exit error and standard error.
func interruptWhen(t *testing.T, cmds string, ready func(pid int) bool) (string, error) {
	t.Helper()
	cmd := exec.Command(sockshellBinary(t), "-c", cmds)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(fifoBound)
	for !ready(cmd.Process.Pid) {
		select {
		case err := <-done:
			t.Fatalf("sockshell ended before the SIGINT: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			t.Fatalf("sockshell never got to the FIFO\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		return stderr.String(), err
	case <-time.After(fifoBound):
		cmd.Process.Kill()
		<-done
		t.Fatalf("sockshell did not end after SIGINT\n%s", stderr.String())
		return "", nil
	}
}

func wantInterrupted(t *testing.T, what string, err error, stderr string) {
	t.Helper()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("%s: exit %v, want status 130", what, err)
	}
	if !regexp.MustCompile(`(?m)^(-c:\d+:\d+: )?KeyboardInterrupt$`).MatchString(stderr) {
		t.Errorf("%s: stderr %q, want KeyboardInterrupt", what, stderr)
	}
}

func TestSIGINTEndsSourceOfFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	stderr, err := interruptWhen(t, "source "+fifo+"; servport http", func(pid int) bool { return holdsOpen(pid, fifo) })
	wantInterrupted(t, "source FIFO", err, stderr)
}

// recv --out into a FIFO whose reader never reads: the pipe fills, the
// write waits, and SIGINT ends it.
func TestSIGINTEndsRecvOutToFullFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	rfd, err := unix.Open(fifo, unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(rfd)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // the shell's own chargen server listens there
	// Full: sockshell holds the FIFO open and a probe write of ours finds
	// no room (pages are not always filled, so a byte count would not
	// tell), so sockshell's next write waits.
	wfd, err := unix.Open(fifo, unix.O_WRONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(wfd)
	full := func(pid int) bool {
		if !holdsOpen(pid, fifo) {
			return false
		}
		for range 8192 {
			if _, err := unix.Write(wfd, []byte{'.'}); err == unix.EAGAIN {
				return true
			}
		}
		return false
	}
	stderr, err := interruptWhen(t, fmt.Sprintf("serve chargen 127.0.0.1:%d; connect 127.0.0.1 %d; recv s1 --out %s", port, port, fifo), full)
	wantInterrupted(t, "recv --out FIFO", err, stderr)
}

// A script file is opened as source opens one: a directory is refused
// naming it, as Python names it; a FIFO is read as its writer writes.
func TestScriptFileKinds(t *testing.T) {
	dir := t.TempDir()
	o := runBinary(t, "", dir)
	if want := fmt.Sprintf("sockshell: IsADirectoryError: [Errno 21] Is a directory: '%s'\n", dir); o.code != 1 || o.stderr != want {
		t.Errorf("script DIR: status %d, stderr %q; want 1, %q", o.code, o.stderr, want)
	}
	fifo := filepath.Join(dir, "script.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // waits for the shell to open it
		if err == nil {
			w.Write([]byte("servport http\nsource " + fifo + "2\n"))
			w.Close()
		}
	}()
	fifo2 := fifo + "2"
	if err := syscall.Mkfifo(fifo2, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		w, err := os.OpenFile(fifo2, os.O_WRONLY, 0)
		if err == nil {
			w.Write([]byte("servport https\n"))
			w.Close()
		}
	}()
	if o := runBinary(t, "", fifo); o.code != 0 || o.stdout != "80\n443\n" {
		t.Errorf("script FIFO sourcing a FIFO: status %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
	}
}
