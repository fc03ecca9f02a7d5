package main

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// TestPromptTokensOnPTY: set prompt with {sockets} and {waiting}; a real
// peer sends data and the next prompt shows it waiting, without reading
// it (recv still gets every byte); a connection in a listener's accept
// queue counts too.
func TestPromptTokensOnPTY(t *testing.T) {
	peer, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	conns := make(chan net.Conn, 1)
	go func() {
		c, err := peer.Accept()
		if err == nil {
			conns <- c
		}
	}()

	sc := startScreenCols(t, 160, []string{"NO_COLOR=1"}, "--no-history")
	sc.Expect(prompt)
	sc.Type(`set prompt "[{sockets} open, {waiting} waiting] >>> "` + "\r")
	sc.Expect(`\[0 open, 0 waiting\] >>> `)
	sc.Type(fmt.Sprintf("socket tcp; connect s1 127.0.0.1 %d\r", peer.Addr().(*net.TCPAddr).Port))
	sc.Expect(`\[1 open, 0 waiting\] >>> `)
	var c net.Conn
	select {
	case c = <-conns:
	case <-time.After(waitLimit):
		t.Fatal("the shell's connect never reached the peer")
	}
	defer c.Close()
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	// The bytes reach s1's queue soon after the write; each Enter redraws
	// the prompt, and only waitLimit bounds the wait.
	untilPrompt := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(waitLimit); ; {
			sc.Type("\r")
			if got := sc.Expect(`\[\d+ open, \d+ waiting\] >>> `); got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no prompt %q; screen:\n%s", want, sc.text())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	untilPrompt("[1 open, 1 waiting] >>> ")
	// Counting did not read: recv gets the bytes, and then none wait.
	sc.Type("recv s1\r")
	sc.Expect(`b'hello'`)
	sc.Expect(`\[1 open, 0 waiting\] >>> `)

	// A listener with a connection waiting to be accepted.
	sc.Type("socket tcp; bind s2 127.0.0.1 0; listen s2; sockname s2\r")
	lport := boundPort(t, sc.Expect(`\('127\.0\.0\.1', \d+\)`))
	sc.Expect(`\[2 open, 0 waiting\] >>> `)
	d, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", lport))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	untilPrompt("[2 open, 1 waiting] >>> ")
	sc.Type("accept s2\r")
	sc.Expect(`\[3 open, 0 waiting\] >>> `)
	sc.Type("exit\r")
	sc.Exit()
}
