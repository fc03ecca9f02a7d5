package demo

// Test helpers shared by this package's test files: starting a server on a
// loopback port the kernel picks, dialling it, and collecting what it
// reports.

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func start(t *testing.T, kind string, opts Options) *Server {
	t.Helper()
	s, err := StartWith(kind, "", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func dial(t *testing.T, s *Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// logSink collects a server's events, as the words of its log lines.
type logSink struct {
	mu     sync.Mutex
	lines  []string
	events []Event
}

func (l *logSink) log(e Event) {
	l.mu.Lock()
	l.lines = append(l.lines, e.String())
	l.events = append(l.events, e)
	l.mu.Unlock()
}

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
