package shell

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// The process subscribes once (signals.go); every run subscribed at the
// time gets each signal, a run after one that ended too. Real SIGINTs, sent
// to this process: if a subscription were missing, the signal's default
// action would end the test binary.
func TestSignalsReachEveryRunSubscribed(t *testing.T) {
	for round := 1; round <= 2; round++ {
		a, b := make(chan os.Signal, 1), make(chan os.Signal, 1)
		send := func(ch chan os.Signal) func(os.Signal) {
			return func(sig os.Signal) {
				select {
				case ch <- sig:
				default:
				}
			}
		}
		subA, subB := notifySignals(send(a)), notifySignals(send(b))
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		for _, ch := range []chan os.Signal{a, b} {
			select {
			case sig := <-ch:
				if sig != os.Interrupt {
					t.Errorf("round %d: got %v, want SIGINT", round, sig)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("round %d: a subscribed run did not get the SIGINT", round)
			}
		}
		stopSignals(subA)
		stopSignals(subB)
	}
}

// signalChildEnv makes the test below, run again as a child process, be
// that child.
const signalChildEnv = "SOCKSHELL_TEST_SIGNAL_CHILD"

// After the run ends, nothing listens: a SIGINT does what it does to a
// process that never subscribed (it ends it, by that signal), as when each
// run stopped its own subscription. The child runs a session, then sends
// itself SIGINT; if the signal were swallowed, it would exit 0.
func TestSignalWithNoRunEndsTheProcess(t *testing.T) {
	if os.Getenv(signalChildEnv) == "1" {
		s := NewSession(NewTable(), io.Discard, io.Discard)
		if rc := s.RunString("", false); rc != 0 {
			os.Exit(3)
		}
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		time.Sleep(20 * time.Second) // a guard: the signal ends the process long before
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalWithNoRunEndsTheProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), signalChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the child was not ended by its SIGINT: %v\n%s", err, out)
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("the child ended with %v, want killed by SIGINT\n%s", err, out)
	}
}
