package commands

// Socket options (sockopt.go): values Python refuses, what a 0 means in the
// table, linger, and the hint for an option that cannot be set.

import (
	"fmt"
	"strings"
	"testing"
)

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

// A negative linger time is refused with a message that says what is wrong
// with it (it said linger is "two integers", and -1 is one).
func TestLingerNegativeSeconds(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	_, errs := ss.Exec("setsockopt s1 SO_LINGER 1,-1")
	if !strings.Contains(errs, "linger SECONDS is a count from 0, not -1") {
		t.Errorf("setsockopt s1 SO_LINGER 1,-1: %q", errs)
	}
	if out := ss.MustExec("getsockopt s1 SO_LINGER"); !strings.Contains(out, "SO_LINGER: off") {
		t.Errorf("after the refused value: %q", out)
	}
}

// The options table says what a 0 means where 0 is not a count: the
// kernel's "off" or "the system default". TCP_NOTSENT_LOWAT 0 read as "not
// writable above 0 unsent bytes", TCP_USER_TIMEOUT 0 as "dropped at once".
func TestOptionTableZeroMeanings(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	out := ss.MustExec("getsockopt s1")
	for _, want := range []string{
		"(0: no such limit; the retransmission count decides)",
		"(0: net.ipv4.tcp_notsent_lowat decides, by default no limit)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("getsockopt s1 lacks %q:\n%s", want, out)
		}
	}
}

// setsockopt SO_SNDLOWAT is ENOPROTOOPT on Linux, as in python3, though the
// option exists (getsockopt reads 1): the hint does not say it does not exist.
func TestSetReadOnlyOptionHint(t *testing.T) {
	got := pyRun(t, `import socket
s = socket.socket()
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDLOWAT))
try:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDLOWAT, 2)
except OSError as e:
    print(e.errno)`)
	if got != "1\n92\n" {
		t.Fatalf("python3 gave %q", got)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	_, errs := ss.Exec("setsockopt s1 SO_SNDLOWAT 2")
	if !strings.HasPrefix(errs, "OSError: [Errno 92] Protocol not available") || strings.Contains(errs, "does not exist") {
		t.Errorf("setsockopt s1 SO_SNDLOWAT 2: %q", errs)
	}
}
