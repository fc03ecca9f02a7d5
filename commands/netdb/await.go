// This file holds await, which makes every lookup cancellable: the C
// library's calls cannot be interrupted, and Go's resolver does not watch
// its context while it waits for a UDP answer (a PTR query to a silent
// server waits out its whole per-try timeout), so each call runs in its own
// goroutine and the caller leaves as soon as its context ends; except a
// getaddrinfo answered from local files alone (local.go), which cannot wait.

package netdb

import (
	"context"
	"fmt"
	"net/netip"
)

// await runs a blocking lookup in its own goroutine and returns as soon as
// ctx ends; the call itself finishes in the background (bounded by the
// resolver's own timeouts), as in Go's net package.
func await[T any](ctx context.Context, what string, f func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, fmt.Errorf("%s: %w", what, ctx.Err())
	}
}

// awaitUnlessLocal is await, except for a lookup the caller knows never
// leaves the machine (local.go): that one runs on the caller's goroutine,
// since it returns at once whatever happens.
func awaitUnlessLocal[T any](ctx context.Context, local bool, what string, f func() (T, error)) (T, error) {
	if !local {
		return await(ctx, what, f)
	}
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return f()
}

// cancellable wraps a backend so that each of its calls returns as soon as
// the context ends, whatever the backend does inside.
type cancellable struct{ b backend }

func (c cancellable) getaddrinfo(ctx context.Context, host, port *string, h addrHints) ([]AddrInfo, error) {
	return await(ctx, "getaddrinfo", func() ([]AddrInfo, error) { return c.b.getaddrinfo(ctx, host, port, h) })
}

func (c cancellable) gethostbyname(ctx context.Context, name string) (hostent, error) {
	return await(ctx, "gethostbyname", func() (hostent, error) { return c.b.gethostbyname(ctx, name) })
}

func (c cancellable) gethostbyaddr(ctx context.Context, addr netip.Addr) (hostent, error) {
	return await(ctx, "gethostbyaddr", func() (hostent, error) { return c.b.gethostbyaddr(ctx, addr) })
}
