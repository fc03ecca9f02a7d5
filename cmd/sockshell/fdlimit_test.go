package main

// The shell at the process's descriptor limit (issue 14): the built binary
// with RLIMIT_NOFILE 64, as `ulimit -n 64` leaves it.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockshell/sockshell/shell/testenv"
)

// fdLimit is the limit the tests set, as `ulimit -n 64` does.
const fdLimit = 64

// limited is a sockshell run on piped input with RLIMIT_NOFILE fdLimit.
type limited struct {
	t     *testing.T
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *testenv.Buffer // stdout and stderr, in the order written
	doneC chan struct{}
}

// startLimited starts the binary with --keep-going and lowers its
// descriptor limit (soft and hard) to fdLimit before any command is sent:
// the Go runtime raised its soft limit at start, and prlimit(2) sets both.
func startLimited(t *testing.T) *limited {
	t.Helper()
	l := &limited{t: t, out: &testenv.Buffer{}, doneC: make(chan struct{})}
	l.cmd = exec.Command(sockshellBinary(t), "--keep-going")
	l.cmd.Env = append(filteredEnv(), "NO_COLOR=1", "HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir())
	l.cmd.Stdout, l.cmd.Stderr = l.out, l.out
	in, err := l.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	l.in = in
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { l.cmd.Wait(); close(l.doneC) }()
	t.Cleanup(func() {
		l.in.Close()
		select {
		case <-l.doneC:
		case <-time.After(20 * time.Second): // a hang guard
			l.cmd.Process.Kill()
			<-l.doneC
		}
	})
	lim := unix.Rlimit{Cur: fdLimit, Max: fdLimit}
	if err := unix.Prlimit(l.cmd.Process.Pid, unix.RLIMIT_NOFILE, &lim, nil); err != nil {
		t.Fatal(err)
	}
	return l
}

// say sends lines to the shell.
func (l *limited) say(lines ...string) {
	io.WriteString(l.in, strings.Join(lines, "\n")+"\n")
}

// expect waits until the output holds want n times in all (a hang guard of
// 20 s, not a timing check) and returns the output.
func (l *limited) expect(want string, n int) string {
	l.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out := l.out.String()
		if strings.Count(out, want) >= n {
			return out
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("waited for %d× %q; output:\n%s", n, want, out)
		}
	}
}

// pythonAtLimit is the line Python prints for socket.socket() at the
// limit: what the shell must say too. Python reads its script from a pipe,
// so its limit is lowered as the shell's is, before it runs the script.
func pythonAtLimit(t *testing.T) string {
	t.Helper()
	py := testenv.NeedPeer(t, "python3", "python3")
	cmd := exec.Command(py, "-")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lim := unix.Rlimit{Cur: fdLimit, Max: fdLimit}
	if err := unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_NOFILE, &lim, nil); err != nil {
		t.Fatal(err)
	}
	io.WriteString(in, `import socket
s = []
try:
    while True:
        s.append(socket.socket())
except OSError as e:
    print(f"{type(e).__name__}: {e}")
`)
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("python3: %v\n%s", err, out.String())
	}
	return strings.TrimSpace(out.String())
}

// TestSocketAtTheDescriptorLimit: with every descriptor in use, socket
// fails as Python's does, with a hint naming the limit, and the shell goes
// on: once a socket is closed, the next one gets its descriptor.
func TestSocketAtTheDescriptorLimit(t *testing.T) {
	want := pythonAtLimit(t) // OSError: [Errno 24] Too many open files
	l := startLimited(t)
	for range fdLimit + 4 {
		l.say("socket tcp")
	}
	out := l.expect(want, 2) // more sockets asked than there are descriptors
	first := regexp.MustCompile(`(?m)^s1 +<socket fd=(\d+),`).FindStringSubmatch(out)
	if first == nil {
		t.Fatalf("no s1 in:\n%s", out)
	}
	hint := fmt.Sprintf("hint: this process may have %d file descriptors open at once (RLIMIT_NOFILE, set by `ulimit -n` before it started) and all %d are in use: close a socket (`sockets` lists them) and try again", fdLimit, fdLimit)
	if !strings.Contains(out, hint) {
		t.Errorf("no hint %q in:\n%s", hint, out)
	}
	l.say("close s1", "socket tcp", "servport http tcp")
	out = l.expect("\n80\n", 1)
	// The new socket has s1's descriptor, the lowest free.
	made := regexp.MustCompile(`(?m)^(s\d+) +<socket fd=(\d+),`).FindAllStringSubmatch(out, -1)
	if got := made[len(made)-1]; got[2] != first[1] || len(made) > fdLimit {
		t.Errorf("after close s1: %s has fd %s, want s1's %s (%d sockets made)\n%s", got[1], got[2], first[1], len(made), out)
	}
}

