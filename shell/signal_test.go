package shell

import (
	"bytes"
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// Issue 7, item 31: Ctrl-C cancels the running command; a second Ctrl-C
// while that command still runs (stuck where no cancel reaches) leaves the
// shell with status 130. A real SIGINT, sent to this process.
func TestSecondInterruptLeavesAStuckCommand(t *testing.T) {
	exited := make(chan int, 1)
	exitProcess = func(code int) { exited <- code }
	defer func() { exitProcess = os.Exit }()
	started, release := make(chan struct{}), make(chan struct{})
	stuck := &Command{Name: "stuck", Run: func(c *Call) (any, error) {
		close(started)
		<-release // ignores its context
		return None, nil
	}}
	var out, errs bytes.Buffer
	s := NewSession(NewTable(stuck), &out, &errs)
	stop := s.handleSignals(nil)
	defer stop()
	ran := make(chan struct{})
	go func() { s.Exec(context.Background(), "stuck", ""); close(ran) }()
	defer func() { close(release); <-ran }()
	<-started
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	deadline := time.Now().Add(20 * time.Second)
	for !s.interruptedBefore() {
		if time.Now().After(deadline) {
			t.Fatal("the first SIGINT did not cancel the command")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case code := <-exited:
		t.Fatalf("the first Ctrl-C left the shell (status %d); it should only cancel", code)
	default:
	}
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-exited:
		if code != ExitInterrupt {
			t.Errorf("left with status %d, want %d", code, ExitInterrupt)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a second Ctrl-C did not leave the shell")
	}
}
