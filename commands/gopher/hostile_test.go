package gopher

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hostile starts a loopback server that reads one request line per
// connection and hands the connection to reply. It returns a target for it
// and a channel receiving each request line.
func hostile(t *testing.T, reply func(c net.Conn)) (Target, <-chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	requests := make(chan string, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.SetDeadline(time.Now().Add(testTimeout))
			line, _ := bufio.NewReader(c).ReadString('\n')
			select {
			case requests <- line:
			default:
			}
			reply(c)
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return Target{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Type: '1'}, requests
}

func sendAll(s string) func(net.Conn) {
	return func(c net.Conn) { io.WriteString(c, s) }
}

func TestHostileMenus(t *testing.T) {
	t.Run("no tabs", func(t *testing.T) {
		tg, _ := hostile(t, sendAll("Hello there\r\nno tabs at all\r\n.\r\n"))
		rep, _, err := fetch(t, tg, nil)
		if err != nil || len(rep.Menu.Items) != 2 || !rep.Menu.Items[1].Malformed || rep.Menu.Items[1].Raw != "no tabs at all" {
			t.Fatalf("%+v, %v", rep.Menu, err)
		}
	})
	t.Run("1 MiB line", func(t *testing.T) {
		huge := "i" + strings.Repeat("A", 1<<20) + "\t\th\t1\r\n0After\t/a\th\t70\r\n.\r\n"
		tg, _ := hostile(t, sendAll(huge))
		rep, _, err := fetch(t, tg, &FetchOptions{Limits: Limits{MaxLineBytes: 64 << 10}})
		if err != nil || len(rep.Menu.Items) != 2 {
			t.Fatalf("%d items, %v", len(rep.Menu.Items), err)
		}
		first := rep.Menu.Items[0]
		if !first.Truncated || len(first.Raw) != 64<<10 {
			t.Errorf("long line kept %d bytes, truncated=%v", len(first.Raw), first.Truncated)
		}
		if rep.Menu.Items[1].Display != "After" || !rep.Menu.Terminated {
			t.Errorf("after the long line: %+v", rep.Menu)
		}
	})
	t.Run("no terminator", func(t *testing.T) {
		tg, _ := hostile(t, sendAll("0A\t/a\th\t70\r\n0B\t/b\th\t70"))
		rep, _, err := fetch(t, tg, nil)
		if err != nil || rep.Menu.Terminated || len(rep.Menu.Items) != 2 {
			t.Fatalf("%+v, %v", rep.Menu, err)
		}
	})
	t.Run("escape sequences kept", func(t *testing.T) {
		tg, _ := hostile(t, sendAll("i\x1b[2J\x1b]0;pwned\x07Hi\t\th\t1\r\n.\r\n"))
		rep, _, err := fetch(t, tg, nil)
		if err != nil || rep.Menu.Items[0].Display != "\x1b[2J\x1b]0;pwned\x07Hi" {
			t.Fatalf("%+v, %v", rep.Menu, err)
		}
	})
	t.Run("error item", func(t *testing.T) {
		tg, _ := hostile(t, sendAll("3Permission denied, go away\t\terror.host\t1\r\n.\r\n"))
		_, _, err := fetch(t, tg, nil)
		var se *ServerError
		if !errors.As(err, &se) || se.Message != "Permission denied, go away" {
			t.Fatalf("%v, want *ServerError", err)
		}
	})
	t.Run("error item says not found", func(t *testing.T) {
		tg, _ := hostile(t, sendAll("3'/x' does not exist (no handler found)\t\terror.host\t1\r\n.\r\n"))
		tg.Selector = "/x"
		_, _, err := fetch(t, tg, nil)
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.Selector != "/x" {
			t.Fatalf("%v, want *NotFoundError", err)
		}
	})
	t.Run("empty reply", func(t *testing.T) {
		tg, _ := hostile(t, sendAll(""))
		rep, _, err := fetch(t, tg, nil)
		if err != nil || len(rep.Menu.Items) != 0 {
			t.Fatalf("%+v, %v", rep.Menu, err)
		}
	})
}

func TestHostileText(t *testing.T) {
	t.Run("dot-stuffed", func(t *testing.T) {
		tg, reqs := hostile(t, sendAll("line\r\n..dot\r\n.\r\nafter\r\n"))
		tg.Type, tg.Selector = '0', "/t.txt"
		_, body, err := fetch(t, tg, nil)
		if err != nil || string(body) != "line\r\n.dot\r\n" {
			t.Fatalf("%q, %v", body, err)
		}
		if r := <-reqs; r != "/t.txt\r\n" {
			t.Errorf("request %q", r)
		}
	})
	t.Run("verbatim", func(t *testing.T) {
		tg, _ := hostile(t, sendAll("line\r\n..dot\r\n.\r\nafter\r\n"))
		tg.Type = '0'
		_, body, err := fetch(t, tg, &FetchOptions{Verbatim: true})
		if err != nil || string(body) != "line\r\n..dot\r\n.\r\nafter\r\n" {
			t.Fatalf("%q, %v", body, err)
		}
	})
	t.Run("large body streamed", func(t *testing.T) {
		big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, no newline
		tg, _ := hostile(t, func(c net.Conn) { c.Write(big) })
		tg.Type = '9'
		rep, body, err := fetch(t, tg, nil)
		if err != nil || sha(body) != sha(big) || rep.Bytes != int64(len(big)) {
			t.Fatalf("%d bytes, %v", len(body), err)
		}
	})
	t.Run("error item as text reply", func(t *testing.T) {
		tg, _ := hostile(t, sendAll("3Access denied!\t\terror.host\t1\r\n.\r\n"))
		tg.Type = '0'
		_, body, err := fetch(t, tg, nil)
		var se *ServerError
		if !errors.As(err, &se) || se.Message != "Access denied!" || len(body) != 0 {
			t.Fatalf("%v, %q; want *ServerError and no output", err, body)
		}
	})
	// Only an error item is an error: a short text (or binary) that starts
	// with the word "Error", or with a '3' but without the tab fields, is
	// the file the server sent.
	for _, text := range []string{"Error: Access denied!\r\n", "Error handling in C\nerrno is...\n", "3 ways to fail\ttab\r\n"} {
		for _, typ := range []byte{'0', '9'} {
			t.Run(fmt.Sprintf("text %q type %c", text, typ), func(t *testing.T) {
				tg, _ := hostile(t, sendAll(text))
				tg.Type = typ
				_, body, err := fetch(t, tg, &FetchOptions{Verbatim: true})
				if err != nil || string(body) != text {
					t.Fatalf("%v, %q; want the text itself", err, body)
				}
			})
		}
	}
	t.Run("menu starting with Error text", func(t *testing.T) {
		tg, _ := hostile(t, sendAll("Error: not really\r\n0Doc\t/d\th\t70\r\n.\r\n"))
		rep, _, err := fetch(t, tg, nil)
		if err != nil || len(rep.Menu.Items) != 2 {
			t.Fatalf("%+v, %v; want a menu of two lines", rep.Menu, err)
		}
	})
	t.Run("search request", func(t *testing.T) {
		tg, reqs := hostile(t, sendAll("0Hit\t/hit\th\t70\r\n.\r\n"))
		tg.Type, tg.Selector, tg.Query = '7', "/find", "sockets tcp"
		rep, _, err := fetch(t, tg, nil)
		if err != nil || len(rep.Menu.Items) != 1 {
			t.Fatalf("%+v, %v", rep.Menu, err)
		}
		if r := <-reqs; r != "/find\tsockets tcp\r\n" {
			t.Errorf("request %q", r)
		}
	})
}

// drip writes one byte every 200 ms until the client goes away.
func drip(c net.Conn) {
	for {
		if _, err := c.Write([]byte("i")); err != nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestDripTimesOut(t *testing.T) {
	for _, typ := range []byte{'1', '0', '9'} {
		tg, _ := hostile(t, drip)
		tg.Type = typ
		conn, err := net.Dial("tcp", "127.0.0.1:"+itoa(tg.Port))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err = Fetch(ctx, conn, tg, io.Discard, nil)
		cancel()
		conn.Close()
		var timeout interface{ Timeout() bool }
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &timeout) || !timeout.Timeout() {
			t.Errorf("type %c: %v, want a deadline error", typ, err)
		}
	}
}

func TestCancelUnblocksFetch(t *testing.T) {
	tg, reqs := hostile(t, func(c net.Conn) {
		io.Copy(io.Discard, c) // never answer; wait for the client to go
	})
	conn, err := net.Dial("tcp", "127.0.0.1:"+itoa(tg.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-reqs // the request has arrived: Fetch is waiting for the reply
		cancel()
	}()
	_, err = Fetch(ctx, conn, tg, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want context.Canceled", err)
	}
	// The deadline is cleared again: the connection is usable.
	conn.SetReadDeadline(time.Time{})
	if _, err := conn.Write([]byte("x")); err != nil {
		t.Errorf("connection unusable after cancel: %v", err)
	}
}

// plainConn hides net.Conn's deadline methods.
type plainConn struct{ rw io.ReadWriter }

func (p plainConn) Read(b []byte) (int, error)  { return p.rw.Read(b) }
func (p plainConn) Write(b []byte) (int, error) { return p.rw.Write(b) }

func TestFetchWithoutDeadlines(t *testing.T) {
	tg, _ := hostile(t, sendAll("0A\t/a\th\t70\r\n.\r\n"))
	conn, err := net.Dial("tcp", "127.0.0.1:"+itoa(tg.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(testTimeout))
	rep, err := Fetch(context.Background(), plainConn{conn}, tg, nil, nil)
	if err != nil || len(rep.Menu.Items) != 1 {
		t.Fatalf("%+v, %v", rep, err)
	}
}

func TestFetchRefusesBadRequests(t *testing.T) {
	var buf bytes.Buffer
	for _, tg := range []Target{
		{Host: "h", Port: 70, Type: '0', Selector: "/a\r\nGET / HTTP/1.0"},
		{Host: "h", Port: 70, Type: '7', Selector: "/s", Query: "a\tb"},
	} {
		if _, err := Fetch(context.Background(), &buf, tg, &buf, nil); err == nil {
			t.Errorf("%+v accepted", tg)
		}
	}
	for _, typ := range []byte{'i', '3', '8', 'T'} {
		_, err := Fetch(context.Background(), &buf, Target{Host: "h", Port: 70, Type: typ}, &buf, nil)
		var ue *UnsupportedTypeError
		if !errors.As(err, &ue) {
			t.Errorf("type %c: %v", typ, err)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("sent %q", buf.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
