package commands

// Unix domain sockets against the reference: python3 runs the same calls
// and prints what they return and raise, and the shell must print the
// same. Real peers are in unix_peers_test.go, a pair's buffers in
// unix_pair_test.go.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
