package commands

// attach in a session whose standard input is not a terminal (the pty
// tests are in cmd/sockshell): the input copied to the socket to its end,
// the replies escaped, as hex, or raw; its bad input; its Python.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
)

// upperEcho is a peer that sends back what it reads in capitals, with an
// escape byte before each reply, until the client's FIN.
func upperEcho(t *testing.T) int {
	return sockGoPeer(t, func(c *net.TCPConn) {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				c.Write(append([]byte("\x1b"), []byte(strings.ToUpper(string(buf[:n])))...))
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				return
			}
		}
	})
}

func TestAttachPipeInSession(t *testing.T) {
	port := upperEcho(t)
	ss := newSockSession(t)
	ss.Session.Stdin = strings.NewReader("hello\n")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	out := ss.MustExec("attach s1 --crlf")
	// The peer's escape byte shows escaped; --crlf sent \r\n.
	if want := "\\x1bHELLO\n# standard input ended: 7 bytes sent, then shut down s1's sending half; 8 bytes received until the peer closed\n"; out != want {
		t.Errorf("attach --crlf:\n got %q\nwant %q", out, want)
	}
	row := ss.sockRow("s1")
	if row["sent"] != "7" || row["received"] != "8" {
		t.Errorf("counters: sent %s received %s, want 7 and 8", row["sent"], row["received"])
	}

	ss.Session.Stdin = strings.NewReader("ab\n")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	out = ss.MustExec("attach s2 --hex")
	if !strings.HasPrefix(out, "00000000  1b 41 42 0a                                      |.AB.|\n") {
		t.Errorf("attach --hex:\n%q", out)
	}
	ss.Session.Stdin = strings.NewReader("raw\n")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	if out := ss.MustExec("attach s3 --raw"); !strings.HasPrefix(out, "\x1bRAW\n") {
		t.Errorf("attach --raw (output not a terminal) writes the bytes as they came: %q", out)
	}
}

func TestAttachBadInput(t *testing.T) {
	port := upperEcho(t)
	ss := newSockSession(t)
	ss.Session.Stdin = strings.NewReader("")
	ss.MustExec("socket tcp")
	ss.MustExec("socket udp")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("close s3")
	for _, c := range []struct{ line, want string }{
		{"attach", "UsageError: missing argument; usage: attach SOCK"},
		{"attach s9", "NameError"},
		{"attach s1", "OSError: [Errno 107] Transport endpoint is not connected"},
		{"attach s2", "UsageError: attach needs a connected stream socket; s2 is a datagram socket"},
		{"attach s3", "OSError: [Errno 9] Bad file descriptor"},
		{"attach s1 --bogus", "UsageError: unknown option --bogus"},
	} {
		ss.AssertExecError(c.line, c.want)
	}
	ss.Session.Stdin = nil
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.AssertExecError("attach s4", "UsageError: attach needs standard input")
}

func TestAttachExplainAndJSON(t *testing.T) {
	port := upperEcho(t)
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("explain on")
	ss.Session.Stdin = strings.NewReader("x\n")
	out := ss.MustExec("attach s1 --crlf")
	for _, want := range []string{
		">>> import sys, threading\n",
		">>> threading.Thread(target=lambda: [print(repr(b)) for b in iter(lambda: s1.recv(65536), b'')], daemon=True).start()\n",
		">>> for line in sys.stdin: s1.sendall((line.rstrip('\\n') + '\\r\\n').encode())\n",
		"  # read(standard input) → sendall(",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain: want %q in\n%s", want, out)
		}
	}
	ss.MustExec("explain off")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("set format json")
	ss.Session.Stdin = strings.NewReader("y\n")
	out = ss.MustExec("attach s2")
	// What arrives prints as it comes; the command's document follows.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var doc struct {
		Result any
		Notes  []string
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &doc); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if doc.Result != nil || len(doc.Notes) != 1 || !strings.Contains(doc.Notes[0], "2 bytes sent") {
		t.Errorf("json: %+v", doc)
	}
	if len(lines) != 2 || lines[0] != `{"received":{"base64":"G1kK","len":3,"repr":"b'\\x1bY\\n'"},"socket":"s2"}` {
		t.Errorf("json: what arrives is a document of its own: %q", lines)
	}
}

// TestAttachPipePeerStaysOpen: a peer that never closes after the FIN;
// the session's timeout ends the wait, and the note says so.
func TestAttachPipePeerStaysOpen(t *testing.T) {
	release := make(chan struct{})
	port := sockGoPeer(t, func(c *net.TCPConn) {
		io.Copy(c, c) // echo until the FIN
		<-release
	})
	t.Cleanup(func() { close(release) })
	ss := newSockSession(t)
	ss.MustExec("set timeout 0.5")
	ss.Session.Stdin = strings.NewReader("still here\n")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	out := ss.MustExec("attach s1")
	if want := "still here\n# standard input ended: 11 bytes sent, then shut down s1's sending half; 11 bytes received until the session's timeout (0.5 s): the peer had not closed\n"; out != want {
		t.Errorf("got %q\nwant %q", out, want)
	}
}
