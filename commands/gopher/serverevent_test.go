package gopher

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServerReportsEvents: the server says what happens as typed events:
// a connection accepted, then closed with the request's and the reply's
// byte counts and how it ended; a failed request with its selector; the
// listener's start and end.
func TestServerReportsEvents(t *testing.T) {
	dir := t.TempDir()
	body := "hello, gopher\n"
	if err := os.WriteFile(filepath.Join(dir, "hi.txt"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var evs []ServerEvent
	closed, stopped := make(chan struct{}, 4), make(chan struct{}, 1)
	srv, port := startServer(t, dir, &ServerOptions{Report: func(e ServerEvent) {
		mu.Lock()
		evs = append(evs, e)
		mu.Unlock()
		switch e.Kind {
		case ConnClosed:
			closed <- struct{}{}
		case ServerStopped:
			stopped <- struct{}{}
		}
	}})
	get := func(req string) (string, string) {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testTimeout))
		io.WriteString(c, req)
		b, _ := io.ReadAll(bufio.NewReader(c))
		select {
		case <-closed:
		case <-time.After(testTimeout):
			t.Fatal("no connection_closed event")
		}
		return c.LocalAddr().String(), string(b)
	}
	peer, reply := get("/hi.txt\r\n")
	if reply != body {
		t.Fatalf("reply %q", reply)
	}
	long := strings.Repeat("x", MaxSelectorBytes+1)
	peer2, _ := get(long + "\r\n")
	srv.Close()
	select {
	case <-stopped:
	case <-time.After(testTimeout):
		t.Fatal("no stopped event")
	}

	mu.Lock()
	defer mu.Unlock()
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind.String())
		if e.Time.IsZero() || e.Local.Port() != uint16(port) {
			t.Errorf("event %+v: want its time and the listener's port %d", e, port)
		}
	}
	want := "[listening connection_accepted connection_closed connection_accepted request_failed connection_closed stopped]"
	if got := fmt.Sprint(kinds); got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	ok := evs[2]
	if ok.Peer.String() != peer || ok.Selector != "/hi.txt" || ok.End != EndReplied || ok.BytesIn != int64(len("/hi.txt\r\n")) || ok.BytesOut != int64(len(body)) || ok.Err != nil {
		t.Errorf("closing of the good request: %+v (peer %s)", ok, peer)
	}
	failed, end := evs[4], evs[5]
	if failed.Peer.String() != peer2 || failed.HasSelector || failed.Err == nil || failed.String() != peer2+": "+errRequestTooLong.Error() {
		t.Errorf("failed request: %+v, %q", failed, failed.String())
	}
	if end.End != EndFailed || end.BytesIn != int64(len(long)+2) || end.BytesOut == 0 || end.Err == nil {
		t.Errorf("closing of the failed request: %+v", end)
	}
}
