package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The interactive prompt, on a real pseudo-terminal: the built binary runs
// with the pty as its controlling terminal, the test types keys and reads the
// screen.

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
	out   bytes.Buffer
	mark  int // Expect searches from here; a match moves it past the match
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
			if err != nil {
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

// plain is the screen output without terminal escape sequences.
func plain(b []byte) string { return escapes.ReplaceAllString(string(b), "") }

func (sc *screen) text() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return plain(sc.out.Bytes())
}

// Type sends keys to the terminal.
func (sc *screen) Type(keys string) {
	sc.t.Helper()
	if _, err := sc.pty.Write([]byte(keys)); err != nil {
		sc.t.Fatalf("typing %q: %v", keys, err)
	}
}

// Expect waits until the output after the mark (escape sequences removed)
// matches the pattern, and moves the mark past the match.
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
		rest := plain(sc.out.Bytes()[sc.mark:])
		if loc := re.FindStringIndex(rest); loc != nil {
			// Move the mark in raw bytes: past the raw prefix whose plain form
			// covers the match.
			raw := sc.out.Bytes()[sc.mark:]
			for i := 0; i <= len(raw); i++ {
				if len(plain(raw[:i])) >= loc[1] {
					sc.mark += i
					break
				}
			}
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

func TestPromptOnPTY(t *testing.T) {
	sc := startScreen(t)
	sc.Expect(`sockshell \S+: Python's socket module at a prompt`)
	sc.Expect(prompt)

	// Tab on a command prefix lists the commands it could be.
	sc.Type("serv\t")
	sc.Expect(`servport`)
	got := sc.text()
	for _, c := range []string{"servname", "services"} {
		if !strings.Contains(got, c) {
			t.Errorf("completion of serv does not offer %s", c)
		}
	}
	// The first Ctrl-C closes the list, the second clears the line.
	sc.Type("\x03")
	sc.Type("\x03")
	sc.Expect(`\^C`)
	sc.Expect(prompt)

	// Tab completes a service name: "ht" becomes "http".
	sc.Type("servport ht\t")
	sc.Expect(`servport http`)
	sc.Type(" tcp\r")
	sc.Expect(`\r\n80\r\n`)
	sc.Expect(prompt)

	sc.Type("servname 53 udp\r")
	sc.Expect(`'domain'`)
	sc.Expect(prompt)

	// Up arrow recalls the last line; Enter runs it again.
	sc.Type("\x1b[A")
	sc.Expect(`servname 53 udp`)
	sc.Type("\r")
	sc.Expect(`'domain'`)
	sc.Expect(prompt)

	// Ctrl-R searches back for an earlier line.
	sc.Type("\x12")
	sc.Expect(`bck-i-search|reverse-i-search|search`)
	sc.Type("port ht")
	sc.Expect(`servport http tcp`)
	sc.Type("\r")
	sc.Expect(`\r\n80\r\n`)
	sc.Expect(prompt)

	// A line that starts with a space stays out of the history file.
	sc.Type(" servport smtp tcp\r")
	sc.Expect(`\r\n25\r\n`)
	sc.Expect(prompt)

	// Ctrl-C on a half-typed line clears it; the next line runs alone.
	sc.Type("servport nosu")
	sc.Expect(`nosu`)
	sc.Type("\x03")
	sc.Expect(`\^C`)
	sc.Expect(prompt)
	sc.Type("servname 80 tcp\r")
	sc.Expect(`'http'`)
	sc.Expect(prompt)
	if strings.Contains(sc.text(), "OSError") {
		t.Errorf("the cleared line ran:\n%s", sc.text())
	}

	// Ctrl-C during a blocking lookup: KeyboardInterrupt, then a new prompt.
	bh, err := startBlackhole()
	if err != nil {
		t.Fatal(err)
	}
	defer bh.conn.Close()
	sc.Type(fmt.Sprintf("set dns 127.0.0.1:%d; set timeout none\r", bh.port()))
	sc.Expect(prompt)
	sc.Type("resolve nosuch.test\r")
	if !bh.waitQuery(20 * time.Second) {
		t.Fatal("the lookup never reached the silent DNS server")
	}
	sc.Type("\x03")
	sc.Expect(`KeyboardInterrupt`)
	sc.Expect(prompt)
	// The same for a reverse lookup, which once waited out the resolver's
	// 5 s try (the limit is a hang guard, not a measure).
	before := bh.queries.Load()
	sc.Type("hostbyaddr 192.0.2.1\r")
	for deadline := time.Now().Add(20 * time.Second); bh.queries.Load() == before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the reverse lookup never reached the silent DNS server")
		}
	}
	sent := time.Now()
	sc.Type("\x03")
	sc.Expect(`KeyboardInterrupt`)
	if d := time.Since(sent); d > interruptGuard {
		t.Errorf("Ctrl-C took %v to end hostbyaddr (guard %v)", d.Round(time.Millisecond), interruptGuard)
	}
	sc.Expect(prompt)
	sc.Type("set dns system; servport http tcp\r")
	sc.Expect(`\r\n80\r\n`)
	sc.Expect(prompt)

	sc.Type("exit\r")
	if code := sc.Exit(); code != 0 {
		t.Errorf("exit: status %d, want 0", code)
	}

	// The history file: mode 0600, the typed lines, not the one with a space.
	hist := filepath.Join(sc.xdg, "sockshell", "history")
	fi, err := os.Stat(hist)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	h := string(data)
	for _, want := range []string{"servport http tcp", "servname 53 udp", "servname 80 tcp", "exit"} {
		if !strings.Contains(h, want+"\n") {
			t.Errorf("history lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "smtp") {
		t.Errorf("a line starting with a space is in the history:\n%s", h)
	}
	if strings.Contains(h, "servport nosu") {
		t.Errorf("a line cleared with Ctrl-C is in the history:\n%s", h)
	}
}

func TestCtrlDOnPTY(t *testing.T) {
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("servport http tcp\r")
	sc.Expect(`\r\n80\r\n`)
	sc.Expect(prompt)
	sc.Type("\x04")
	if code := sc.Exit(); code != 0 {
		t.Errorf("Ctrl-D: status %d, want 0", code)
	}
	// --no-history: no history file is made.
	if _, err := os.Stat(filepath.Join(sc.xdg, "sockshell", "history")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--no-history made a history file (stat: %v)", err)
	}
}

// TestInterruptExitStatus: SIGINT during a blocking -c lookup ends the run
// with KeyboardInterrupt on stderr and exit status 130, for every kind of
// lookup (a reverse lookup once waited out the resolver's 5 s try).
func TestInterruptExitStatus(t *testing.T) {
	bin := sockshellBinary(t)
	for _, lookup := range []string{"resolve nosuch.test", "resolve --all nosuch.test", "addrinfo nosuch.test 80",
		"hostbyaddr 192.0.2.1", "fqdn 192.0.2.1"} {
		t.Run(lookup, func(t *testing.T) { interruptLookup(t, bin, lookup) })
	}
}

// interruptGuard bounds how long the shell may take to end after SIGINT: a
// guard against waiting out the resolver (5 s a try), not a measure of speed.
const interruptGuard = 4 * time.Second

func interruptLookup(t *testing.T, bin, lookup string) {
	bh, err := startBlackhole()
	if err != nil {
		t.Fatal(err)
	}
	defer bh.conn.Close()
	cmd := exec.Command(bin, "-c", fmt.Sprintf("set dns 127.0.0.1:%d; set timeout none; %s; servport http", bh.port(), lookup))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	reaped := false
	defer func() {
		if !reaped {
			cmd.Process.Kill()
			<-done
		}
	}()
	if !bh.waitQuery(20 * time.Second) {
		t.Fatal("the lookup never reached the silent DNS server")
	}
	cmd.Process.Signal(syscall.SIGINT)
	var werr error
	select {
	case werr = <-done:
		reaped = true
	case <-time.After(interruptGuard):
		t.Fatalf("sockshell did not end within %v of SIGINT", interruptGuard)
	}
	var ee *exec.ExitError
	if !errors.As(werr, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130", werr)
	}
	if !regexp.MustCompile(`^-c:1:\d+: KeyboardInterrupt\n$`).MatchString(stderr.String()) {
		t.Errorf("stderr %q, want -c:1:COL: KeyboardInterrupt", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

// raw is everything the screen received, escape sequences included.
func (sc *screen) raw() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.out.String()
}

// Colour only on a terminal, and never with NO_COLOR set.
func TestColourOnATerminal(t *testing.T) {
	const red = "\x1b[31mOSError"
	sc := startScreenEnv(t, nil)
	sc.Expect(">>> ")
	sc.Type("servport nosuch\r")
	sc.Expect("service/proto not found")
	if !strings.Contains(sc.raw(), red) {
		t.Errorf("no red error on a terminal: %q", sc.raw())
	}
	sc.Type("set color\r")
	sc.Expect("color = on")

	nc := startScreen(t) // NO_COLOR=1
	nc.Expect(">>> ")
	nc.Type("servport nosuch\r")
	nc.Expect("service/proto not found")
	nc.Type("set color on\r")
	nc.Expect("colour is off for good")
	if strings.Contains(nc.raw(), "\x1b[31m") {
		t.Errorf("colour with NO_COLOR set: %q", nc.raw())
	}

	// NO_COLOR with an empty value is not set (no-color.org): colour stays on.
	empty := startScreenEnv(t, []string{"NO_COLOR="})
	empty.Expect(">>> ")
	empty.Type("servport nosuch\r")
	empty.Expect("service/proto not found")
	empty.Type("set color\r")
	empty.Expect("color = on")
	if !strings.Contains(empty.raw(), red) {
		t.Errorf("no colour with NO_COLOR empty: %q", empty.raw())
	}

	// Piped output is never coloured, NO_COLOR or not.
	cmd := exec.Command(sockshellBinary(t), "-c", "servport nosuch")
	cmd.Env = append(filteredEnv(), "HOME="+t.TempDir())
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "\x1b") {
		t.Errorf("colour in a pipe: %q", out)
	}
}
