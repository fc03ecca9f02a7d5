package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// Issue 7, items 25, 26, 35: where an error came from, scripts with a byte
// order mark and an exit status, and file names that reach the terminal.

// TestErrorsNameTheLine: in -c and piped modes an error says which line
// failed, as a script's FILE:LINE does.
func TestErrorsNameTheLine(t *testing.T) {
	o := runBinary(t, "", "-c", "servport http\nservport nosuch")
	if o.code != 1 || o.stdout != "80\n" || !strings.HasPrefix(o.stderr, "-c:2: OSError: service/proto not found\n") {
		t.Errorf("-c: status %d, stdout %q, stderr %q; want -c:2:", o.code, o.stdout, o.stderr)
	}
	o = runBinary(t, "servport http\n# a comment\n\nservname 53 udp\nservport nosuch\nservport smtp\n")
	if o.code != 1 || !strings.HasPrefix(o.stderr, "stdin:5: OSError: service/proto not found\n") || strings.Contains(o.stdout, "25") {
		t.Errorf("stdin: status %d, stdout %q, stderr %q; want stdin:5:", o.code, o.stdout, o.stderr)
	}
}

// TestScriptBOMAndExitStatus: a script saved with a UTF-8 byte order mark
// runs its first line; `exit N` ends a run with status N.
func TestScriptBOMAndExitStatus(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "bom.sock")
	if err := os.WriteFile(script, []byte("\ufeffservport http\nexit 3\nservport smtp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := runBinary(t, "", script)
	if o.code != 3 || o.stdout != "80\n" || o.stderr != "" {
		t.Errorf("script: status %d, stdout %q, stderr %q; want 3, 80, nothing", o.code, o.stdout, o.stderr)
	}
	// The same file through source, and through a pipe.
	o = runBinary(t, "", "-c", "source "+script)
	if o.code != 3 || o.stdout != "80\n" || o.stderr != "" {
		t.Errorf("source: status %d, stdout %q, stderr %q; want 3, 80, nothing", o.code, o.stdout, o.stderr)
	}
	o = runBinary(t, "\ufeffservport http\nexit 0\n")
	if o.code != 0 || o.stdout != "80\n" || o.stderr != "" {
		t.Errorf("pipe: status %d, stdout %q, stderr %q; want 0, 80, nothing", o.code, o.stdout, o.stderr)
	}
	o = runBinary(t, "", "-c", "exit nine")
	if o.code != 1 || !strings.HasPrefix(o.stderr, "-c:1: UsageError: STATUS is a number from 0 to 255, not 'nine'") {
		t.Errorf("exit nine: status %d, stderr %q", o.code, o.stderr)
	}
}

// TestScriptNameIsEscaped: the FILE:LINE prefix is text from outside and
// goes through the same escaping as the message: a script named with an
// OSC sequence cannot set the terminal's title.
func TestScriptNameIsEscaped(t *testing.T) {
	dir := t.TempDir()
	name := "t\x1b]0;pwned\x07\u202e.sock"
	if err := os.WriteFile(filepath.Join(dir, name), []byte("servport nosuch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(what string, o outcome, want string) {
		t.Helper()
		if o.code != 1 || !strings.HasPrefix(o.stderr, want) || !isValidText(o.stderr) || strings.ContainsRune(o.stderr, '\u202e') {
			t.Errorf("%s: status %d, stderr %q; want it to start with %q, escaped", what, o.code, o.stderr, want)
		}
	}
	repr := `'t\x1b]0;pwned\x07\u202e.sock'`
	check("script", runBinary(t, "", filepath.Join(dir, name)), "'"+dir+`/t\x1b]0;pwned\x07\u202e.sock':1: OSError`)
	check("source", runBinary(t, "", "-c", "source "+StrReprForTest(filepath.Join(dir, name))), "'"+dir+`/t\x1b]0;pwned\x07\u202e.sock':1: OSError`)
	if o := runBinary(t, "", "--x\x1b]0;pwned\x07"); o.code != 2 || !strings.Contains(o.stderr, `-x\x1b]0;pwned\x07`) || !isValidText(o.stderr) {
		t.Errorf("unknown flag: status %d, stderr %q; want it escaped", o.code, o.stderr)
	}
	check("missing script", runBinary(t, "", filepath.Join(dir, "no"+name)), "sockshell: FileNotFoundError: [Errno 2] No such file or directory: '"+dir+`/no`+repr[1:])
}

// StrReprForTest quotes a path as a sockshell literal (the test's names
// hold no quote or backslash).
func StrReprForTest(s string) string { return "'" + s + "'" }

// TestBackgroundLinesAreEvents (item 28): a real `serve echo` and a real
// client (nc): the server's lines go to standard output as '#' comments,
// never to standard error, and each prints before the output of the first
// command that starts after it was logged.
func TestBackgroundLinesAreEvents(t *testing.T) {
	ncPath := testenv.NeedPeer(t, "netcat-openbsd", "nc")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sockshellBinary(t))
	cmd.Env = append(filteredEnv(), "NO_COLOR=1", "HOME="+t.TempDir())
	stdin, _ := cmd.StdinPipe()
	stdoutPipe, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewReader(stdoutPipe)
	// Port 0: the kernel picks a free port, and serve says which.
	fmt.Fprintf(stdin, "serve echo 127.0.0.1:0\n")
	first, err := out.ReadString('\n')
	port, perr := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(first, "echo1  echo server on 127.0.0.1:")))
	if err != nil || perr != nil || !strings.HasPrefix(first, "echo1  echo server on 127.0.0.1:") {
		t.Fatalf("serve echo printed %q (%v)", first, err)
	}
	// The real client: nc sends a line, half-closes, reads the echo, ends.
	nc := exec.CommandContext(ctx, ncPath, "-N", "127.0.0.1", fmt.Sprint(port))
	nc.Stdin = strings.NewReader("hello\n")
	echoed, err := nc.Output()
	if err != nil || string(echoed) != "hello\n" {
		t.Fatalf("nc got %q (%v)", echoed, err)
	}
	// stop waits for the server's connections to end, so their lines are
	// logged before it returns; servport starts after that.
	fmt.Fprintf(stdin, "stop echo1\nservport http\n")
	stdin.Close()
	rest, _ := io.ReadAll(out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("sockshell: %v; stderr %q", err, stderr.String())
	}
	if stderr.String() != "" {
		t.Errorf("stderr %q: background lines are not errors", stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(rest), "\n"), "\n")
	at := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i
			}
		}
		return -1
	}
	from := at(fmt.Sprintf("# [echo 127.0.0.1:%d] connection from 127.0.0.1:", port))
	closed := at(fmt.Sprintf("# [echo 127.0.0.1:%d] closed 127.0.0.1:", port))
	eighty := at("80")
	if from < 0 || closed < 0 || eighty < 0 || !(from < closed && closed < eighty) {
		t.Errorf("stdout after serve:\n%s\nwant the connection line, then the closed line, then 80", rest)
	}
}
