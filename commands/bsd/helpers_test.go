package bsd

import (
	"context"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/pyerr"
	"golang.org/x/sys/unix"
)

var (
	lo4 = netip.MustParseAddr("127.0.0.1")
	lo6 = netip.MustParseAddr("::1")
)

// open makes a socket closed at the end of the test.
func open(t *testing.T, family, sotype int) *Socket {
	t.Helper()
	s, err := New(family, sotype, nil)
	if err != nil {
		t.Fatalf("New(%s, %s): %v", FamilyName(family), TypeName(sotype), err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// listen makes a listening TCP socket on loopback and returns it and its port.
func listen(t *testing.T, family, backlog int) (*Socket, int) {
	t.Helper()
	l := open(t, family, unix.SOCK_STREAM)
	ip := lo4
	if family == unix.AF_INET6 {
		ip = lo6
	}
	if err := l.Bind(ip, 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(backlog); err != nil {
		t.Fatal(err)
	}
	name, err := l.SockName()
	if err != nil {
		t.Fatal(err)
	}
	return l, int(name.Port())
}

// pair returns a connected client and the accepted server side.
func pair(t *testing.T, family int) (client, server *Socket) {
	t.Helper()
	l, port := listen(t, family, 8)
	ip := lo4
	if family == unix.AF_INET6 {
		ip = lo6
	}
	client = open(t, family, unix.SOCK_STREAM)
	if err := client.Connect(ctxT(t), ip, port); err != nil {
		t.Fatal(err)
	}
	server, _, err := l.Accept(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return client, server
}

// ctxT is a context that ends with the test (a guard against hangs).
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitParked waits (bounded) until a goroutine whose stack holds fn (a
// method such as "(*Socket).Accept") sleeps in the runtime poller: its
// state is "IO wait", the state of a goroutine parked on a descriptor
// that is not ready. Then the call has really blocked, and a test may
// act on a blocked call (cancel it, close its socket), not on one that
// has not started yet.
func waitParked(t *testing.T, fn string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(header, "[IO wait") && strings.Contains(g, "/commands/bsd."+fn+"(") &&
				strings.Contains(g, "internal/poll.runtime_pollWait") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no goroutine in %s sleeps in the poller; goroutines:\n%s", fn, buf[:n])
		}
		time.Sleep(time.Millisecond)
	}
}

// blocked runs call in a goroutine, waits until it sleeps in the poller
// inside fn, runs then (a cancel, a close) and returns call's error.
func blocked(t *testing.T, fn string, call func() error, then func()) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- call() }()
	waitParked(t, fn)
	then()
	select {
	case err := <-errc:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not return after it was interrupted", fn)
		return nil
	}
}

func exchange(t *testing.T, from, to *Socket, msg string) {
	t.Helper()
	n, err := from.SendAll(ctxT(t), []byte(msg))
	if err != nil || n != len(msg) {
		t.Fatalf("sendall: %d, %v", n, err)
	}
	var got []byte
	for len(got) < len(msg) {
		b, err := to.Recv(ctxT(t), 1024)
		if err != nil || len(b) == 0 {
			t.Fatalf("recv: %q, %v", b, err)
		}
		got = append(got, b...)
	}
	if string(got) != msg {
		t.Fatalf("got %q, want %q", got, msg)
	}
}

func itoa(n int) string { return formatResult(int64(n), nil) }

// pythonClass is what the shell renders for err (pyerr.Of), in pieces.
func pythonClass(err error) (class string, errno int, hasErrno bool, msg string) {
	x := pyerr.Of(err)
	return x.Class, x.Errno, x.HasErrno, x.Msg
}
