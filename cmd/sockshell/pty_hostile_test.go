package main

// Hostile peers on a pseudo-terminal (issue 14): Ctrl-C brings the prompt
// back from a connect to an address that never answers, a recv from a
// peer that never sends, and a recv --out from a peer that sends for
// ever; the shell then answers the next line. The same cases through the
// command path, with timeouts and counters: commands/harden_peers_test.go.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// hostilePeer accepts on loopback and hands each connection to serve. When
// the test ends the listener and the connections are closed and every
// goroutine has returned.
func hostilePeer(t *testing.T, serve func(net.Conn)) int {
	t.Helper()
	l := testenv.Listen(t, "tcp")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.SetDeadline(time.Now().Add(time.Minute))
				serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return testenv.Port(l.Addr())
}

// interruptUntil types Ctrl-C until the screen has shown one more
// KeyboardInterrupt: a Ctrl-C typed before the command has started its
// wait is not lost, but a test cannot see that moment, so it may repeat.
func (sc *screen) interruptUntil() {
	sc.t.Helper()
	before := strings.Count(sc.text(), "KeyboardInterrupt")
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		sc.Type("\x03")
		for i := 0; i < 20; i++ {
			if strings.Count(sc.text(), "KeyboardInterrupt") > before {
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	sc.t.Fatalf("Ctrl-C did not interrupt; screen:\n%s", sc.text())
}

func TestHostilePeersCtrlCOnPTY(t *testing.T) {
	_, full := testenv.FullListener(t)
	silent := hostilePeer(t, func(c net.Conn) { c.Read(make([]byte, 1)) })
	var sent atomic.Int64
	flood := hostilePeer(t, func(c net.Conn) {
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Write(buf)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	dir := t.TempDir()
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("set timeout none\r")
	sc.Expect(prompt)

	// An address that never answers: the connect waits in SYN_SENT.
	sc.Type(fmt.Sprintf("connect 127.0.0.1 %d\r", full))
	want := fmt.Sprintf("0100007F:%04X 02 ", full)
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile("/proc/net/tcp"); strings.Contains(string(b), want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no connection in SYN_SENT")
		}
	}
	sc.interruptUntil()
	sc.Expect(prompt)

	// A peer that accepts and never sends.
	sc.Type(fmt.Sprintf("connect 127.0.0.1 %d\r", silent))
	sc.Expect(`s1`)
	sc.Expect(prompt)
	sc.Type("recv s1\r")
	sc.Expect(`recv s1`)
	sc.interruptUntil()
	sc.Expect(prompt)

	// A peer that sends for ever, into a file: the bytes keep coming, so
	// only Ctrl-C ends it, and no half file is left.
	sc.Type(fmt.Sprintf("connect 127.0.0.1 %d\r", flood))
	sc.Expect(`s2`)
	sc.Expect(prompt)
	path := filepath.Join(dir, "flood.bin")
	sc.Type("recv s2 --out " + path + "\r")
	for deadline := time.Now().Add(waitLimit); sent.Load() < 32<<20; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d bytes sent", sent.Load())
		}
	}
	sc.interruptUntil()
	sc.Expect(`was not written`)
	sc.Expect(prompt)
	if names := testenv.DirNames(t, dir); len(names) != 0 {
		t.Errorf("an interrupted recv --out left %v", names)
	}
	sc.Type("servport http tcp\r")
	sc.Expect(`80`)
	sc.Expect(prompt)
	sc.Type("exit\r")
	sc.Exit()
}