// TestServerAcceptAtTheDescriptorLimit: a demo server whose accept fails
// with EMFILE says so once until accept works, pauses and tries again (it
// neither stops nor logs each try), and accepts the waiting client once a
// descriptor is free; the shell goes on.
func TestServerAcceptAtTheDescriptorLimit(t *testing.T) {
	l := startLimited(t)
	for range fdLimit {
		l.say("socket tcp")
	}
	l.expect("Too many open files", 1)
	l.say("close s1", "close s2", "serve echo 127.0.0.1:0")
	out := l.expect("echo server on 127.0.0.1:", 1)
	addr := regexp.MustCompile(`echo server on (127\.0\.0\.1:\d+)`).FindStringSubmatch(out)[1]
	const acceptEMFILE = "accept: OSError: [Errno 24] Too many open files (pausing"
	// Clients until one is not answered because accept failed: each one
	// accepted holds one of the shell's descriptors.
	var replied chan error
	for i := 0; ; i++ {
		if i > fdLimit {
			t.Fatalf("%d clients accepted at a limit of %d:\n%s", i, fdLimit, l.out.String())
		}
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(40 * time.Second)) // a hang guard
		fmt.Fprintf(c, "hi %d\n", i)
		replied = make(chan error, 1)
		go func(c net.Conn, replied chan<- error) {
			_, err := bufio.NewReader(c).ReadString('\n')
			replied <- err
		}(c, replied)
		// In piped mode a server's lines are printed between commands:
		// `servers` (which needs no descriptor) lets them out.
		if waitReplyOr(t, replied, func() bool {
			l.say("servers")
			return strings.Contains(l.out.String(), acceptEMFILE)
		}, l.out.String) {
			break // this client waits in the listen queue
		}
	}
	// The server is still there, and a freed descriptor lets it accept.
	l.say("close s3")
	select {
	case err := <-replied:
		if err != nil {
			t.Fatalf("the waiting client: %v\n%s", err, l.out.String())
		}
	case <-time.After(30 * time.Second): // a hang guard
		t.Fatalf("the waiting client was never answered:\n%s", l.out.String())
	}
	l.say("servers", "servport echo tcp")
	out = l.expect("\n7\n", 1)
	// Said once until accept works: at the limit accept(2) fails even with
	// no client waiting (the kernel takes the descriptor first), so each
	// connection accepted may be followed by one more such line, no more.
	said, accepted := strings.Count(out, acceptEMFILE), strings.Count(out, "] connection from ")
	if said < 1 || said > accepted+1 {
		t.Errorf("the accept error was said %d times for %d connections accepted, want 1 to %d:\n%s", said, accepted, accepted+1, out)
	}
	if !regexp.MustCompile(`\| echo1 +\| echo +\| ` + regexp.QuoteMeta(addr)).MatchString(out) {
		t.Errorf("servers does not list echo1 on %s:\n%s", addr, out)
	}
}

// waitReplyOr waits for a reply (false) or for cond (true); a hang guard
// of 20 s fails the test.
func waitReplyOr(t *testing.T, replied <-chan error, cond func() bool, out func() string) bool {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-replied:
			if err != nil {
				t.Fatal(err)
			}
			return false
		default:
		}
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			t.Fatalf("neither a reply nor the condition; output:\n%s", out())
		}
	}
}
