package demo

// Issue 14, our servers under attack: what a client over the cap gets, and
// a client that trickles bytes to keep its connection (slowloris).

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/tlsx"
)

// TestRefusedReadsEOF: over the cap a connection is closed at once with
// nothing sent; the client reads end of file, not a reset, even when it
// had sent a request the server never read. A client that sees the close
// of a served connection and connects again at once is served.
func TestRefusedReadsEOF(t *testing.T) {
	for _, kind := range []string{"echo", "discard", "chargen"} {
		t.Run(kind, func(t *testing.T) {
			var log logSink
			s := start(t, kind, Options{MaxConns: 2, Report: log.log})
			held := []net.Conn{dial(t, s), dial(t, s)}
			for deadline := time.Now().Add(10 * time.Second); s.Stats().Active < 2; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the two connections are not served: %+v", s.Stats())
				}
			}
			const extra = 50
			for i := range extra {
				if i == extra/2 {
					// From here each client sends before it is refused:
					// with TCP_DEFER_ACCEPT the kernel hands the server a
					// connection only once its first bytes are in.
					deferAccept(t, s)
				}
				c := dial(t, s)
				if i >= extra/2 {
					c.Write([]byte("a request the server never reads\r\n"))
				}
				got, err := io.ReadAll(c)
				if err != nil || len(got) != 0 {
					t.Errorf("refused client %d: %q, %v; want end of file and nothing", i, got, err)
				}
				c.Close()
			}
			if st := s.Stats(); st.Refused != extra || st.Connections != 2 {
				t.Errorf("stats %+v, want %d refused and 2 served", st, extra)
			}
			// The last line comes just after its close.
			for deadline := time.Now().Add(10 * time.Second); strings.Count(log.all(), ": 2 connections already") < extra && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			if n := strings.Count(log.all(), ": 2 connections already"); n != extra {
				t.Errorf("%d refused lines, want %d", n, extra)
			}
			// A served client that sees its connection end and connects
			// again at once is served, not refused: the slot is freed
			// before the close.
			if kind == "chargen" {
				return // chargen ends only when a write fails
			}
			held[1].Close()
			for i := range 20 {
				held[0].(*net.TCPConn).CloseWrite()
				if _, err := io.ReadAll(held[0]); err != nil {
					t.Fatal(err)
				}
				held[0].Close()
				held[0] = dial(t, s)
				held[0].Write([]byte("x"))
				if kind == "echo" {
					if _, err := io.ReadFull(held[0], make([]byte, 1)); err != nil {
						t.Fatalf("reconnect %d: not served: %v", i, err)
					}
				}
			}
			if st := s.Stats(); st.Refused != extra {
				t.Errorf("%d refused, want %d: a reconnecting client was refused", st.Refused, extra)
			}
		})
	}
}

