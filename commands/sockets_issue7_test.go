package commands

// Issue 7, the sockets family: closing twice, what the empty table says,
// plurals, the truth of every note about shutdowns and peers, connect's
// errors, serve's addresses, the UDP demo servers' loop guard, and option
// values that do not fit a C int. Python 3's socket module, run beside the
// shell, is the reference where a call's result is compared.

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
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

// One byte is "1 byte": in the demo servers' log and in the traced calls.
func TestPluralOneByte(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("explain on")
	out := ss.MustExec("send s1 x")
	if want := fmt.Sprintf("  # sendto(%d, 1 byte) = 1", ss.sock("s1").FD()); !strings.Contains(out, want+"\n") {
		t.Errorf("send of one byte explains as %q, want the line %q", out, want)
	}
	if out := ss.MustExec("recv s1"); !strings.Contains(out, "b'x'") {
		t.Fatalf("recv: %q", out)
	}
	ss.MustExec("explain off")
	local := ss.sockRow("s1")["local"]
	// The server's lines are events, captured apart from results; stop
	// waits for the server's last line.
	ss.MustExec("close s1; stop echo1")
	errs := strings.Join(ss.Events(), "\n")
	if want := fmt.Sprintf("[echo 127.0.0.1:%d] ", port); !strings.Contains(errs, want) || !strings.Contains(errs, local) ||
		!strings.Contains(errs, "(1 byte in, 1 byte out)") {
		t.Errorf("the echo server's log: %q", errs)
	}
}

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
	for deadline := time.Now().Add(sockPeerTimeout); !strings.HasPrefix(ss.sockRow("s1")["state"], "CLOSE "); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the peer's FIN never arrived: %v", ss.sockRow("s1"))
		}
	}
	if out := ss.MustExec("recv s1"); out != "b''\n# s1: the peer sent FIN: it will send nothing more (it closed its socket or shut down its writing half); recv returned b''\n" {
		t.Errorf("recv after the peer's FIN: %q", out)
	}
	if st := ss.sockRow("s1")["state"]; st != "CLOSE (shutdown rdwr here; peer sent FIN)" {
		t.Errorf("state after both FINs: %q", st)
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

// serve with an address in a form it does not take says which forms it takes.
func TestServeAddressForms(t *testing.T) {
	ss := newSockSession(t)
	for arg, want := range map[string]string{
		"127.0.0.1":   "UsageError: 127.0.0.1 is an address without a port: write 127.0.0.1:PORT (0: any free port)",
		"::1":         "UsageError: ::1 is an address without a port: write [::1]:PORT (0: any free port)",
		"/tmp/e.sock": "UsageError: '/tmp/e.sock' looks like a file path; serve listens on TCP or UDP at HOST:PORT, not on a Unix socket",
		"localhost": "OSError: service/proto not found\n  hint: 'localhost' is neither a port number nor a service name; for a host, add the port (localhost:PORT): " +
			"serve takes HOST:PORT (127.0.0.1:7007, [::1]:7007), :PORT or PORT (0: any free port)\n",
	} {
		_, errs := ss.Exec("serve echo " + arg)
		if !strings.HasPrefix(errs, want) || strings.Contains(errs, "for protocol tcp") {
			t.Errorf("serve echo %s:\n got %q\nwant %q", arg, errs, want)
		}
	}
	if out := ss.MustExec("servers"); !strings.Contains(out, "no servers") {
		t.Errorf("a server started anyway: %s", out)
	}
}

// ssListening returns the local addresses ss lists as listening on port.
func ssListening(t *testing.T, flags string, port int) []string {
	t.Helper()
	bin := testenv.NeedPeer(t, "iproute2", "ss")
	out, err := exec.Command(bin, flags+"H", fmt.Sprintf("sport = :%d", port)).Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	var addrs []string
	for _, line := range splitLines(string(out)) {
		if f := strings.Fields(line); len(f) >= 4 {
			addrs = append(addrs, f[3])
		}
	}
	return addrs
}

// serve echo 0.0.0.0:PORT listens on 0.0.0.0 alone, not on [::] (every
// IPv6 address and, mapped, every IPv4 one); [::1]:PORT on ::1 alone; TCP
// and UDP alike, as ss shows.
func TestServeListensExactlyWhereAsked(t *testing.T) {
	ss := newSockSession(t)
	for _, tc := range []struct{ addr, udp, ssFlags, want string }{
		{"0.0.0.0:%d", "", "-ltn", "0.0.0.0:%d"},
		{"0.0.0.0:%d", " --udp", "-lun", "0.0.0.0:%d"},
		{"127.0.0.1:%d", "", "-ltn", "127.0.0.1:%d"},
		{"[::1]:%d", "", "-ltn", "[::1]:%d"},
		{"[::]:%d", "", "-ltn", "[::]:%d"}, // IPv6 alone: ss shows a dual-stack socket as *:PORT
	} {
		_, port := ss.serve(fmt.Sprintf("echo "+tc.addr+tc.udp, 0))
		got := ssListening(t, tc.ssFlags, port)
		if want := fmt.Sprintf(tc.want, port); len(got) != 1 || got[0] != want {
			t.Errorf("serve echo %s%s: ss %s lists %v, want [%s]", fmt.Sprintf(tc.addr, port), tc.udp, tc.ssFlags, got, want)
		}
		ss.MustExec("stop all")
	}
}

// privilegedFreePort returns a TCP port below the machine's
// ip_unprivileged_port_start that is free on 127.0.0.1 (found by binding it,
// so the test must hold CAP_NET_BIND_SERVICE), or skips. The probe is
// released because the test's servers must bind the port itself; that is
// safe here as it is not for other ports: a privileged port is outside the
// kernel's ephemeral range, so no socket on port 0 (another test's, a
// client's) can be given it in between.
func privilegedFreePort(t *testing.T) int {
	t.Helper()
	pol := bsd.PortPolicy(1)
	if !pol.HasCap || pol.Start <= 1 {
		t.Skipf("needs CAP_NET_BIND_SERVICE and privileged ports (ip_unprivileged_port_start = %d)", pol.Start)
	}
	for p := min(pol.Start, 1024) - 1; p > 600; p-- {
		if l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			l.Close()
			return p
		}
	}
	t.Skip("no free privileged port")
	return 0
}

