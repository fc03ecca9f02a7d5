package commands

// Unix sockets with real peers: socat, nc -U, SO_PEERCRED, descriptors
// passed to and from python3.

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
