package main

// attach on a real pseudo-terminal and in a real pipe: against socat as an
// echo server, and against an SMTP-like server written here (a greeting,
// commands, replies, and a close after QUIT). The screen helpers are in
// helpers_test.go.

import (
	"bufio"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// socatEcho runs socat as an echo server on loopback and returns its port.
func socatEcho(t *testing.T) int {
	t.Helper()
	socat := testenv.NeedPeer(t, "socat", "socat")
	_, port := testenv.ListeningPeer(t, "tcp", socat, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port), "PIPE"}
	})
	return port
}

// smtpLike is a server in the manner of SMTP (RFC 5321): a 220 greeting,
// 250 to HELO and NOOP, 500 to a line not ended by CRLF or unknown, and
// 221 to QUIT, after which it closes. It returns its port and the lines
// it received, in order.
func smtpLike(t *testing.T) (int, <-chan string) {
	t.Helper()
	l := testenv.Listen(t, "tcp")
	lines := make(chan string, 100)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go smtpSession(c, lines)
		}
	}()
	return testenv.Port(l.Addr()), lines
}

func smtpSession(c net.Conn, lines chan<- string) {
	defer c.Close()
	fmt.Fprintf(c, "220 sockshell.test ESMTP ready\r\n")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		lines <- line
		cmd, crlf := strings.CutSuffix(line, "\r\n")
		verb := strings.ToUpper(strings.Fields(cmd + " x")[0])
		switch {
		case !crlf:
			fmt.Fprintf(c, "500 5.5.2 line must end with CRLF\r\n")
		case verb == "HELO":
			fmt.Fprintf(c, "250 sockshell.test hello %s\r\n", strings.TrimSpace(cmd[4:]))
		case verb == "NOOP":
			fmt.Fprintf(c, "250 2.0.0 OK\r\n")
		case verb == "QUIT":
			fmt.Fprintf(c, "221 2.0.0 bye\r\n")
			return
		default:
			fmt.Fprintf(c, "500 5.5.1 command unrecognized\r\n")
		}
	}
}

// sentReceived reads a socket's sent and received columns from `sockets`.
var sentReceived = regexp.MustCompile(`\| s1 .*\| (\d+) +\| (\d+) +\| \d+ +\|`)

