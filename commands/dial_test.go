package commands

// Address resolution and dialing (dial.go): connect's timeouts, every
// address of a name tried and named, and addresses of the other family.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// A connect that never completes times out; the socket stays in SYN_SENT,
// and connecting again once the listener has room completes it.
func TestSocketConnectTimeoutFullBacklog(t *testing.T) {
	lfd, port := testenv.FullListener(t)
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

// connect to a name with two addresses, nothing listening on either: the
// error is Python's (the last), and the hint names each address and what
// it gave. The name comes from a dnsmasq the test starts.
func TestConnectNamesEveryAddressTried(t *testing.T) {
	dns := startDNSMasq(t)
	port, listen4 := closedOnBothLoopbacks(t)
	ss := newSockSession(t)
	ss.MustExec("set dns 127.0.0.1:" + dns)
	_, errs := ss.Exec(fmt.Sprintf("connect dual.test %d", port))
	want := fmt.Sprintf("ConnectionRefusedError: [Errno 111] Connection refused\n"+
		"  hint: dual.test has 2 addresses and each was tried, in order: [::1]:%d: ConnectionRefusedError: [Errno 111] Connection refused; "+
		"127.0.0.1:%d: ConnectionRefusedError: [Errno 111] Connection refused\n", port, port)
	if errs != want {
		t.Errorf("connect dual.test:\n got %q\nwant %q", errs, want)
	}
	// One address: its own error and hint, as before.
	_, errs = ss.Exec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	if want := fmt.Sprintf("ConnectionRefusedError: [Errno 111] Connection refused\n  hint: nothing is listening on 127.0.0.1:%d\n", port); errs != want {
		t.Errorf("connect 127.0.0.1: %q, want %q", errs, want)
	}
	// The second address answers: connected, no error.
	listen4()
	if out := ss.MustExec(fmt.Sprintf("connect dual.test %d", port)); !strings.Contains(out, fmt.Sprintf("raddr=('127.0.0.1', %d)", port)) {
		t.Errorf("connect dual.test with 127.0.0.1 listening: %q", out)
	}
}

// closedOnBothLoopbacks returns a port where nothing listens on ::1 nor
// on 127.0.0.1, held by the test on both (sockets bound without listen,
// so a connect is refused), and a function that makes the 127.0.0.1 one
// listen (the kernel then completes connects; nobody accepts).
func closedOnBothLoopbacks(t *testing.T) (int, func()) {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		port := testenv.ClosedPort(t, "tcp6")
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Bind(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			unix.Close(fd) // taken on 127.0.0.1: another port
			continue
		}
		t.Cleanup(func() { unix.Close(fd) })
		return port, func() {
			if err := unix.Listen(fd, 4); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Fatal("no port free on both ::1 and 127.0.0.1")
	return 0, nil
}

// An address literal of the other family: python3's error, and a hint
// that says what the socket is, what the address is, and what to do; an
// IPv4-mapped literal on an inet socket is its IPv4 address, as in Python.
func TestConnectFamilyMismatch(t *testing.T) {
	port := testenv.ClosedPort(t, "tcp")
	py := pyRun(t, fmt.Sprintf(`import socket
for fam, host in ((socket.AF_INET, '::1'), (socket.AF_INET6, '127.0.0.1'), (socket.AF_INET, '::ffff:127.0.0.1')):
    s = socket.socket(fam)
    try:
        s.connect((host, %d))
    except OSError as e:
        print(type(e).__name__, e.errno)
`, port))
	if py != "gaierror -9\ngaierror -9\nConnectionRefusedError 111\n" {
		t.Fatalf("python3 gave %q", py)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp; socket udp inet6")
	for line, want := range map[string]string{
		fmt.Sprintf("connect s1 ::1 %d", port): "socket.gaierror: [Errno -9] Address family for hostname not supported\n" +
			"  hint: s1 is an AF_INET (IPv4) socket and ::1 is an IPv6 address; for IPv6 make an AF_INET6 socket: socket tcp inet6\n",
		fmt.Sprintf("connect s2 127.0.0.1 %d", port): "socket.gaierror: [Errno -9] Address family for hostname not supported\n" +
			"  hint: s2 is an AF_INET6 (IPv6) socket and 127.0.0.1 is an IPv4 address; make an AF_INET socket (socket udp), or give the IPv4-mapped address ::ffff:127.0.0.1\n",
		fmt.Sprintf("sendto s2 x 127.0.0.1 %d", port): "socket.gaierror: [Errno -9] Address family for hostname not supported\n" +
			"  hint: s2 is an AF_INET6 (IPv6) socket and 127.0.0.1 is an IPv4 address; make an AF_INET socket (socket udp), or give the IPv4-mapped address ::ffff:127.0.0.1\n",
		fmt.Sprintf("connect s1 ::ffff:127.0.0.1 %d", port): fmt.Sprintf("ConnectionRefusedError: [Errno 111] Connection refused\n  hint: nothing is listening on 127.0.0.1:%d\n", port),
	} {
		if _, errs := ss.Exec(line); errs != want {
			t.Errorf("%s:\n got %q\nwant %q", line, errs, want)
		}
	}
}
