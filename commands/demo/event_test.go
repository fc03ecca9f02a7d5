package demo

// A server's events as its log says them (event.go): how each connection
// ended and whose doing it was; one byte is "1 byte".

import (
	"net"
	"strings"
	"testing"
)

func TestLogSaysHowConnectionsEnded(t *testing.T) {
	var logs logSink
	s := start(t, "echo", Options{Report: logs.log})

	// The client's FIN.
	c := dial(t, s)
	c.Write([]byte("x"))
	c.Read(make([]byte, 1))
	peer := c.LocalAddr().String()
	c.Close()
	waitIdle(t, s)
	if want := "closed " + peer + " after its FIN (1 byte in, 1 byte out)"; !strings.Contains(logs.all(), want) {
		t.Errorf("log after the client's close: %q, want %q", logs.all(), want)
	}

	// The client's reset.
	c = dial(t, s)
	c.Write([]byte("xy"))
	c.Read(make([]byte, 2))
	peer = c.LocalAddr().String()
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	waitIdle(t, s)
	if want := peer + " reset the connection (2 bytes in, 2 bytes out)"; !strings.Contains(logs.all(), want) {
		t.Errorf("log after the client's reset: %q, want %q", logs.all(), want)
	}

	// The server's stop, with the client still connected.
	c = dial(t, s)
	c.Write([]byte("z"))
	c.Read(make([]byte, 1))
	peer = c.LocalAddr().String()
	s.Stop()
	if want := "closed " + peer + ": the server stopped (1 byte in, 1 byte out)"; !strings.Contains(logs.all(), want) {
		t.Errorf("log after stop: %q, want %q", logs.all(), want)
	}

	// The same, as data: the kinds in order, and each closing's fields.
	logs.mu.Lock()
	defer logs.mu.Unlock()
	var kinds []string
	var closed []Event
	for _, e := range logs.events {
		kinds = append(kinds, e.Kind.String())
		if e.Kind == Closed {
			closed = append(closed, e)
		}
		if e.Server != "echo" || e.Addr.String() != s.Addr() || e.Time.IsZero() {
			t.Errorf("event %+v: want server echo at %s, with its time", e, s.Addr())
		}
	}
	want := "listening connection_accepted connection_closed connection_accepted connection_closed connection_accepted connection_closed stopped"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if len(closed) == 3 {
		for i, w := range []struct {
			end     End
			in, out int64
		}{{EndFIN, 1, 1}, {EndReset, 2, 2}, {EndStopped, 1, 1}} {
			if e := closed[i]; e.End != w.end || e.BytesIn != w.in || e.BytesOut != w.out || !e.Peer.IsValid() {
				t.Errorf("closing %d: %+v, want end %v, %d in, %d out", i, e, w.end, w.in, w.out)
			}
		}
	}
}

// The daytime server closes the connection itself, after its one line.
func TestLogDaytimeClosesItself(t *testing.T) {
	var logs logSink
	s := start(t, "daytime", Options{Report: logs.log})
	c := dial(t, s)
	peer := c.LocalAddr().String()
	buf := make([]byte, 100)
	for {
		if _, err := c.Read(buf); err != nil {
			break
		}
	}
	waitIdle(t, s)
	if want := "sent its reply to " + peer + " and closed the connection"; !strings.Contains(logs.all(), want) {
		t.Errorf("daytime log: %q, want %q", logs.all(), want)
	}
}