// deferAccept sets TCP_DEFER_ACCEPT on the server's listening socket.
func deferAccept(t *testing.T, s *Server) {
	t.Helper()
	rc, err := s.ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(fd uintptr) {
		err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT, 5)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSlowlorisLifetime: a client that sends a byte every 100 ms never
// goes idle, but is closed once MaxLife has passed since it connected;
// the ending says so and the slot is free again.
func TestSlowlorisLifetime(t *testing.T) {
	var log logSink
	s := start(t, "echo", Options{MaxConns: 1, IdleTimeout: time.Minute, MaxLife: time.Second, Report: log.log})
	c := dial(t, s)
	const trickle = 300 // 30 s at a byte every 100 ms: a hang guard
	sent := 0
	for ; sent < trickle; sent++ {
		if _, err := c.Write([]byte("a")); err != nil {
			break
		}
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := io.ReadFull(c, make([]byte, 1)); err != nil && !errors.Is(err, syscall.EAGAIN) {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			break // closed by the server
		}
		time.Sleep(100 * time.Millisecond)
	}
	if sent == trickle {
		t.Fatalf("a client trickling a byte every 100 ms was served 30 s, past MaxLife of 1 s")
	}
	waitIdle(t, s)
	if !strings.Contains(log.all(), "open for 1s, the longest a connection is served") {
		t.Errorf("the ending does not say why:\n%s", log.all())
	}
	var ended End
	log.mu.Lock()
	events := append([]Event(nil), log.events...)
	log.mu.Unlock()
	for _, e := range events {
		if e.Kind == Closed {
			ended = e.End
		}
	}
	if ended != EndLifetime {
		t.Errorf("ended %v, want lifetime", ended)
	}
	c2 := dial(t, s)
	c2.Write([]byte("y"))
	if _, err := io.ReadFull(c2, make([]byte, 1)); err != nil {
		t.Errorf("the next client: %v", err)
	}
}

// TestTLSHandshakeBounded: a TLS demo server whose client never sends its
// hello, or trickles it a byte every 100 ms, closes it once
// HandshakeTimeout has passed; daytime and chargen, which only write,
// waited for the hello for ever. A real client is still served.
func TestTLSHandshakeBounded(t *testing.T) {
	pair, err := tlsx.SessionCertificate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"daytime", "chargen", "echo"} {
		t.Run(kind, func(t *testing.T) {
			var log logSink
			s := start(t, kind, Options{TLS: tlsx.ServerConfig(pair), HandshakeTimeout: time.Second, IdleTimeout: time.Minute, Report: log.log})
			for _, trickle := range []bool{false, true} {
				c := dial(t, s)
				hello := []byte{0x16, 0x03, 0x01, 0x02, 0x00} // a record header, then its body a byte at a time
				hello = append(hello, make([]byte, 295)...)   // 30 s at this pace: a hang guard
				sent := 0
				for ; sent < len(hello); sent++ {
					if trickle {
						if _, err := c.Write(hello[sent : sent+1]); err != nil {
							break
						}
					}
					c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
					if _, err := c.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
						break // closed
					}
				}
				if sent == len(hello) {
					t.Fatalf("trickle %v: a client with no hello was held 30 s, past the 1 s handshake timeout", trickle)
				}
				c.Close()
			}
			waitIdle(t, s)
			if n := strings.Count(log.all(), "the TLS handshake did not complete: none within 1s"); n != 2 {
				t.Errorf("%d endings say the handshake timed out, want 2:\n%s", n, log.all())
			}
			// A real client is served.
			tc, err := tls.Dial("tcp", s.Addr(), &tls.Config{InsecureSkipVerify: true})
			if err != nil {
				t.Fatal(err)
			}
			defer tc.Close()
			tc.SetDeadline(time.Now().Add(10 * time.Second))
			if kind == "echo" {
				tc.Write([]byte("x"))
			}
			if _, err := io.ReadFull(tc, make([]byte, 1)); err != nil {
				t.Errorf("a TLS client: %v", err)
			}
		})
	}
}

// dialFrom connects to the server from a given loopback address.
func dialFrom(t *testing.T, s *Server, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// TestPerPeerCap: one client address holds at most MaxPerPeer of the
// slots; one more from it is refused, and says why, while another
// address is served; once one of its connections ends it may connect
// again.
func TestPerPeerCap(t *testing.T) {
	var log logSink
	s := start(t, "echo", Options{MaxConns: 4, MaxPerPeer: 2, Report: log.log})
	served := func(c net.Conn) bool {
		c.Write([]byte("x"))
		_, err := io.ReadFull(c, make([]byte, 1))
		return err == nil
	}
	a1, a2 := dialFrom(t, s, "127.0.0.1"), dialFrom(t, s, "127.0.0.1")
	if !served(a1) || !served(a2) {
		t.Fatal("the first two from 127.0.0.1 are not served")
	}
	if a3 := dialFrom(t, s, "127.0.0.1"); served(a3) {
		t.Error("a third from 127.0.0.1 is served past MaxPerPeer 2")
	}
	if b := dialFrom(t, s, "127.0.0.2"); !served(b) {
		t.Error("127.0.0.2 is not served while 127.0.0.1 holds its 2")
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.all(), "2 connections from 127.0.0.1 already, the most one address may hold (of 4)"); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no line says why:\n%s", log.all())
		}
	}
	a1.(*net.TCPConn).CloseWrite()
	io.ReadAll(a1)
	if a4 := dialFrom(t, s, "127.0.0.1"); !served(a4) {
		t.Error("after one of its connections ended, 127.0.0.1 is still refused")
	}
	if st := s.Stats(); st.Refused != 1 {
		t.Errorf("%d refused, want 1", st.Refused)
	}
}
