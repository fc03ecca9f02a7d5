// Package lazyctx gives a context with a deadline that costs nothing
// until something waits on it.
//
// A command bounds its call by the session's timeout; most calls (a name
// in /etc/hosts, a service, an address literal) return in microseconds
// and never wait, and context.WithDeadline made them pay for what only a
// wait needs: a timer started and stopped, the child registered with its
// parent and removed again, a channel (seven allocations a call). A
// context of this package answers Deadline and Err from the deadline
// itself and makes the real one (context.WithDeadline on the same parent,
// the same instant) the first time it is asked for Done or for a value: a
// select, an AfterFunc, a child context, a Dialer. From then on every
// method is the real context's, so it ends as context.WithDeadline's
// would: at the deadline, when its parent ends, or when it is cancelled.
//
// One difference: while nothing waits on it, it is not registered with
// its parent, so when both its deadline has passed and its parent has
// ended before anything asks, Err says the parent's error (Canceled, for
// a Ctrl-C), where context.WithDeadline's says whichever came first.
package lazyctx

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// ctx is a deadline context made when first waited on.
type ctx struct {
	parent   context.Context
	deadline time.Time
	timed    bool // a deadline, else only cancellation (context.WithCancel)

	real      atomic.Pointer[context.Context] // made on demand; then everything is its
	mu        sync.Mutex                      // making real, cancelling
	stop      context.CancelFunc              // real's
	cancelled bool                            // the CancelFunc was called
	// cancelledFirst: the CancelFunc was called before the real context
	// was made, while neither the deadline nor the parent had ended, so
	// Canceled is the context's end, whatever comes after.
	cancelledFirst bool
}

// WithDeadline is context.WithDeadline(parent, d), made when first waited
// on: Deadline and Err alone do not make it.
func WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	c := &ctx{parent: parent, deadline: d, timed: true}
	return c, c.cancel
}

// WithTimeout is WithDeadline(parent, time.Now().Add(d)).
func WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return WithDeadline(parent, time.Now().Add(d))
}

// WithCancel is context.WithCancel(parent), made when first waited on.
func WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	c := &ctx{parent: parent}
	return c, c.cancel
}

// made returns the real context, making it first if needed.
func (c *ctx) made() context.Context {
	if r := c.real.Load(); r != nil {
		return *r
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.real.Load(); r != nil {
		return *r
	}
	var r context.Context
	switch {
	case c.cancelledFirst:
		// Ended by its CancelFunc, before the deadline or the parent: a
		// context.WithDeadline says Canceled from then on. Values still
		// come from the parent.
		r, c.stop = context.WithCancel(context.WithoutCancel(c.parent))
	case c.timed:
		r, c.stop = context.WithDeadline(c.parent, c.deadline)
	default:
		r, c.stop = context.WithCancel(c.parent)
	}
	if c.cancelled {
		c.stop()
	}
	c.real.Store(&r)
	return r
}

func (c *ctx) cancel() {
	c.mu.Lock()
	if !c.cancelled && c.real.Load() == nil && c.parent.Err() == nil &&
		(!c.timed || time.Now().Before(c.deadline)) {
		c.cancelledFirst = true
	}
	c.cancelled = true
	stop := c.stop
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Deadline is the earlier of the deadline and the parent's, as
// context.WithDeadline's.
func (c *ctx) Deadline() (time.Time, bool) {
	pd, ok := c.parent.Deadline()
	if !c.timed || (ok && pd.Before(c.deadline)) {
		return pd, ok
	}
	return c.deadline, true
}

// Done makes the real context and is its Done.
func (c *ctx) Done() <-chan struct{} { return c.made().Done() }

// Err is what the real context's Err would say now: the parent's error
// once it ended (a timerCtx takes it when its parent is cancelled),
// Canceled after the CancelFunc, DeadlineExceeded from the deadline on.
// An ended context is made real first, so that Done, Cause and Err agree
// from then on.
func (c *ctx) Err() error {
	if r := c.real.Load(); r != nil {
		return (*r).Err()
	}
	c.mu.Lock()
	cancelled := c.cancelled
	c.mu.Unlock()
	if cancelled || c.parent.Err() != nil || (c.timed && !time.Now().Before(c.deadline)) {
		return c.made().Err()
	}
	return nil
}

// Value makes the real context and asks it: context.Cause and the
// children a context.WithCancel hangs on it look themselves up by value.
func (c *ctx) Value(key any) any { return c.made().Value(key) }

func (c *ctx) String() string {
	if c.timed {
		return "lazyctx.WithDeadline"
	}
	return "lazyctx.WithCancel"
}
