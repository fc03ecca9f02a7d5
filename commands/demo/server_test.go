package demo

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestEchoTCP(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	s := start(t, "echo", Options{Report: func(e Event) { mu.Lock(); logs = append(logs, e.String()); mu.Unlock() }})
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") {
		t.Errorf("addr %s", s.Addr())
	}
	c := dial(t, s)
	msg := bytes.Repeat([]byte("echo me "), 10000)
	go c.Write(msg)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo: %v", err)
	}
	c.(*net.TCPConn).CloseWrite()
	if n, err := c.Read(got); n != 0 || err != io.EOF {
		t.Errorf("after close: %d %v", n, err)
	}
	s.Stop()
	st := s.Stats()
	if st.Connections != 1 || st.Active != 0 || st.BytesIn != int64(len(msg)) || st.BytesOut != int64(len(msg)) {
		t.Errorf("stats %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) < 3 || !strings.Contains(strings.Join(logs, "\n"), "connection from") {
		t.Errorf("log %q", logs)
	}
}

func TestDiscard(t *testing.T) {
	s := start(t, "discard", Options{})
	c := dial(t, s)
	c.Write([]byte("into the void"))
	c.(*net.TCPConn).CloseWrite()
	if n, err := c.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("discard answered: %d %v", n, err)
	}
	s.Stop()
	if st := s.Stats(); st.BytesIn != 13 || st.BytesOut != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestDaytime(t *testing.T) {
	s := start(t, "daytime", Options{})
	b, err := io.ReadAll(dial(t, s))
	if err != nil || !strings.HasSuffix(string(b), "\r\n") || !strings.Contains(string(b), ":") {
		t.Fatalf("daytime %q %v", b, err)
	}
	if _, err := time.Parse("Monday, January 2, 2006 15:04:05-MST\r\n", string(b)); err != nil {
		t.Errorf("daytime %q: %v", b, err)
	}
}

func TestChargen(t *testing.T) {
	s := start(t, "chargen", Options{})
	c := dial(t, s)
	r := bufio.NewReader(c)
	for i := 0; i < 200; i++ {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if len(line) != 74 || line != string(ChargenLine(i)) {
			t.Fatalf("line %d: %q", i, line)
		}
		if want := byte(' ' + i%95); line[0] != want {
			t.Fatalf("line %d starts with %q, want %q", i, line[0], want)
		}
	}
	c.Close()
	// The server notices the close and ends the connection.
	for i := 0; i < 200 && s.Stats().Active != 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if a := s.Stats().Active; a != 0 {
		t.Errorf("chargen still serving %d after the client closed", a)
	}
}

func TestUDP(t *testing.T) {
	for _, kind := range []string{"echo/udp", "daytime/udp", "chargen/udp", "discard/udp"} {
		t.Run(strings.ReplaceAll(kind, "/", "-"), func(t *testing.T) {
			s := start(t, kind, Options{})
			c, err := net.Dial("udp", s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write([]byte("hi there"))
			c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			buf := make([]byte, 2048)
			n, err := c.Read(buf)
			switch kind {
			case "echo/udp":
				if err != nil || string(buf[:n]) != "hi there" {
					t.Errorf("echo %q %v", buf[:n], err)
				}
			case "daytime/udp":
				if err != nil || !strings.HasSuffix(string(buf[:n]), "\r\n") {
					t.Errorf("daytime %q %v", buf[:n], err)
				}
			case "chargen/udp":
				if err != nil || n == 0 || n > 512 || !bytes.HasPrefix(buf[:n], ChargenLine(0)) {
					t.Errorf("chargen %d %v", n, err)
				}
			case "discard/udp":
				if err == nil {
					t.Errorf("discard answered %q", buf[:n])
				}
			}
			s.Stop()
			if s.Stats().Datagrams != 1 {
				t.Errorf("stats %+v", s.Stats())
			}
		})
	}
}

func TestLimitsAndStop(t *testing.T) {
	s := start(t, "echo", Options{MaxConns: 2, IdleTimeout: 300 * time.Millisecond})
	a, b := dial(t, s), dial(t, s)
	for _, c := range []net.Conn{a, b} {
		c.Write([]byte("x"))
		if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
	}
	extra := dial(t, s)
	if n, err := extra.Read(make([]byte, 1)); err == nil {
		t.Errorf("third connection served: %d", n)
	}
	// The idle timeout closes a and b.
	for _, c := range []net.Conn{a, b} {
		if n, err := c.Read(make([]byte, 1)); err == nil {
			t.Errorf("idle connection still open: %d", n)
		}
	}
	st := s.Stats()
	if st.Refused != 1 || st.Connections != 2 {
		t.Errorf("stats %+v", st)
	}
	// Stop closes live connections and waits.
	c := dial(t, s)
	c.Write([]byte("y"))
	io.ReadFull(c, make([]byte, 1))
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("connection open after Stop: %d", n)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second stop: %v", err)
	}
	if _, err := Start("telnet", ""); err == nil {
		t.Error("unknown kind accepted")
	}
}
