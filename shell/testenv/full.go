package testenv

import (
	"fmt"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// FullListener is a loopback listener with backlog 0 whose accept queue is
// full: Linux drops further SYNs, so a connect to it stays in SYN_SENT (a
// peer that never answers, on loopback). It and the connections that
// fill it are closed when the test ends.
func FullListener(t *testing.T) (fd, port int) {
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
