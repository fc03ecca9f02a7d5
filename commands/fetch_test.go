package commands

// One gopher fetch (fetch.go): its connection is a registry socket while it
// runs, a dripping server times out as a whole, RFC 1436 text framing, and
// peers that reset or are not gopher servers.

import (
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

	"github.com/sockshell/sockshell/commands/bsd"
)

// waitSocket waits (bounded) until the session holds a socket and returns
// its name.
func (g *gopherSession) waitSocket() string {
	g.t.Helper()
	deadline := time.Now().Add(gopherTestBound)
	for time.Now().Before(deadline) {
		if s := g.sockets(); len(s) > 0 {
			return s[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.t.Fatal("no registry socket appeared during the fetch")
	return ""
}

// TestGopherFetchSocketInRegistry: while a fetch waits for its reply, its
// connection is a registry socket (sockname/peername work on it); once the
// fetch ends, by the server's reply or by Ctrl-C, it is gone.
func TestGopherFetchSocketInRegistry(t *testing.T) {
	release := make(chan struct{})
	var relOnce sync.Once
	t.Cleanup(func() { relOnce.Do(func() { close(release) }) })
	selectors := make(chan string, 4)
	port := gopherFake(t, func(c net.Conn, sel string) {
		selectors <- sel
		select {
		case <-release:
			io.WriteString(c, "slow but here\r\n.\r\n")
		case <-time.After(gopherTestBound):
		}
	})
	g := newGopherSession(t)

	done := g.async(fmt.Sprintf("gopher 127.0.0.1 /slow.txt %d", port))
	name := g.waitSocket()
	if sel := <-selectors; sel != "/slow.txt" {
		t.Errorf("the server got selector %q", sel)
	}
	r, _ := g.Session.Resource(name)
	sock := r.(*bsd.Socket)
	if peer, err := sock.PeerName(); err != nil || !strings.Contains(peer.String(), strconv.Itoa(port)) {
		t.Errorf("peername %s: %v, %v", name, peer, err)
	}
	if local, err := sock.SockName(); err != nil || !strings.Contains(local.String(), "127.0.0.1") {
		t.Errorf("sockname %s: %v, %v", name, local, err)
	}
	relOnce.Do(func() { close(release) })
	if errs := waitDone(t, done); errs != "" {
		t.Fatal(errs)
	}
	if got := g.running.Output(); got != "slow but here\n" {
		t.Errorf("printed %q", got)
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left after the fetch: %v", s)
	}
	if _, ok := g.Session.Resource(name); ok {
		t.Errorf("%s still registered", name)
	}

	// Cancelled (Ctrl-C) while waiting: KeyboardInterrupt, socket gone.
	port2 := gopherFake(t, func(c net.Conn, sel string) {
		io.Copy(io.Discard, c) // until the client goes
	})
	done = g.async(fmt.Sprintf("gopher 127.0.0.1 / %d", port2))
	g.waitSocket()
	for !g.Session.Interrupt() {
		time.Sleep(time.Millisecond)
	}
	if errs := waitDone(t, done); !strings.HasPrefix(errs, "KeyboardInterrupt") {
		t.Errorf("cancelled fetch: %q", errs)
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left after cancel: %v", s)
	}
}

// TestGopherDripTimesOut: a server sending one byte every 200 ms never
// lets a single recv time out; with `set timeout 0.5` the page as a whole
// does: TimeoutError, no hang.
func TestGopherDripTimesOut(t *testing.T) {
	port := gopherFake(t, func(c net.Conn, sel string) {
		reply := "iDripping slowly\t\tnull.host\t1\r\n"
		for i := 0; ; i++ {
			if _, err := c.Write([]byte{reply[i%len(reply)]}); err != nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	g := newGopherSession(t)
	g.MustExec("set timeout 0.5")
	for _, sel := range []string{"/", "/drip.txt"} {
		errs := waitDone(t, g.async(fmt.Sprintf("gopher 127.0.0.1 %s %d", sel, port)))
		if !strings.HasPrefix(errs, "TimeoutError") {
			t.Errorf("%s from a dripping server: %q, want TimeoutError", sel, errs)
		}
		if s := g.sockets(); len(s) != 0 {
			t.Errorf("sockets left: %v", s)
		}
	}
}

// TestGopherTextFraming: an RFC 1436 text reply (dot-stuffed, "."
// terminated) is shown unframed; a file sent verbatim (as sockshell's own
// server and gophernicus do) is shown whole, even with a "." line in it;
// --out saves the bytes as sent either way.
func TestGopherTextFraming(t *testing.T) {
	framed := "first\r\n..stuffed\r\n.\r\n"
	port := gopherFake(t, func(c net.Conn, sel string) { io.WriteString(c, framed) })
	g := newGopherSession(t)
	if out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /framed.txt %d", port)); out != "first\n.stuffed\n" {
		t.Errorf("framed text shown as %q", out)
	}
	dst := filepath.Join(t.TempDir(), "framed")
	g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /framed.txt %d --out %s", port, dst))
	if b, _ := os.ReadFile(dst); string(b) != framed {
		t.Errorf("--out saved %q", b)
	}

	dir := t.TempDir()
	verbatim := "Line one.\n.\n..two dots\nlast\n"
	os.WriteFile(filepath.Join(dir, "dots.txt"), []byte(verbatim), 0o644)
	sport := g.serve(dir)
	if out := g.MustExec(fmt.Sprintf("gopher localhost /dots.txt %d", sport)); out != verbatim {
		t.Errorf("verbatim text shown as %q, want %q", out, verbatim)
	}
}

// TestGopherBadPeers: a reset mid-reply and a server that is not a gopher
// server (an HTTP reply) are named, each with its line of explanation.
func TestGopherBadPeers(t *testing.T) {
	port := gopherFake(t, func(c net.Conn, sel string) {
		switch sel {
		case "/http":
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
		default:
			io.WriteString(c, "partial")
			c.(*net.TCPConn).SetLinger(0) // the close sends a reset

		}
	})
	g := newGopherSession(t)
	partial := filepath.Join(t.TempDir(), "r")
	for _, sel := range []string{"/reset.txt", "/reset/", "/reset.bin --out " + partial} {
		_, errs := g.Exec(fmt.Sprintf("gopher 127.0.0.1 %s %d", sel, port))
		if !strings.HasPrefix(errs, "ConnectionResetError: [Errno 104]") || !strings.Contains(errs, "\n  hint: ") {
			t.Errorf("%s: %q", sel, errs)
		}
	}
	// A partial download is not left behind.
	if _, err := os.Stat(partial); err == nil {
		t.Error("partial download kept")
	}
	out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /http %d", port))
	if !strings.Contains(out, "|   |      | HTTP/1.1 400 Bad Request |") || strings.Contains(out, "| 1 |") {
		t.Errorf("HTTP reply as a menu:\n%s", out)
	}
	if _, errs := g.Exec("go 1"); !strings.HasPrefix(errs, "IndexError: no item '1': the menu has no items to follow") {
		t.Errorf("go 1 on a menu without items: %q", errs)
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left: %v", s)
	}
}
