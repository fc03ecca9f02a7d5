package commands

// shutdown (sockets.go) and the notes after it: who shut down which half,
// told truly, checked against python3 on the same kernel.

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// shutdown rd, then recv: b” at once, and the note says this side did
// it, not the peer; data the peer sends later still arrives, as python3
// shows on the same kernel; the peer's real FIN is told as the peer's.
// shutdown wr, then send: the hint says the refusal is this side's own.
func TestShutdownNotesTellWhoDidWhat(t *testing.T) {
	if got := pyRun(t, `import socket, time
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
c.shutdown(socket.SHUT_RD)
print(c.recv(10))
a.sendall(b'late'); time.sleep(0.2)
print(c.recv(10))`); got != "b''\nb'late'\n" {
		t.Fatalf("python3: %q", got)
	}
	send, fin := make(chan string), make(chan struct{})
	got := make(chan string, 1)
	port := sockGoPeer(t, func(c *net.TCPConn) {
		c.Write([]byte(<-send))
		b, _ := io.ReadAll(c) // until this side's shutdown wr
		got <- string(b)
		<-fin
		c.CloseWrite()
	})
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("shutdown s1 rd")
	out := ss.MustExec("recv s1")
	if want := "b''\n# s1: recv returned b'' because s1 shut down its own reading half (shutdown rd); the peer did nothing and was told nothing. " +
		"On Linux what the peer still sends is queued, and a later recv returns it\n"; out != want {
		t.Errorf("recv after shutdown rd: %q, want %q", out, want)
	}
	if st := ss.sockRow("s1")["state"]; st != "ESTABLISHED (shutdown rd here)" {
		t.Errorf("state after shutdown rd: %q", st)
	}
	send <- "late"
	for deadline := time.Now().Add(sockPeerTimeout); ; {
		out := ss.MustExec("recv s1")
		if out == "b'late'\n" {
			break
		}
		if out != "b''\n" || time.Now().After(deadline) {
			t.Fatalf("recv while the peer's data is on its way: %q", out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	ss.MustExec("shutdown s1 wr")
	_, errs := ss.Exec("send s1 more")
	if want := "BrokenPipeError: [Errno 32] Broken pipe\n  hint: this socket shut down its own writing half (shutdown rdwr): the kernel refuses every further send on it, whatever the peer does\n"; errs != want {
		t.Errorf("send after shutdown wr: %q, want %q", errs, want)
	}
	if b := sockWait(t, got, "the peer's read"); b != "" {
		t.Errorf("the peer read %q", b)
	}
	close(fin)
	for deadline := time.Now().Add(sockPeerTimeout); !strings.HasPrefix(ss.sockRow("s1")["state"], "TIME_WAIT "); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the peer's FIN never arrived: %v", ss.sockRow("s1"))
		}
	}
	if out := ss.MustExec("recv s1"); out != "b''\n# s1: the peer sent FIN: it will send nothing more (it closed its socket or shut down its writing half); recv returned b''\n" {
		t.Errorf("recv after the peer's FIN: %q", out)
	}
	if st := ss.sockRow("s1")["state"]; st != "TIME_WAIT (shutdown rdwr here; peer sent FIN; as the kernel's table says; the fd's TCP_INFO reads CLOSE)" {
		t.Errorf("state after both FINs: %q", st)
	}
}
