package gopher

// Test helpers shared by this package's test files: a server on a loopback
// port the kernel picks, one fetch from it, the demo gopherhole, and the
// bound on every network exchange.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"
)

// testTimeout bounds every network exchange in the tests, so a bug makes a
// test fail instead of hang. No assertion depends on it.
const testTimeout = 20 * time.Second

// startServer serves root on 127.0.0.1 and returns the server's port.
func startServer(t *testing.T, root string, opts *ServerOptions) (*Server, int) {
	t.Helper()
	srv, err := NewServer(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return srv, l.Addr().(*net.TCPAddr).Port
}

// fetch connects to 127.0.0.1:port and fetches t.
func fetch(t *testing.T, tg Target, opts *FetchOptions) (Reply, []byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(tg.Host, strconv.Itoa(tg.Port)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var out bytes.Buffer
	r, err := Fetch(ctx, conn, tg, &out, opts)
	return r, out.Bytes(), err
}

func local(port int, typ byte, selector string) Target {
	return Target{Host: "127.0.0.1", Port: port, Type: typ, Selector: selector}
}

const hole = "../../docs/gopherhole"

func sha(b []byte) [32]byte { return sha256.Sum256(b) }
