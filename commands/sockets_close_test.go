package commands

// Closing sockets (close in sockets.go): closing twice does nothing, as in
// Python, what the table says once all are closed, and what help says of
// close and recv.

import (
	"strings"
	"testing"
)

// Python's close() on a closed socket does nothing; so does close, with a
// note saying the socket was closed already.
func TestCloseTwice(t *testing.T) {
	if got := pyRun(t, "import socket\ns = socket.socket()\ns.close()\nprint(repr(s.close()))"); got != "None\n" {
		t.Fatalf("python3's second close gave %q", got)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec("close s1")
	out, errs := ss.Exec("close s1")
	if errs != "" || out != "# s1 was already closed; closing it again does nothing, as in Python\n" {
		t.Errorf("second close: stdout %q stderr %q", out, errs)
	}
	// The same name twice in one command closes it once.
	ss.MustExec("socket tcp")
	out, errs = ss.Exec("close s2 s2")
	if errs != "" || out != "# s2 was already closed; closing it again does nothing, as in Python\n" {
		t.Errorf("close s2 s2: stdout %q stderr %q", out, errs)
	}
	// A name never made is still an error, and other calls on a closed
	// socket still fail as Python's do.
	if _, errs := ss.Exec("close s9"); !strings.HasPrefix(errs, "NameError: name 's9' is not defined") {
		t.Errorf("close s9: %q", errs)
	}
	if _, errs := ss.Exec("recv s1"); !strings.HasPrefix(errs, "OSError: [Errno 9] Bad file descriptor") {
		t.Errorf("recv on a closed socket: %q", errs)
	}
}

// After close all, the empty table does not say "no sockets yet".
func TestSocketsAfterCloseAll(t *testing.T) {
	ss := newSockSession(t)
	if out := ss.MustExec("sockets"); !strings.Contains(out, "# no sockets yet; make one with: socket tcp\n") {
		t.Errorf("a fresh session's sockets: %q", out)
	}
	ss.MustExec("socket tcp; socket udp")
	ss.MustExec("close all")
	out := ss.MustExec("sockets")
	if strings.Contains(out, "yet") || !strings.Contains(out, "# no open sockets (s1, s2 closed: a closed socket leaves the table); make one with: socket tcp\n") {
		t.Errorf("sockets after close all: %q", out)
	}
}

// What help says of close and recv is what they do: a closed socket's name
// stays (a call on it is EBADF, not NameError; help said close forgets the
// name), and on a datagram socket the empty bytes object is an empty
// datagram, not end of file (help said it always means end of file).
func TestHelpOfCloseAndRecvIsTrue(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec("close s1")
	if _, errs := ss.Exec("sockname s1"); !strings.HasPrefix(errs, "OSError: [Errno 9] Bad file descriptor") {
		t.Errorf("sockname of a closed socket: %q", errs)
	}
	if h := ss.MustExec("help close"); strings.Contains(h, "forget") {
		t.Errorf("help close says the name is forgotten; it stays:\n%s", h)
	}
	ss.MustExec("socket udp")
	ss.MustExec("bind s2 127.0.0.1 0")
	port := strings.TrimSuffix(strings.Split(ss.MustExec("sockname s2"), ", ")[1], ")\n")
	ss.MustExec("sendto s2 '' 127.0.0.1 " + port)
	if out := ss.MustExec("recv s2"); out != "b''\n" {
		t.Errorf("recv of an empty datagram: %q", out)
	}
	if h := ss.MustExec("help recv"); !strings.Contains(h, "On a datagram socket b'' is an\nempty datagram") {
		t.Errorf("help recv does not say what b'' is on a datagram socket:\n%s", h)
	}
}
