package bsd

import (
	"context"
	"net/netip"
	"testing"
	"time"

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
