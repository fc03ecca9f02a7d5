package demo

// Issue 7: the log says how each connection ended, and whose doing it was;
// one byte is "1 byte".

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// logSink collects a server's log lines.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) log(line string) { l.mu.Lock(); l.lines = append(l.lines, line); l.mu.Unlock() }

func (l *logSink) all() string { l.mu.Lock(); defer l.mu.Unlock(); return strings.Join(l.lines, "\n") }

// waitIdle waits until the server has no connection open.
func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.Stats().Active != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a connection is still open: %+v", s.Stats())
		}
	}
}

func TestLogSaysHowConnectionsEnded(t *testing.T) {
	var logs logSink
	s := start(t, "echo", Options{Log: logs.log})

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
}

// The daytime server closes the connection itself, after its one line.
func TestLogDaytimeClosesItself(t *testing.T) {
	var logs logSink
	s := start(t, "daytime", Options{Log: logs.log})
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
