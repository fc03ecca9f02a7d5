// The process's one subscription to the signals the shell handles.
//
// os/signal enables and disables each signal through one goroutine of the
// runtime locked to its own thread: every signal.Notify and signal.Stop of a
// signal is a round trip to that thread (a futex wake and a sleep each way).
// Three signals subscribed and unsubscribed at each run cost a start about
// a third of a millisecond of CPU, and more of waiting (issue 13, row 1).
// So the process subscribes once, the first time a run needs it, and keeps
// the subscription; each run adds and removes its handler here, under a
// mutex, and the handlers run on the one goroutine that receives the
// signals (a run starts none of its own). A signal that comes while no run
// listens does what it would have done without a subscription: the
// signal's own action (for SIGINT, SIGTERM and SIGHUP, the end of the
// process; for one ignored from the start, nothing).
//
// A run that reads its lines without waiting (-c, a script file) adds its
// handler without subscribing the process: the subscription is made when
// something appears that a signal must stop or save (armSignals): a
// command that can wait asks its context whether it is cancelled
// (signalCtx), a recording starts, a write makes a temporary file. Until
// then a signal does what it does to a process that never subscribed,
// which is what it did before the run began: a one-shot lookup (`-c
// 'servport http tcp'`) never pays the subscription's round trips.
package shell

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/sockshell/sockshell/shell/fileio"
)

var procSignals struct {
	once sync.Once
	in   chan os.Signal // what signal.Notify sends to
	mu   sync.Mutex
	subs []*sigSub
	// reset: signals given back to their default action while nobody
	// listened (one that was ignored at the start stays ignored then, and
	// the process goes on); the next run subscribes to them again.
	reset []os.Signal
	// armed: the process is subscribed to every signal the shell handles
	// (none is waiting in reset); armSignals' fast path.
	armed atomic.Bool
}

// sigSub is one run's subscription.
type sigSub struct{ handle func(os.Signal) }

// notifySignals calls handle with each SIGINT, SIGTERM and SIGHUP until
// stopSignals, on the goroutine that receives them (handle must not wait
// long: the next signal waits for it). A SIGHUP that was ignored when the
// process first asked (nohup) stays ignored.
func notifySignals(handle func(os.Signal)) *sigSub {
	sub := addSignalHandler(handle)
	armSignals()
	return sub
}

// addSignalHandler adds a run's handler without subscribing the process:
// it gets the signals once something calls armSignals.
func addSignalHandler(handle func(os.Signal)) *sigSub {
	sub := &sigSub{handle}
	procSignals.mu.Lock()
	defer procSignals.mu.Unlock()
	procSignals.subs = append(procSignals.subs, sub)
	return sub
}

// armSignals subscribes the process to SIGINT, SIGTERM and SIGHUP, once,
// and again to any given back to its default action while nobody
// listened. Once armed, a call is one atomic load.
func armSignals() {
	if procSignals.armed.Load() {
		return
	}
	procSignals.once.Do(subscribeProcess)
	procSignals.mu.Lock()
	defer procSignals.mu.Unlock()
	if len(procSignals.reset) > 0 {
		signal.Notify(procSignals.in, procSignals.reset...)
		procSignals.reset = nil
	}
	procSignals.armed.Store(true)
}

func init() {
	// A write's temporary file must be removed by SIGTERM and SIGHUP
	// (handleSignals): making one arms the signals.
	fileio.OnTemp = armSignals
}

// signalCtx is a command's context (Call.Ctx). A command that can wait
// asks it whether it is cancelled (Done, or Err between two tries, or a
// context made from it), and a wait is what Ctrl-C must be able to stop:
// the first ask arms the signals.
type signalCtx struct{ context.Context }

func (c signalCtx) Done() <-chan struct{} {
	armSignals()
	return c.Context.Done()
}

func (c signalCtx) Err() error {
	armSignals()
	return c.Context.Err()
}

// stopSignals ends the subscription: its handler is called no more (once
// a call under way, if any, returns).
func stopSignals(sub *sigSub) {
	procSignals.mu.Lock()
	defer procSignals.mu.Unlock()
	for i, c := range procSignals.subs {
		if c == sub {
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

// forwardSignal calls every subscribed handler with sig and reports true;
// with none, it gives sig back its default action (the next run subscribes
// to it again) and reports false.
func forwardSignal(sig os.Signal) bool {
	procSignals.mu.Lock()
	if len(procSignals.subs) == 0 {
		signal.Reset(sig)
		procSignals.reset = append(procSignals.reset, sig)
		procSignals.armed.Store(false)
		procSignals.mu.Unlock()
		return false
	}
	subs := slices.Clone(procSignals.subs)
	procSignals.mu.Unlock()
	for _, sub := range subs {
		sub.handle(sig) // outside the lock: a handler may end a run
	}
	return true
}
