// The process's one subscription to the signals the shell handles.
//
// os/signal enables and disables each signal through one goroutine of the
// runtime locked to its own thread: every signal.Notify and signal.Stop of a
// signal is a round trip to that thread (a futex wake and a sleep each way).
// Three signals subscribed and unsubscribed at each run cost a start about
// a third of a millisecond, mostly waiting (issue 13, row 1). So the process
// subscribes once, the first time a run needs it, and keeps the
// subscription; each run adds and removes its own channel here, under a
// mutex. A signal that comes while no run listens does what it would have
// done without a subscription: the signal's own action (for SIGINT, SIGTERM
// and SIGHUP, the end of the process).
package shell

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

var procSignals struct {
	once sync.Once
	in   chan os.Signal // what signal.Notify sends to
	mu   sync.Mutex
	subs []chan<- os.Signal
	// reset: signals given back to their default action while nobody
	// listened (one that was ignored at the start stays ignored then, and
	// the process goes on); the next run subscribes to them again.
	reset []os.Signal
}

// notifySignals sends SIGINT, SIGTERM and SIGHUP to ch until stopSignals(ch):
// as signal.Notify does, without blocking (a full channel misses the
// signal). A SIGHUP that was ignored when the process first asked (nohup)
// stays ignored.
func notifySignals(ch chan<- os.Signal) {
	procSignals.once.Do(subscribeProcess)
	procSignals.mu.Lock()
	defer procSignals.mu.Unlock()
	if len(procSignals.reset) > 0 {
		signal.Notify(procSignals.in, procSignals.reset...)
		procSignals.reset = nil
	}
	procSignals.subs = append(procSignals.subs, ch)
}

// stopSignals stops sending signals to ch.
func stopSignals(ch chan<- os.Signal) {
	procSignals.mu.Lock()
	defer procSignals.mu.Unlock()
	for i, c := range procSignals.subs {
		if c == ch {
			procSignals.subs = append(procSignals.subs[:i:i], procSignals.subs[i+1:]...)
			return
		}
	}
}

// subscribeProcess subscribes the process, once, in one signal.Notify.
func subscribeProcess() {
	sigs := []os.Signal{os.Interrupt}
	for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		// nohup's ignored SIGHUP stays ignored: Notify would undo that.
		if !signal.Ignored(sig) {
			sigs = append(sigs, sig)
		}
	}
	in := make(chan os.Signal, 4)
	procSignals.in = in
	signal.Notify(in, sigs...)
	go forwardSignals(in)
}

// forwardSignals runs for the life of the process (as os/signal's own
// goroutine does; the tests' leak check knows it by this name).
func forwardSignals(in <-chan os.Signal) {
	for sig := range in {
		if forwardSignal(sig) {
			continue
		}
		// Nobody listens (the run that did has ended): the signal's own
		// action, as if the process had never subscribed.
		if n, ok := sig.(syscall.Signal); ok {
			syscall.Kill(os.Getpid(), n)
		}
	}
}

// forwardSignal sends sig to every channel subscribed and reports true;
// with none, it gives sig back its default action (the next run subscribes
// to it again) and reports false.
func forwardSignal(sig os.Signal) bool {
	procSignals.mu.Lock()
	defer procSignals.mu.Unlock()
	if len(procSignals.subs) == 0 {
		signal.Reset(sig)
		procSignals.reset = append(procSignals.reset, sig)
		return false
	}
	for _, c := range procSignals.subs {
		select {
		case c <- sig:
		default:
		}
	}
	return true
}