// TestPrivilegedChild is the child of TestServePrivilegedPort: it runs one
// serve in a session, as whatever user setpriv made it, and prints both
// streams.
func TestPrivilegedChild(t *testing.T) {
	line := os.Getenv("SOCKSHELL_PRIV_CHILD")
	if line == "" {
		t.Skip("run by TestServePrivilegedPort")
	}
	ss := newSockSession(t)
	out, errs := ss.Exec(line)
	fmt.Printf("STDOUT %q\nSTDERR %q\n", out, errs)
}

// serve on a privileged port says that the port is privileged and why the
// bind worked, or why it was refused: the real reason on this machine,
// read from the kernel, checked as root, as a user with only
// CAP_NET_BIND_SERVICE, and as a user without it (setpriv).
func TestServePrivilegedPort(t *testing.T) {
	port := privilegedFreePort(t)
	start := bsd.PortPolicy(port).Start
	allowedBy := func(who string) string {
		return fmt.Sprintf("# port %d is privileged on this machine (below net.ipv4.ip_unprivileged_port_start = %d); "+
			"the bind worked because this process has CAP_NET_BIND_SERVICE (%s)\n", port, start, who)
	}
	if os.Geteuid() == 0 {
		ss := newSockSession(t)
		out := ss.MustExec(fmt.Sprintf("serve echo 127.0.0.1:%d", port))
		if want := fmt.Sprintf("echo1  echo server on 127.0.0.1:%d\n", port) + allowedBy("it runs as root, uid 0"); out != want {
			t.Errorf("serve as root:\n got %q\nwant %q", out, want)
		}
		ss.MustExec("stop all; socket tcp")
		if out := ss.MustExec(fmt.Sprintf("bind s1 127.0.0.1 %d", port)); out != allowedBy("it runs as root, uid 0") {
			t.Errorf("bind as root: %q", out)
		}
		ss.MustExec("close s1")
	}

	setpriv := testenv.NeedPeer(t, "util-linux", "setpriv")
	if os.Geteuid() != 0 {
		t.Skip("setpriv to another user needs root")
	}
	// The test binary, where user nobody may run it.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "commands.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	child := func(caps []string) string {
		args := append([]string{"--reuid=65534", "--regid=65534", "--clear-groups"}, caps...)
		args = append(args, bin, "-test.run=^TestPrivilegedChild$", "-test.count=1")
		cmd := exec.Command(setpriv, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), fmt.Sprintf("SOCKSHELL_PRIV_CHILD=serve echo 127.0.0.1:%d", port), "HOME="+dir)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	out := child([]string{"--inh-caps=-all"})
	t.Logf("child without the capability:\n%s", out)
	if want := fmt.Sprintf("STDERR \"PermissionError: [Errno 13] Permission denied\\n  hint: port %d is privileged on this machine "+
		"(below net.ipv4.ip_unprivileged_port_start = %d) and this process lacks CAP_NET_BIND_SERVICE (it runs as uid 65534): "+
		"pick a port from %d up, or 0 for any free one\\n\"", port, start, start); !strings.Contains(out, want) {
		t.Errorf("serve as nobody:\n%s\nwant the line %s", out, want)
	}
	out = child([]string{"--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service"})
	if want := fmt.Sprintf("STDOUT %q", fmt.Sprintf("echo1  echo server on 127.0.0.1:%d\n", port)+allowedBy("it runs as uid 65534")); !strings.Contains(out, want) {
		t.Errorf("serve as nobody with CAP_NET_BIND_SERVICE:\n%s\nwant the line %s", out, want)
	}
}

