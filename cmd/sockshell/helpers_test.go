package main

// Test helpers shared by this package's test files: the binary built once
// and run on piped input (runBinary), a screen (the built binary on a real
// pseudo-terminal, keys typed and the screen read), the environment the
// children get, a silent DNS server, and the checks several files make.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// waitLimit bounds each wait for the screen; it only guards against hangs.
const waitLimit = 10 * time.Second

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
	buildDir  string
)

// sockshellBinary builds cmd/sockshell once per test run.
func sockshellBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "sockshell-bin")
		if buildErr != nil {
			return
		}
		builtPath = filepath.Join(buildDir, "sockshell")
		out, err := exec.Command("go", "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtPath
}

// screen is a running sockshell on a pty and everything it has written.
type screen struct {
	t     *testing.T
	cmd   *exec.Cmd
	pty   *os.File
	mu    sync.Mutex
	cond  *sync.Cond
	out   bytes.Buffer // every byte, escape sequences included
	plain screenText   // the same without escape sequences
	mark  int          // offset in plain: Expect searches from here; a match moves it past the match
	eof   bool
	done  chan struct{} // closed when the process has exited
	state *os.ProcessState
	home  string
	xdg   string
}

// startScreen runs the binary on an 80x24 pty with a fresh HOME and
// XDG_STATE_HOME. The process is killed and reaped on cleanup.
func startScreen(t *testing.T, args ...string) *screen {
	t.Helper()
	return startScreenEnv(t, []string{"NO_COLOR=1"}, args...)
}

// startScreenEnv is startScreen with extra environment variables.
func startScreenEnv(t *testing.T, env []string, args ...string) *screen {
	t.Helper()
	return startScreenCols(t, 80, env, args...)
}

// startScreenCols is startScreenEnv on a pty cols columns wide.
func startScreenCols(t *testing.T, cols int, env []string, args ...string) *screen {
	t.Helper()
	bin := sockshellBinary(t)
	sc := &screen{t: t, home: t.TempDir(), xdg: t.TempDir(), done: make(chan struct{})}
	sc.cond = sync.NewCond(&sc.mu)
	sc.cmd = exec.Command(bin, args...)
	sc.cmd.Env = append(append(filteredEnv(), "HOME="+sc.home, "XDG_STATE_HOME="+sc.xdg, "TERM=xterm"), env...)
	f, err := pty.StartWithSize(sc.cmd, &pty.Winsize{Rows: 24, Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	sc.pty = f
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			sc.mu.Lock()
			sc.out.Write(buf[:n])
			sc.plain.feed(buf[:n])
			if err != nil {
				sc.plain.flush()
				sc.eof = true
			}
			sc.cond.Broadcast()
			sc.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		sc.cmd.Wait()
		sc.mu.Lock()
		sc.state = sc.cmd.ProcessState
		sc.mu.Unlock()
		close(sc.done)
	}()
	t.Cleanup(func() {
		select {
		case <-sc.done:
		default:
			sc.cmd.Process.Kill()
			<-sc.done
		}
		f.Close()
		if t.Failed() {
			t.Logf("screen:\n%s", sc.text())
		}
	})
	return sc
}

// filteredEnv is the test's environment without the variables the screen sets.
func filteredEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME", "XDG_STATE_HOME", "TERM", "NO_COLOR", "COLUMNS", "LINES":
			continue
		}
		env = append(env, kv)
	}
	return env
}

