package main

import (
	"net"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestWireLinesOnPTY: at the prompt the packets a command caused are
// written under it, indented and without a label; the peer's data that
// arrives between commands is a note, "# s1: ← PSH,ACK …".
func TestWireLinesOnPTY(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("wire on\r")
	sc.Expect(`wire is on`)
	sc.Expect(prompt)
	sc.Type("socket tcp\r")
	sc.Expect(`s1  <socket `)
	sc.Expect(prompt)
	sc.Type("connect s1 127.0.0.1 " + port + "\r")
	// The whole handshake under the command, in order, and only then the
	// prompt: each packet is read from the ring before connect's event
	// ends (the last ACK once the kernel's handshake work is done), and
	// the command's end prints every event it logged before the prompt is
	// drawn, even one the live printer has taken but not yet printed
	// (shell/terminal_live.go). Under load, before that, the ACK (and
	// sometimes the SYN) printed after the prompt, as a note.
	sc.Expect(`\n  → SYN +seq=0 [^\n]*\n  ← SYN,ACK +seq=0 ack=1 [^\n]*\n  → ACK +seq=1 ack=1[^\n]*\n\r*>>> `)
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(waitLimit))
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	if _, err := peer.Write([]byte("news\n")); err != nil {
		t.Fatal(err)
	}
	sc.Expect(regexp.QuoteMeta(`# s1: ← PSH,ACK`) + `.*len=5  b'news\\n'`)
	sc.Type("exit\r")
	sc.Exit()
}