func TestAttachEchoOnPTY(t *testing.T) {
	port := socatEcho(t)
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type(fmt.Sprintf("connect 127.0.0.1 %d\r", port))
	sc.Expect(`s1  <socket`)
	sc.Expect(prompt)
	sc.Type("attach s1\r")
	sc.Expect(`# attached to s1: lines you type are sent; Ctrl-\] or Ctrl-D returns`)
	// The terminal echoes the line as typed; then the echo server's copy
	// prints (hello twice in all).
	sc.Type("hello\r")
	sc.Expect(`hello\r\n`)
	sc.Expect(`hello\r\n`)
	// A control byte from the peer never reaches the terminal raw.
	sc.Type("\x1b[31mred\r")
	sc.Expect(`\\x1b\[31mred\r\n`)
	if strings.Contains(sc.raw(), "\x1b[31mred") {
		t.Error("the peer's escape sequence reached the terminal raw")
	}
	// Ctrl-] returns to the prompt with the counts: 6 + 9 bytes each way.
	sc.Type("\x1d")
	sc.Expect(`# detached from s1 \(Ctrl-\]\): 15 bytes sent, 15 bytes received while attached; s1 is still open`)
	sc.Expect(prompt)
	// On 80 columns the sockets table prints as a record.
	sc.Type("sockets\r")
	sc.Expect(`state +ESTABLISHED\r\n`)
	sc.Expect(`sent +15\r\nreceived +15\r\n`)
	sc.Expect(prompt)
	// The socket still works, and attach again ends with Ctrl-D.
	sc.Type("send s1 again; recv s1\r")
	sc.Expect(`b'again'`)
	sc.Expect(prompt)
	sc.Type("attach s1\r")
	sc.Expect(`# attached to s1`)
	sc.Type("\x04")
	sc.Expect(`# detached from s1 \(Ctrl-D\): 0 bytes sent, 0 bytes received while attached; s1 is still open`)
	sc.Expect(prompt)
	// Ctrl-C returns too, and is no error.
	sc.Type("attach s1\r")
	sc.Expect(`# attached to s1`)
	sc.Type("\x03")
	sc.Expect(`# detached from s1 \(Ctrl-C\): 0 bytes sent`)
	sc.Expect(prompt)
	if strings.Contains(sc.text(), "KeyboardInterrupt") {
		t.Error("Ctrl-C in attach is a way out, not an error")
	}
	sc.Type("exit\r")
	if code := sc.Exit(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

func TestAttachSMTPOnPTY(t *testing.T) {
	port, lines := smtpLike(t)
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Enter(fmt.Sprintf("connect 127.0.0.1 %d", port))
	sc.Expect(prompt)
	// Without --crlf a line ends with \n alone, which this server refuses.
	sc.Type("attach s1\r")
	// A CRLF line end prints as a line end (SafeText's rule for every result).
	sc.Expect(`220 sockshell.test ESMTP ready\r\n`)
	sc.Type("NOOP\r")
	sc.Expect(`500 5.5.2 line must end with CRLF\r\n`)
	sc.Type("\x1d")
	sc.Expect(`# detached from s1 \(Ctrl-\]\)`)
	sc.Expect(prompt)
	// With --crlf it talks SMTP; after QUIT the server closes, and attach
	// says so and returns.
	sc.Type("attach s1 --crlf\r")
	sc.Expect(`# attached to s1`)
	sc.Type("HELO client.test\r")
	sc.Expect(`250 sockshell.test hello client.test\r\n`)
	sc.Type("QUIT\r")
	sc.Expect(`221 2.0.0 bye\r\n`)
	sc.Expect(`# detached from s1 \(the peer closed\): 24 bytes sent, 53 bytes received while attached; s1 is still open \(the peer closed its side: recv gives b''\)`)
	sc.Expect(prompt)
	sc.Type("recv s1\r")
	sc.Expect(`b''`)
	sc.Expect(prompt)
	var got []string
	for len(lines) > 0 {
		got = append(got, <-lines)
	}
	if want := []string{"NOOP\n", "HELO client.test\r\n", "QUIT\r\n"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the server received %q, want %q", got, want)
	}
	sc.Type("exit\r")
	sc.Exit()
}

// TestAttachPipe: standard input not a terminal is copied to the socket
// to its end; the replies print escaped, or raw with --raw.
func TestAttachPipe(t *testing.T) {
	port, _ := smtpLike(t)
	cmds := fmt.Sprintf("connect 127.0.0.1 %d; attach s1; sockets", port)
	o := runBinary(t, "HELO pipe.test\r\nQUIT\r\n", "-c", cmds)
	if o.code != 0 {
		t.Fatalf("status %d: %s", o.code, o.stderr)
	}
	for _, want := range []string{
		"220 sockshell.test ESMTP ready\n250 sockshell.test hello pipe.test\n221 2.0.0 bye\n",
		"# standard input ended: 22 bytes sent, then shut down s1's sending half; 83 bytes received until the peer closed\n",
	} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("want %q in\n%s", want, o.stdout)
		}
	}
	if m := sentReceived.FindStringSubmatch(o.stdout); m == nil || m[1] != "22" || m[2] != "83" {
		t.Errorf("sockets: want 22 sent, 83 received:\n%s", o.stdout)
	}
	o = runBinary(t, "HELO pipe.test\r\nQUIT\r\n", "-c", fmt.Sprintf("connect 127.0.0.1 %d; attach s1 --raw", port))
	if !strings.Contains(o.stdout, "220 sockshell.test ESMTP ready\r\n250 sockshell.test hello pipe.test\r\n221 2.0.0 bye\r\n") {
		t.Errorf("--raw should write the bytes as they came:\n%q", o.stdout)
	}
	// Commands read from standard input leave it to the shell.
	o = runBinary(t, fmt.Sprintf("connect 127.0.0.1 %d\nattach s1\nQUIT\n", port))
	if o.code != 1 || !strings.Contains(o.stderr, "stdin:2: UsageError: standard input holds the commands being run, so attach cannot read it") {
		t.Errorf("attach with commands on stdin: status %d, stderr %q", o.code, o.stderr)
	}
}