var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][AB012]|\a`)

// plain is the screen output without terminal escape sequences: the
// reference screenText.feed agrees with.
func plain(b []byte) string { return escapes.ReplaceAllString(string(b), "") }

func (sc *screen) text() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.plain.all()
}

// sinceMark is the screen's plain text after the mark.
func (sc *screen) sinceMark() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.plain.since(sc.mark)
}

// Type sends keys to the terminal.
func (sc *screen) Type(keys string) {
	sc.t.Helper()
	if _, err := sc.pty.Write([]byte(keys)); err != nil {
		sc.t.Fatalf("typing %q: %v", keys, err)
	}
}

// Enter types a line and Enter at the prompt and waits for readline's
// echo of the Enter, so that a later Expect(prompt) sees the prompt the
// line's end brings, never one of the prompts readline redraws at each key
// of the line's echo (a test that types on before the line has run has its
// keys echoed by the tty and, if a Ctrl-C follows, flushed unread).
func (sc *screen) Enter(line string) {
	sc.t.Helper()
	sc.Type(line + "\r")
	sc.Expect(regexp.QuoteMeta(line) + `\r\n`)
}

// Expect waits until the output after the mark (escape sequences removed)
// matches the pattern, and moves the mark past the match. The plain text
// is built once as the bytes come (screenText), and the mark is an offset
// into it, so a wait costs one regexp search per read from the pty.
func (sc *screen) Expect(pattern string) string {
	sc.t.Helper()
	re := regexp.MustCompile(pattern)
	timer := time.AfterFunc(waitLimit, func() {
		sc.mu.Lock()
		sc.cond.Broadcast()
		sc.mu.Unlock()
	})
	defer timer.Stop()
	deadline := time.Now().Add(waitLimit)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for {
		rest := sc.plain.since(sc.mark)
		if loc := re.FindStringIndex(rest); loc != nil {
			sc.mark += loc[1]
			return rest[loc[0]:loc[1]]
		}
		if sc.eof || time.Now().After(deadline) {
			sc.t.Fatalf("waiting for %q; the screen since the last match:\n%q", pattern, rest)
		}
		sc.cond.Wait()
	}
}

// Exit waits for the process to end and returns its exit status.
func (sc *screen) Exit() int {
	sc.t.Helper()
	select {
	case <-sc.done:
	case <-time.After(waitLimit):
		sc.t.Fatalf("sockshell did not exit; screen:\n%s", sc.text())
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.state.ExitCode()
}

const prompt = `>>> `

// raw is everything the screen received, escape sequences included.
func (sc *screen) raw() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.out.String()
}

// blackhole is a UDP socket on loopback that reads queries and never answers:
// a DNS server that is down, so a lookup through it blocks until cancelled.
type blackhole struct {
	conn    net.PacketConn
	queries atomic.Int64
}

// startBlackhole binds 127.0.0.1:0 and counts the datagrams that arrive until
// the socket is closed.
func startBlackhole() (*blackhole, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &blackhole{conn: c}
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := c.ReadFrom(buf); err != nil {
				return
			}
			b.queries.Add(1)
		}
	}()
	return b, nil
}

func (b *blackhole) port() int { return b.conn.LocalAddr().(*net.UDPAddr).Port }

// waitQuery waits until a query has arrived, or the deadline passes.
func (b *blackhole) waitQuery(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if b.queries.Load() > 0 {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// interruptGuard bounds how long the shell may take to end after SIGINT: a
// guard against waiting out the resolver (5 s a try), not a measure of speed.
const interruptGuard = 4 * time.Second

// boundPort reads the port of a printed address, "('127.0.0.1', 41234)".
func boundPort(t *testing.T, addr string) int {
	t.Helper()
	_, p, _ := strings.Cut(strings.TrimSuffix(addr, ")"), ", ")
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("no port in %q", addr)
	}
	return port
}

// outcome is what one run of the binary did.
type outcome struct {
	code           int
	stdout, stderr string
}

// runBinary runs the built sockshell with args and stdin, bounded by 20 s.
func runBinary(t *testing.T, stdin string, args ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sockshellBinary(t), args...)
	cmd.Env = append(filteredEnv(), "NO_COLOR=1", "HOME="+t.TempDir())
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("sockshell %q did not finish within 20s", args)
	}
	o := outcome{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		o.code = ee.ExitCode()
	default:
		t.Fatalf("sockshell %q: %v\nstderr: %s", args, err, errb.String())
	}
	return o
}

// isValidText reports whether s is UTF-8 without control characters other
// than newline and tab.
func isValidText(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' || r < ' ' && r != '\n' && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

// startReaped starts cmd and returns a wait for its end: the error Wait
// gave, and false if it had not ended within limit. A process still
// running when the test ends is killed and reaped then.
func startReaped(t *testing.T, cmd *exec.Cmd) (wait func(limit time.Duration) (error, bool)) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	reaped := false
	t.Cleanup(func() {
		if !reaped {
			cmd.Process.Kill()
			<-done
		}
	})
	return func(limit time.Duration) (error, bool) {
		select {
		case err := <-done:
			reaped = true
			return err, true
		case <-time.After(limit):
			return nil, false
		}
	}
}

// skipIfIgnored skips a test that ends a child with sig when this process
// ignores sig (started under nohup, which ignores SIGHUP): a child
// inherits the ignore, and sockshell keeps nohup's SIGHUP ignored on
// purpose (shell/signals.go), so the child would rightly not end.
func skipIfIgnored(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if signal.Ignored(sig) {
		t.Skipf("%v is ignored in this process (nohup?): the child would inherit that and rightly not end", sig)
	}
}
