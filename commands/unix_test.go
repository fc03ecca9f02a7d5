package commands

// Unix domain sockets against the reference and real peers: python3 runs
// the same calls and prints what they return and raise (the shell must
// print the same), socat and nc -U talk to the shell's sockets and server,
// python3 passes descriptors both ways, and a pair shows its buffers
// filling without hanging the shell.

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// unixValue1 is a command's value: its first line that is no note.
func unixValue1(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

// reprTail is a socket repr after its proto field: ", laddr=/x>" or ">".
func reprTail(t *testing.T, repr string) string {
	t.Helper()
	i := strings.Index(repr, "proto=")
	if i < 0 {
		t.Fatalf("no proto in %q", repr)
	}
	j := strings.IndexAny(repr[i:], ",>")
	return repr[i+j:]
}

// unixAbstract is an abstract name no other test run holds.
func unixAbstract(t *testing.T, what string) string {
	return fmt.Sprintf("sockshell-%d-%s-%s", os.Getpid(), t.Name(), what)
}

// The same calls in python3 and in the shell return the same values, give
// the same reprs and raise the same errors.
func TestUnixLikePython(t *testing.T) {
	dir := t.TempDir()
	p, dead, missing := filepath.Join(dir, "a.sock"), filepath.Join(dir, "dead.sock"), filepath.Join(dir, "missing.sock")
	long := dir + "/" + strings.Repeat("l", 107-len(dir)) // 108 bytes: no room for the NUL
	abs := unixAbstract(t, "d")
	nobody := unixAbstract(t, "nobody")
	py := fmt.Sprintf(`
import socket, os
P, DEAD, MISSING, LONG, A, NOBODY = %q, %q, %q, %q, '\0' + %q, '\0' + %q
def tail(s):
    r = repr(s); i = r.index('proto='); j = min(k for k in (r.find(',', i), r.find('>', i)) if k >= 0); return r[j:]
def err(f):
    try: f()
    except Exception as e: print(type(e).__name__ + ': ' + str(e))
    else: print('no error')
s1 = socket.socket(socket.AF_UNIX)
print(repr(s1.getsockname()))
s1.bind(P); s1.listen()
print(repr(s1.getsockname()))
print(tail(s1))
s2 = socket.socket(socket.AF_UNIX)
s2.connect(P)
print(repr(s2.getpeername()))
print(repr(s2.getsockname()))
s3, addr = s1.accept()
print(repr(addr))
print(tail(s2)); print(tail(s3))
d1 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d1.bind(A)
print(repr(d1.getsockname())); print(tail(d1))
d2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print(d2.sendto(b'hi', A))
print(repr(d1.recvfrom(100)))
a, b = socket.socketpair()
print(tail(a)); print(repr(a.getsockname())); print(repr(a.getpeername()))
x = socket.socket(socket.AF_UNIX); x.bind(DEAD); x.close()
err(lambda: socket.socket(socket.AF_UNIX).bind(P))
err(lambda: socket.socket(socket.AF_UNIX).bind(LONG))
err(lambda: socket.socket(socket.AF_UNIX).connect(MISSING))
err(lambda: socket.socket(socket.AF_UNIX).connect(DEAD))
err(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).connect(P))
err(lambda: socket.socket(socket.AF_UNIX).connect(NOBODY))
err(lambda: socket.socket().connect(P))
err(lambda: socket.socket(socket.AF_UNIX).connect(('127.0.0.1', 80)))
os.unlink(P); os.unlink(DEAD)
`, p, dead, missing, long, abs, nobody)
	want := strings.Split(strings.TrimSuffix(pyRun(t, py), "\n"), "\n")

	ss := newSockSession(t)
	val := func(line string) string { return unixValue1(ss.MustExec(line)) }
	tail := func(name string) string { return reprTail(t, sockRepr(name, ss.sock(name)).Text) }
	errLine := func(line string) string {
		_, errs := ss.Exec(line)
		first, _, _ := strings.Cut(errs, "\n")
		return first
	}
	var got []string
	add := func(v string) { got = append(got, v) }
	ss.MustExec("socket unix") // s1
	add(val("sockname s1"))
	ss.MustExec("bind s1 " + p)
	ss.MustExec("listen s1")
	add(val("sockname s1"))
	add(tail("s1"))
	ss.MustExec("socket unix") // s2
	ss.MustExec("connect s2 " + p)
	add(val("peername s2"))
	add(val("sockname s2"))
	acc := val("accept s1") // s3  ''
	if name, addr, ok := strings.Cut(acc, "  "); !ok || name != "s3" {
		t.Fatalf("accept s1: %q", acc)
	} else {
		add(addr)
	}
	add(tail("s2"))
	add(tail("s3"))
	ss.MustExec("socket unix dgram") // s4
	ss.MustExec("bind s4 @" + abs)
	add(val("sockname s4"))
	add(tail("s4"))
	ss.MustExec("socket unix dgram") // s5
	add(val("sendto s5 hi @" + abs))
	add(val("recvfrom s4 100"))
	ss.MustExec("pair") // s6, s7
	add(tail("s6"))
	add(val("sockname s6"))
	add(val("peername s6"))
	ss.MustExec("socket unix") // s8
	ss.MustExec("bind s8 " + dead)
	ss.MustExec("close s8")
	ss.MustExec("socket unix") // s9
	add(errLine("bind s9 " + p))
	add(errLine("bind s9 " + long))
	add(errLine("connect s9 " + missing))
	add(errLine("connect s9 " + dead))
	ss.MustExec("socket unix dgram") // s10
	add(errLine("connect s10 " + p))
	add(errLine("connect s9 @" + nobody))
	ss.MustExec("socket tcp") // s11
	add(errLine("connect s11 " + p))
	add(errLine("connect s9 127.0.0.1 80"))

	if len(got) != len(want) {
		t.Fatalf("%d values, python3 printed %d:\n%q\n%q", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}

	// The hints say what is at the path, truly.
	for line, hint := range map[string]string{
		"bind s9 " + p:          "os.unlink('" + p + "')",
		"connect s9 " + missing: "there is no file " + missing,
		"connect s9 " + dead:    "the socket file " + dead + " is there but no socket is bound to it any more",
		"connect s10 " + p:      "is of another type",
		"bind s9 " + long:       "the path is 108 bytes",
	} {
		ss.AssertExecError(line, hint)
	}
	// The autobound name is the kernel's: NUL and five hex digits, as
	// Python shows it, and it is what the receiver sees.
	ss.MustExec("bind s5 ''")
	name := val("sockname s5")
	if !regexp.MustCompile(`^b'\\x00[0-9a-f]{5}'$`).MatchString(name) {
		t.Errorf("autobound sockname %s", name)
	}
	ss.MustExec("sendto s5 yo @" + abs)
	if got, want := val("recvfrom s4"), "(b'yo', "+name+")"; got != want {
		t.Errorf("recvfrom from an autobound socket: %s, want %s", got, want)
	}
}

// waitListening waits, bounded, until a socket listens at path, as the
// kernel's table of Unix sockets (/proc/net/unix) shows: a peer binds
// (the file appears) before it listens.
func waitListening(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(sockPeerTimeout)
	for {
		table, err := os.ReadFile("/proc/net/unix")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(table), "\n") {
			// Num RefCount Protocol Flags Type St Inode Path; Flags
			// 00010000 is __SO_ACCEPTCON: listening.
			if f := strings.Fields(line); len(f) == 8 && f[7] == path && f[3] == "00010000" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens at %s", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitOutput waits, bounded, until a peer has printed want.
func waitOutput(t *testing.T, p *testenv.Proc, want string) string {
	t.Helper()
	deadline := time.Now().Add(sockPeerTimeout)
	for {
		if out := p.Stdout.String(); strings.Contains(out, want) {
			return out
		}
		select {
		case <-p.Done():
			if out := p.Stdout.String(); strings.Contains(out, want) {
				return out
			}
			t.Fatalf("peer exited (%v) without printing %q: %q, stderr %q", p.Err(), want, p.Stdout.String(), p.Stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("peer never printed %q: %q", want, p.Stdout.String())
		}
	}
}

// socat and nc -U talk to the shell's Unix sockets and to its server on
// a path; SO_PEERCRED names the peer process, byte for byte.
func TestUnixPeers(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	nc := testenv.NeedPeer(t, "netcat-openbsd", "nc.openbsd", "nc")
	dir := t.TempDir()
	ss := newSockSession(t)

	// socat listens and echoes; the shell connects.
	echoPath := filepath.Join(dir, "socat.sock")
	peer := testenv.Start(t, nil, socat, "UNIX-LISTEN:"+echoPath, "PIPE")
	waitListening(t, echoPath)
	ss.MustExec("socket unix") // s1
	ss.MustExec("connect s1 " + echoPath)
	ss.AssertExec("sendall s1 hello", "5\n")
	ss.AssertExec("recv s1", "b'hello'\n")
	out := ss.MustExec("getsockopt s1 SO_PEERCRED")
	raw := make([]byte, 12)
	binary.NativeEndian.PutUint32(raw[0:], uint32(peer.Cmd.Process.Pid))
	binary.NativeEndian.PutUint32(raw[4:], uint32(os.Getuid()))
	binary.NativeEndian.PutUint32(raw[8:], uint32(os.Getgid()))
	if unixValue1(out) != shell.BytesRepr(raw) {
		t.Errorf("SO_PEERCRED: %q, want %s", out, shell.BytesRepr(raw))
	}
	if want := fmt.Sprintf("struct ucred: pid %d, uid %d, gid %d", peer.Cmd.Process.Pid, os.Getuid(), os.Getgid()); !strings.Contains(out, want) {
		t.Errorf("SO_PEERCRED note: %q, want %q", out, want)
	}
	ss.MustExec("close s1")
	select {
	case <-peer.Done():
	case <-time.After(sockPeerTimeout):
		t.Fatal("socat did not end after the shell closed its side")
	}

	// nc -U connects to the shell's listener.
	lp := filepath.Join(dir, "shell.sock")
	ss.MustExec("socket unix") // s2
	ss.MustExec("bind s2 " + lp)
	ss.MustExec("listen s2")
	client := testenv.Start(t, strings.NewReader("ping\n"), nc, "-U", lp)
	ss.AssertExec("accept s2", "s3  ''\n")
	ss.AssertExec("recv s3", "b'ping\\n'\n")
	ss.AssertExec("sendall s3 pong", "4\n")
	waitOutput(t, client, "pong")
	ss.AssertExec("close s3", "") // an accepted socket made no file
	if row := ss.sockRow("s2"); row["state"] != "LISTEN" || row["local"] != lp {
		t.Errorf("sockets row of s2: %v", row)
	}
	ss.AssertExec("close s2", "# the socket file "+lp+" stays after close, as in Python: a later bind there fails until it is removed (os.unlink('"+lp+"'))\n")
	if st, err := os.Stat(lp); err != nil || st.Mode()&os.ModeSocket == 0 {
		t.Errorf("%s after close: %v", lp, err)
	}

	// serve echo on a path: socat's bytes come back; stop removes the file.
	sp := filepath.Join(dir, "echo.sock")
	out = ss.MustExec("serve echo " + sp)
	if !strings.Contains(out, "echo1  echo server on the Unix socket "+sp) {
		t.Fatalf("serve echo %s: %q", sp, out)
	}
	c := exec.Command(socat, "-t", "5", "-", "UNIX-CONNECT:"+sp)
	c.Stdin = strings.NewReader("over the path\n")
	if got, err := c.Output(); err != nil || string(got) != "over the path\n" {
		t.Errorf("socat to serve echo %s: %q, %v", sp, got, err)
	}
	ss.MustExec("stop echo1")
	if _, err := os.Stat(sp); !os.IsNotExist(err) {
		t.Errorf("%s after stop: %v", sp, err)
	}
	// and on an abstract name, which socat reaches with ABSTRACT-CONNECT.
	abs := unixAbstract(t, "echo")
	ss.MustExec("serve echo @" + abs)
	c = exec.Command(socat, "-t", "5", "-", "ABSTRACT-CONNECT:"+abs)
	c.Stdin = strings.NewReader("abstract\n")
	if got, err := c.Output(); err != nil || string(got) != "abstract\n" {
		t.Errorf("socat to serve echo @%s: %q, %v", abs, got, err)
	}
	ss.MustExec("socket unix") // s4
	ss.MustExec("connect s4 @" + abs)
	ss.MustExec("sendall s4 x")
	ss.AssertExec("recv s4", "b'x'\n")
	ss.MustExec("close s4")
	ss.MustExec("stop all")
	// The server's events name the path.
	var msgs []string
	for _, e := range ss.Session.Events().Recent(0) {
		if strings.HasPrefix(e.Label, "echo/unix ") {
			msgs = append(msgs, e.Label+": "+e.Message)
		}
	}
	if all := strings.Join(msgs, "\n"); !strings.Contains(all, "echo/unix "+sp+": connection from a client") ||
		!strings.Contains(all, "echo/unix @"+abs+": closed a client after it closed its side") {
		t.Errorf("server events:\n%s", all)
	}
}

// Descriptors pass both ways between python3 and the shell; what comes is
// a registry socket of its true family and type, the same socket Python
// holds.
func TestUnixPassDescriptorsWithPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	p := filepath.Join(t.TempDir(), "fds.sock")
	ss := newSockSession(t)
	ss.MustExec("socket unix") // s1
	ss.MustExec("bind s1 " + p)
	ss.MustExec("listen s1")
	peer := testenv.Start(t, nil, py, "-c", fmt.Sprintf(`
import socket, os, sys
s = socket.socket(socket.AF_UNIX); s.connect(%q)
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
print('listener', repr(l), flush=True)
socket.send_fds(s, [b'x'], [l.fileno()])
r, w = os.pipe()
socket.send_fds(s, [b'p'], [r])
msg, fds, flags, addr = socket.recv_fds(s, 1024, 1)
t = socket.socket(fileno=fds[0])
print('got', msg, repr(t), flush=True)
s.recv(1)
`, p))
	ss.AssertExec("accept s1", "s2  ''\n")
	out := ss.MustExec("recvfd s2")
	listener := waitOutput(t, peer, ")>\n") // the whole listener line, not its first word alone
	m := regexp.MustCompile(`laddr=\('127\.0\.0\.1', (\d+)\)>`).FindStringSubmatch(listener)
	if m == nil {
		t.Fatalf("python3: %q", listener)
	}
	if want := "s3  <socket fd=" + strconv.Itoa(ss.sock("s3").FD()) + ", family=AF_INET, type=SOCK_STREAM, proto=6, laddr=('127.0.0.1', " + m[1] + ")>"; unixValue1(out) != want {
		t.Errorf("recvfd s2:\n got %q\nwant %q", out, want)
	}
	// It is Python's listening socket: a connect to its port is accepted here.
	if row := ss.sockRow("s3"); row["state"] != "LISTEN" {
		t.Errorf("s3 row: %v", row)
	}
	ss.MustExec("connect 127.0.0.1 " + m[1]) // s4
	if got := ss.MustExec("accept s3"); !strings.HasPrefix(got, "s5  ('127.0.0.1', ") {
		t.Errorf("accept s3: %q", got)
	}
	// A pipe is no socket: named and closed.
	out, errs := ss.Exec("recvfd s2")
	if errs != "" || !strings.Contains(out, "is a pipe, not a socket: closed it") {
		t.Errorf("recvfd of a pipe: %q %q", out, errs)
	}
	// The other way: a UDP socket of the shell, as Python sees it.
	ss.MustExec("socket udp") // s6
	ss.MustExec("bind s6 127.0.0.1 0")
	port := strings.TrimSuffix(strings.TrimPrefix(unixValue1(ss.MustExec("sockname s6")), "('127.0.0.1', "), ")")
	ss.AssertExec("sendfd s2 s6", "1\n# the receiver gets its own descriptor for s6's socket (fd "+strconv.Itoa(ss.sock("s6").FD())+" here); s6 stays open in this session too\n")
	got := waitOutput(t, peer, ", laddr=('127.0.0.1', "+port+")>\n") // the whole line
	if !regexp.MustCompile(`got b'x' <socket\.socket fd=\d+, family=2, type=2, proto=17, laddr=\('127\.0\.0\.1', ` + port + `\)>`).MatchString(got) {
		t.Errorf("python3 received: %q (port %s)", got, port)
	}
	ss.MustExec("close s2")
	select {
	case <-peer.Done():
	case <-time.After(sockPeerTimeout):
		t.Fatal("python3 did not end")
	}
}

// A pair fills with no reader: sendall stops at the first send that would
// block, at once, with the counts the kernel gives; draining the other
// end reads exactly what was taken.
func TestPairBuffersFill(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 4<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	ss := newSockSession(t)
	ss.MustExec("set timeout none") // no timeout: Python would wait for ever
	ss.MustExec("pair")             // s1, s2
	out, errs := ss.Exec("sendall s1 --file " + big)
	if !strings.HasPrefix(errs, "BlockingIOError: [Errno 11] Resource temporarily unavailable") {
		t.Fatalf("sendall on a full pair: %q %q", out, errs)
	}
	m := regexp.MustCompile(`# (\d+) of 4194304 bytes were sent before the error`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("sendall note: %q", out)
	}
	taken, _ := strconv.Atoi(m[1])
	sndbuf := unixValue1(ss.MustExec("getsockopt s1 SO_SNDBUF"))
	for _, want := range []string{"SO_SNDBUF here is " + sndbuf, fmt.Sprintf("s2 has %d bytes queued to read", taken), "recv s2 makes room"} {
		if !strings.Contains(errs, want) {
			t.Errorf("hint %q lacks %q", errs, want)
		}
	}
	// The socket is as it was: blocking again, and what was taken is there.
	if row := ss.sockRow("s1"); row["timeout"] != "none" || row["sent"] != m[1] {
		t.Errorf("s1 after: %v", row)
	}
	ss.MustExec("settimeout s2 0")
	for i := 0; ; i++ {
		if _, errs := ss.Exec("recv s2 65536"); errs != "" {
			if !strings.HasPrefix(errs, "BlockingIOError") {
				t.Fatalf("drain: %q", errs)
			}
			break
		}
		if i > 10000 {
			t.Fatal("recv s2 never ran dry")
		}
	}
	if row := ss.sockRow("s2"); row["received"] != m[1] {
		t.Errorf("s2 received %s, s1 had sent %d", row["received"], taken)
	}
	ss.AssertExec("sendall s1 again", "5\n")
	// A Unix peer that closes sends no FIN: the note says end of file.
	ss.AssertExec("recv s2", "b'again'\n")
	ss.MustExec("close s2")
	ss.AssertExec("recv s1", "b''\n# s1: the peer closed its socket or shut down its writing half: it will send nothing more (a Unix socket has no FIN, only this end of file); recv returned b''\n")
	if row := ss.sockRow("s1"); row["state"] != "CONNECTED (peer closed)" {
		t.Errorf("s1 after its peer closed: %v", row)
	}

	// Datagrams too: each send takes one whole, until the kernel refuses.
	ss.MustExec("pair dgram")                                                         // s3, s4
	ss.AssertExecError("send s3 --file "+big, "OSError: [Errno 90] Message too long") // 4 MiB: more than one datagram holds
	sent := 0
	for {
		_, errs := ss.Exec("send s3 " + strings.Repeat("d", 1000))
		if errs != "" {
			if !strings.HasPrefix(errs, "BlockingIOError") || !strings.Contains(errs, "nothing can read s4") {
				t.Fatalf("send on a full dgram pair: %q", errs)
			}
			break
		}
		if sent++; sent > 100000 {
			t.Fatal("the datagram pair never filled")
		}
	}
	ss.MustExec("settimeout s4 0")
	got := 0
	for {
		out, errs := ss.Exec("recv s4 2000")
		if errs != "" {
			break
		}
		if unixValue1(out) != "b'"+strings.Repeat("d", 1000)+"'" {
			t.Fatalf("datagram %d: %q", got, out)
		}
		got++
	}
	if got != sent {
		t.Errorf("%d datagrams sent, %d received", sent, got)
	}
	// python3 fills a pair of its own at the same count: the kernel's
	// accounting, not the shell's, decides it.
	pyCount := strings.TrimSpace(pyRun(t, `
import socket
a, b = socket.socketpair(type=socket.SOCK_DGRAM); a.setblocking(False); n = 0
try:
    while True: a.send(b'd' * 1000); n += 1
except BlockingIOError: print(n)
`))
	if strconv.Itoa(sent) != pyCount {
		t.Errorf("the shell's pair took %d datagrams of 1000 bytes, python3's %s", sent, pyCount)
	}

	// With a timeout the hint says Python would time out, not wait for ever.
	ss.MustExec("pair") // s5, s6
	ss.MustExec("settimeout s5 2.5")
	ss.AssertExecError("sendall s5 --file "+big, "so this send could only wait out its timeout (2.5 s) and raise TimeoutError")
	if row := ss.sockRow("s5"); row["timeout"] != "2.5" {
		t.Errorf("s5's timeout after: %v", row)
	}
}

// explain shows the real system calls; the timeline and the events name
// the paths.
func TestUnixExplainAndTimeline(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.sock")
	ss := newSockSession(t)
	ss.MustExec("explain on")
	out := ss.MustExec("socket unix dgram")
	fd := ss.sock("s1").FD()
	for _, want := range []string{">>> s1 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
		fmt.Sprintf("socket(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0) = %d", fd)} {
		if !strings.Contains(out, want) {
			t.Errorf("socket unix dgram: %q lacks %q", out, want)
		}
	}
	out = ss.MustExec("bind s1 " + p)
	for _, want := range []string{">>> s1.bind('" + p + "')", fmt.Sprintf(`bind(%d, {AF_UNIX, sun_path=%q}) = 0`, fd, p)} {
		if !strings.Contains(out, want) {
			t.Errorf("bind: %q lacks %q", out, want)
		}
	}
	ss.MustExec("socket unix dgram") // s2
	out = ss.MustExec("bind s2 @" + unixAbstract(t, "x"))
	if want := fmt.Sprintf(`bind(%d, {AF_UNIX, sun_path=@%q}) = 0`, ss.sock("s2").FD(), unixAbstract(t, "x")); !strings.Contains(out, want) {
		t.Errorf("bind @: %q lacks %q", out, want)
	}
	if want := ">>> s2.bind('\\x00" + unixAbstract(t, "x") + "')"; !strings.Contains(out, want) {
		t.Errorf("bind @: %q lacks %q", out, want)
	}
	out = ss.MustExec("sockname s2")
	if want := fmt.Sprintf(`getsockname(%d, {AF_UNIX, sun_path=@%q}) = 0`, ss.sock("s2").FD(), unixAbstract(t, "x")); !strings.Contains(out, want) {
		t.Errorf("sockname of an abstract name: %q lacks %q", out, want)
	}
	out = ss.MustExec("sendto s2 hi " + p)
	if want := fmt.Sprintf(`sendto(%d, 2 bytes, {AF_UNIX, sun_path=%q}) = 2`, ss.sock("s2").FD(), p); !strings.Contains(out, want) {
		t.Errorf("sendto: %q lacks %q", out, want)
	}
	out = ss.MustExec("pair")
	if !regexp.MustCompile(`>>> s3, s4 = socket\.socketpair\(\)\n.*socketpair\(AF_UNIX, SOCK_STREAM\|SOCK_NONBLOCK\|SOCK_CLOEXEC, 0, \[\d+, \d+\]\) = 0`).MatchString(out) {
		t.Errorf("pair: %q", out)
	}
	out = ss.MustExec("sendfd s3 s1")
	if want := fmt.Sprintf("sendmsg(%d, {1 byte, SCM_RIGHTS [%d]}, MSG_NOSIGNAL) = 1", ss.sock("s3").FD(), fd); !strings.Contains(out, want) {
		t.Errorf("sendfd: %q lacks %q", out, want)
	}
	ss.MustExec("explain off")
	ss.MustExec("recvfd s4") // s5
	ss.MustExec("recvfrom s5")

	var lines []string
	for _, e := range ss.Session.Events().Recent(0) {
		if e.Resource != "" && e.Kind != "command" {
			lines = append(lines, e.Resource+" "+string(e.Kind)+": "+e.Message)
		}
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"s1 bound: bound to " + p,
		"s2 bound: bound to @" + unixAbstract(t, "x"),
		"s2 sent: sent 2 bytes to " + p + " with sendto",
		"s3 created: created by socketpair (AF_UNIX SOCK_STREAM",
		"s5 created: received as a descriptor over fd " + strconv.Itoa(ss.sock("s4").FD()) + " (AF_UNIX SOCK_DGRAM",
		"s5 received: received 2 bytes from @" + unixAbstract(t, "x") + " with recvfrom",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("events lack %q:\n%s", want, all)
		}
	}
	// The events' fields carry the paths, for the views that read them.
	fields := map[string]string{}
	for _, e := range ss.Session.Events().Recent(0) {
		for _, a := range e.Attrs {
			if a.Key == "address" || a.Key == "peer" {
				fields[e.Resource+" "+string(e.Kind)+" "+a.Key] = fmt.Sprint(a.Value)
			}
		}
	}
	for k, v := range map[string]string{"s1 bound address": p, "s2 bound address": "@" + unixAbstract(t, "x"),
		"s2 sent peer": p, "s5 received peer": "@" + unixAbstract(t, "x")} {
		if fields[k] != v {
			t.Errorf("event field %s = %q, want %q (all: %v)", k, fields[k], v, fields)
		}
	}
	tl := ss.MustExec("timeline s1")
	if !strings.Contains(tl, "bound to "+p) {
		t.Errorf("timeline s1:\n%s", tl)
	}
	// The received socket is s1's: what s2 sent is queued for both.
	if row := ss.sockRow("s5"); row["local"] != p || row["type"] != "SOCK_DGRAM" {
		t.Errorf("s5 row: %v", row)
	}
}

// Bad input gets one clear error each; completion offers paths.
func TestUnixBadInputAndCompletion(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "here.sock"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp")  // s1
	ss.MustExec("socket unix") // s2
	for line, want := range map[string]string{
		"socket unix tcp":                  "UsageError: tcp is an Internet protocol; a Unix socket's type is stream, dgram or seqpacket: socket unix stream",
		"pair raw":                         "UsageError",
		"sendfd s2":                        "UsageError: missing argument",
		"sendfd s1 s2":                     "OSError: [Errno 95] Operation not supported",
		"recvfd s1":                        "OSError: [Errno 95] Operation not supported",
		"recvfd":                           "UsageError: missing argument",
		"sendfd s2 s9":                     "NameError",
		"recvfd s2":                        "OSError: [Errno 22] Invalid argument\n  hint: a Unix stream socket that is not connected",
		"bind s1 " + dir + "/x":            "TypeError: bind(): AF_INET address must be tuple, not str",
		"sendto s1 hi /tmp/x":              "TypeError: sendto(): AF_INET address must be tuple, not str",
		"bind s2 127.0.0.1 0":              "TypeError: a bytes-like object is required, not 'tuple'",
		"serve echo /tmp/x --udp":          "UsageError: a Unix path is served over a stream socket here",
		"serve echo " + dir + "/here.sock": "OSError: [Errno 98] Address already in use",
	} {
		ss.AssertExecError(line, want)
	}
	ss.MustExec("close s2")
	ss.AssertExecError("sendfd s1 s2", "OSError: [Errno 9] Bad file descriptor")

	ss.MustExec("socket unix") // s3
	s := ss.Session
	for line, want := range map[string]string{
		"bind s3 " + dir + "/he":     dir + "/here.sock",
		"connect s3 " + dir + "/he":  dir + "/here.sock",
		"sendto s3 hi " + dir + "/h": dir + "/here.sock",
		"socket unix s":              "seqpacket",
		"pair d":                     "dgram",
	} {
		got, _ := s.Complete(line)
		if want != "" && !containsStr(got, want) {
			t.Errorf("Complete(%q) = %q, want %q among them", line, got, want)
		}
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
