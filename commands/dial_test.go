package commands

// Address resolution and dialing (dial.go): connect's timeouts, every
// address of a name tried and named, and addresses of the other family.

import (
	"fmt"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// sockFullListener is a loopback listener with backlog 0 whose accept queue is
// full: Linux drops further SYNs, so a connect to it stays in SYN_SENT.
func sockFullListener(t *testing.T) (fd, port int) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port = sa.(*unix.SockaddrInet4).Port
	filled := 0
	for i := 0; i < 3; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 300*time.Millisecond)
		if err == nil {
			filled++
			t.Cleanup(func() { c.Close() })
		}
	}
	if filled == 0 {
		t.Fatal("could not fill the accept queue")
	}
	return fd, port
}

// A connect that never completes times out; the socket stays in SYN_SENT,
// and connecting again once the listener has room completes it.
func TestSocketConnectTimeoutFullBacklog(t *testing.T) {
	lfd, port := sockFullListener(t)
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec("settimeout s1 0.3")
	out, errs := ss.Exec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	if want := "TimeoutError: timed out\n  hint: the operation did not finish within the socket's timeout (settimeout)\n"; out != "" || errs != want {
		t.Fatalf("connect to a full listener: stdout %q stderr %q, want %q", out, errs, want)
	}
	if st := ss.sockRow("s1")["state"]; st != "SYN_SENT" {
		t.Errorf("state after the timeout: %q", st)
	}
	// Make room; the kernel's next SYN retransmission gets through.
	nfd, _, err := unix.Accept(lfd)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(nfd)
	ss.MustExec("settimeout s1 20")
	if out := ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port)); out != "" {
		t.Errorf("second connect printed %q", out)
	}
	if row := ss.sockRow("s1"); row["state"] != "ESTABLISHED" || row["remote"] != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("after the second connect: %v", row)
	}
}