// Values that do not fit in a C int are refused as Python refuses them,
// never cut to 32 bits: SO_LINGER 1,4294967296 was sent as {1, 0}, which
// makes the next close reset the connection.
func TestOptionValuesOutsideCInt(t *testing.T) {
	py := pyRun(t, `import socket, struct
s = socket.socket()
def show(f):
    try:
        f()
        print('ok')
    except Exception as e:
        print('%s: %s' % ('struct.error' if isinstance(e, struct.error) else type(e).__name__, e))
show(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 4294967296)))
show(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4294967296))
show(lambda: s.getsockopt(4294967297, 8))
show(lambda: s.getsockopt(1, -4294967288))
show(lambda: s.listen(4294967301))
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8) == struct.pack('ii', 0, 0))
`)
	pyLines := splitLines(py)
	if len(pyLines) != 6 || pyLines[5] != "True" {
		t.Fatalf("python3: %q", py)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	for i, line := range []string{
		"setsockopt s1 SO_LINGER 1,4294967296",
		"setsockopt s1 SO_RCVBUF 4294967296",
		"getsockopt s1 4294967297 8",
		"getsockopt s1 1 -4294967288",
		"listen s1 4294967301",
	} {
		_, errs := ss.Exec(line)
		if got := splitLines(errs); len(got) != 2 || got[0] != pyLines[i] || !strings.Contains(got[1], "does not fit in") {
			t.Errorf("%s: %q, want python3's %q and a hint", line, errs, pyLines[i])
		}
	}
	// Nothing was set: linger is still off, the socket still not listening.
	if out := ss.MustExec("getsockopt s1 SO_LINGER"); out != "0\n# SO_LINGER: off\n" {
		t.Errorf("SO_LINGER after the refused value: %q", out)
	}
	if st := ss.sockRow("s1")["state"]; st != "CLOSE" {
		t.Errorf("state after the refused listen: %q", st)
	}
	// A descriptor number past a C int names no descriptor (dup would cut it).
	if _, errs := ss.Exec(fmt.Sprintf("fromfd %d", int64(1)<<32+int64(ss.sock("s1").FD()))); !strings.HasPrefix(errs, "OSError: [Errno 9] Bad file descriptor\n") {
		t.Errorf("fromfd past a C int: %q", errs)
	}
}
