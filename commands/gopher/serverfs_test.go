package gopher

// What the server answers from its directory (serverfs.go) when the tree
// holds FIFOs where files, gophermaps or directories should be.

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestServerFIFOs: a FIFO where a file, a gophermap or a directory should
// be is refused at once, never waited on in open(2); and Close returns.
func TestServerFIFOs(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"pipe.txt", "sub/gophermap", "deep/x"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		if err := syscall.Mkfifo(filepath.Join(dir, p), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	os.WriteFile(filepath.Join(dir, "deep", "pipe-ok.txt"), []byte("ok\n"), 0o644)
	srv, err := NewServer(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	for _, tt := range []struct {
		target Target
		want   string
	}{
		{local(port, '0', "/pipe.txt"), "access denied: not a regular file: /pipe.txt"},
		{local(port, '1', "/sub"), "access denied: not a regular file: /sub"},
	} {
		_, _, err := fetch(t, tt.target, nil)
		var se *ServerError
		if !errors.As(err, &se) || se.Message != tt.want {
			t.Errorf("%s: %v, want the error item %q", tt.target.Selector, err, tt.want)
		}
	}
	// A search walks past a FIFO (and finds the file beside it).
	rep, _, err := fetch(t, Target{Host: "127.0.0.1", Port: port, Type: '7', Selector: "/", Query: "pipe"}, nil)
	if err != nil || len(rep.Menu.Items) != 1 || rep.Menu.Items[0].Selector != "/deep/pipe-ok.txt" {
		t.Errorf("search: %+v, %v", rep.Menu, err)
	}
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close hangs")
	}
	<-served
}
