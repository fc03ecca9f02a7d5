package main

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// Ctrl-C on a pty during blocking socket calls (issue 3): accept with nobody
// connecting, recv from a peer that never writes, and a connect that never
// completes. Each time KeyboardInterrupt appears, the prompt comes back, the
// socket stays in `sockets`, and the next command on it works. The screen
// helpers (startScreen, Type, Expect) are in helpers_test.go.

// sockPtyInterrupt types Ctrl-C until KeyboardInterrupt shows, then waits
// for the prompt. The command may not have started when the first Ctrl-C
// arrives (the shell then ignores it, or readline reads it as a key), so
// Ctrl-C is repeated; only waitLimit bounds the whole wait.
func sockPtyInterrupt(t *testing.T, sc *screen) {
	t.Helper()
	re := regexp.MustCompile(`KeyboardInterrupt`)
	deadline := time.Now().Add(waitLimit)
	for {
		sc.Type("\x03")
		seen := false
		for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end) && !seen; time.Sleep(10 * time.Millisecond) {
			seen = re.MatchString(sc.sinceMark())
		}
		if seen {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no KeyboardInterrupt after Ctrl-C; screen:\n%s", sc.text())
		}
	}
	sc.Expect(`KeyboardInterrupt`)
	sc.Expect(prompt)
}

func TestSocketCtrlCOnPTY(t *testing.T) {
	// A peer that accepts and stays silent until told to write.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	conns := make(chan net.Conn, 1)
	go func() {
		c, err := silent.Accept()
		if err == nil {
			conns <- c
		}
	}()
	fullFD, fullPort := testenv.FullListener(t)

	// Wide enough for the sockets table unwrapped, one row a line.
	sc := startScreenCols(t, 160, []string{"NO_COLOR=1"}, "--no-history")
	sc.Expect(prompt)
	sc.Enter("set timeout none")
	sc.Expect(prompt)

	// accept with nobody connecting.
	// Port 0: the kernel picks the listener's port; sockname tells it.
	sc.Type("socket tcp; bind s1 127.0.0.1 0; listen s1; sockname s1\r")
	sc.Expect(`s1  <socket fd=\d+`)
	lport := boundPort(t, sc.Expect(`\('127\.0\.0\.1', \d+\)`))
	sc.Expect(prompt)
	sc.Type("accept s1\r")
	sc.Expect(`accept s1\r\n`)
	sockPtyInterrupt(t, sc)
	sc.Type("sockets\r")
	sc.Expect(fmt.Sprintf(`\| s1 +\| \d+ +\| AF_INET +\| SOCK_STREAM +\| LISTEN +\| 127\.0\.0\.1:%d +\|`, lport))
	sc.Expect(prompt)
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", lport))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc.Type("accept s1\r")
	sc.Expect(fmt.Sprintf(`s2  \('127\.0\.0\.1', %d\)`, c.LocalAddr().(*net.TCPAddr).Port))
	sc.Expect(prompt)

	// recv from a peer that never writes.
	// Enter: the prompt awaited is the one after the line has run, not one
	// of readline's redraws in the line's echo; "recv s3" typed while the
	// connect still ran would be echoed by the tty and flushed unread by
	// the Ctrl-C below.
	sc.Enter(fmt.Sprintf("socket tcp; connect s3 127.0.0.1 %d", silent.Addr().(*net.TCPAddr).Port))
	sc.Expect(prompt)
	var peer net.Conn
	select {
	case peer = <-conns:
		defer peer.Close()
	case <-time.After(waitLimit):
		t.Fatal("the silent peer got no connection")
	}
	sc.Type("recv s3\r")
	sc.Expect(`recv s3\r\n`)
	sockPtyInterrupt(t, sc)
	sc.Type("sockets\r")
	sc.Expect(`\| s3 +\| \d+ +\| AF_INET +\| SOCK_STREAM +\| ESTABLISHED +\|`)
	sc.Expect(prompt)
	if _, err := io.WriteString(peer, "after\n"); err != nil {
		t.Fatal(err)
	}
	sc.Type("recv s3\r")
	sc.Expect(`b'after\\n'`)
	sc.Expect(prompt)

	// A connect that never completes.
	sc.Type(fmt.Sprintf("socket tcp; connect s4 127.0.0.1 %d\r", fullPort))
	sc.Expect(`s4  <socket fd=\d+`)
	sockPtyInterrupt(t, sc)
	sc.Type("sockets\r")
	sc.Expect(`\| s4 +\| \d+ +\| AF_INET +\| SOCK_STREAM +\| SYN_SENT +\|`)
	sc.Expect(prompt)
	// Make room in the listener's queue; connecting again resumes the
	// attempt, which completes at the kernel's next SYN retransmission.
	nfd, _, err := unix.Accept(fullFD)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(nfd)
	sc.Type(fmt.Sprintf("connect s4 127.0.0.1 %d; peername s4\r", fullPort))
	sc.Expect(fmt.Sprintf(`\('127\.0\.0\.1', %d\)`, fullPort))
	sc.Expect(prompt)

	sc.Type("exit\r")
	if code := sc.Exit(); code != 0 {
		t.Errorf("exit: status %d, want 0", code)
	}
}
