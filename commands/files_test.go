package commands

// Files read and written by the socket commands and source (files.go):
// recv --out and --force, --keep-partial, send's file errors, FIFOs, and a
// large script (issue 7, items 1-3, 31, 38): real files in t.TempDir(),
// real FIFOs, real peers on loopback, and a cancel in the middle of a
// transfer. Gopher downloads are in download_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

func filesWait(t *testing.T, done <-chan string, what string) string {
	t.Helper()
	select {
	case errs := <-done:
		return errs
	case <-time.After(filesBound):
		t.Fatalf("%s hangs", what)
		return ""
	}
}

// filesDripPeer sends head, then keeps the connection open and quiet until
// the test ends: a transfer that is stuck half way.
func filesDripPeer(t *testing.T, head string) int {
	quiet := make(chan struct{})
	port := sockGoPeer(t, func(c *net.TCPConn) {
		c.Write([]byte(head))
		select {
		case <-quiet:
		case <-time.After(sockPeerTimeout):
		}
	})
	t.Cleanup(func() { close(quiet) })
	return port
}

// Item 1: recv --out never replaces an existing file without --force, and
// with --force only at success; the data stays queued when it refuses.
func TestRecvOutNeverClobbers(t *testing.T) {
	ss := newSockSession(t)
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.txt")
	os.WriteFile(keep, []byte("precious\n"), 0o644)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("sendall s1 hello")
	ss.MustExec("shutdown s1 wr")
	out, errs := ss.Exec("recv s1 --out " + keep)
	if want := fmt.Sprintf("FileExistsError: [Errno 17] File exists: %s\n", shell.StrRepr(keep)); !strings.HasPrefix(errs, want) || out != "" {
		t.Fatalf("recv --out over a file: %q %q, want %q", out, errs, want)
	}
	testenv.WantFile(t, keep, "precious\n")
	if got := ss.MustExec("recv s1 --out " + keep + " --force"); !strings.HasPrefix(got, fmt.Sprintf("5\n# 5 bytes written to %s; ", keep)) {
		t.Errorf("recv --out --force printed %q", got)
	}
	testenv.WantFile(t, keep, "hello")
	if names := testenv.DirNames(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want keep.txt alone", names)
	}
}

// Item 1: a cancelled transfer leaves no half file, never touches an
// existing one, and with --keep-partial keeps what came as FILE.partial.
func TestRecvOutCancelLeavesNoHalfFile(t *testing.T) {
	for _, tc := range []struct {
		name, flags string
		existing    bool
	}{
		{"new", "", false},
		{"force", " --force", true},
		{"keep-partial", " --keep-partial", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss := newSockSession(t)
			port := filesDripPeer(t, "first half")
			dir := t.TempDir()
			target := filepath.Join(dir, "dl")
			if tc.existing {
				os.WriteFile(target, []byte("old"), 0o644)
			}
			ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			run := ss.StartContext(ctx, "recv s1 --out "+target+tc.flags)
			done := run.Done()
			// Mid-transfer: the first bytes are in the temporary file.
			filesUntil(t, "the first bytes on disk", func() bool { return filesTempHolds(t, dir, "dl", 10) })
			cancel()
			if errs := filesWait(t, done, "recv --out after a cancel"); !strings.HasPrefix(errs, "KeyboardInterrupt") {
				t.Fatalf("stderr %q", errs)
			}
			names := testenv.DirNames(t, dir)
			switch tc.name {
			case "new":
				if len(names) != 0 {
					t.Errorf("a cancelled transfer left %v", names)
				}
			case "force":
				testenv.WantFile(t, target, "old")
				if len(names) != 1 {
					t.Errorf("directory holds %v, want the old file alone", names)
				}
			case "keep-partial":
				testenv.WantFile(t, target+".partial", "first half")
				if len(names) != 1 {
					t.Errorf("directory holds %v, want dl.partial alone", names)
				}
				if got := run.Output(); !strings.Contains(got, "10 bytes arrived before the error, kept in "+target+".partial") {
					t.Errorf("no note of the kept bytes: %q", got)
				}
			}
		})
	}
}

// Item 2 and its kind: no option is dropped silently.
func TestRecvOptionCombinations(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	x := filepath.Join(t.TempDir(), "x")
	for line, want := range map[string]string{
		"recv s1 --hex --out " + x: "UsageError: --out saves the bytes as they came; --hex is for showing them",
		"recv s1 --force":          "UsageError: --force goes with --out",
		"recv s1 --keep-partial":   "UsageError: --keep-partial goes with --out",
	} {
		if _, errs := ss.Exec(line); !strings.HasPrefix(errs, want) {
			t.Errorf("%s: %q, want %q", line, errs, want)
		}
	}
	if _, err := os.Stat(x); err == nil {
		t.Error("recv --hex --out made the file")
	}
}

// Item 3: open errors name the file as Python does, and no byte count is
// mentioned when none could have been sent.
func TestSendFileErrorsNameTheFile(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	ss := newSockSession(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	dir := t.TempDir()
	missing := filepath.Join(dir, "nonexistent")
	for _, line := range []string{"sendfile s1 " + dir, "sendfile s1 " + missing, "sendall s1 --file " + dir, "send s1 --file " + missing} {
		file := strings.Fields(line)[len(strings.Fields(line))-1]
		pyOut, err := exec.Command(py, "-c", `import sys
try:
    open(sys.argv[1], 'rb').read()
except OSError as e:
    print(type(e).__name__ + ": " + str(e))`, file).Output()
		if err != nil {
			t.Fatal(err)
		}
		out, errs := ss.Exec(line)
		if errs != string(pyOut) {
			t.Errorf("%s: %q, Python says %q", line, errs, pyOut)
		}
		if out != "" {
			t.Errorf("%s: printed %q; nothing was sent, so nothing is to be said of bytes", line, out)
		}
	}
}

// Item 31: a FIFO never hangs a command: each waits in the poller and
// ends at Ctrl-C (the context's cancel); with a writer or reader, data flows.
func TestFIFOCommandsEndOnCancel(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"source " + fifo, "sendall s1 --file " + fifo, "sendfile s1 " + fifo, "recv s1 --out " + fifo} {
		ctx, cancel := context.WithCancel(context.Background())
		done := ss.StartContext(ctx, line).Done()
		select {
		case errs := <-done:
			t.Errorf("%s ended before the cancel: %q", line, errs)
			cancel()
			continue
		case <-time.After(50 * time.Millisecond):
		}
		cancel()
		if errs := filesWait(t, done, line); !strings.HasPrefix(errs, "KeyboardInterrupt") {
			t.Errorf("%s: %q, want KeyboardInterrupt", line, errs)
		}
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", st, err)
	}
	// send reads whole files: a FIFO is refused at once, naming it.
	if _, errs := ss.Exec("send s1 --file " + fifo); !strings.HasPrefix(errs, "OSError: "+shell.StrRepr(fifo)+" is a FIFO (named pipe), not a regular file") {
		t.Errorf("send --file FIFO: %q", errs)
	}
	// With a writer, sendall --file streams what it writes.
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			w.Write([]byte("through a fifo"))
			w.Close()
		}
	}()
	if got := ss.MustExec("sendall s1 --file " + fifo); got != "14\n" {
		t.Errorf("sendall --file FIFO with a writer: %q", got)
	}
	if got := ss.MustExec("recv s1"); got != "b'through a fifo'\n" {
		t.Errorf("echoed %q", got)
	}
}

// Item 38: source streams its file: a script over 16 MiB runs whole, and
// its last line is not cut.
func TestSourceStreamsLargeFile(t *testing.T) {
	ss := newSockSession(t)
	script := filepath.Join(t.TempDir(), "big.sock")
	f, err := os.Create(script)
	if err != nil {
		t.Fatal(err)
	}
	comment := "# " + strings.Repeat("padding ", 127) + "\n" // 1 KiB a line
	for range 17 << 10 {
		f.WriteString(comment)
	}
	f.WriteString("servport http\nservport https\n")
	f.Close()
	if got := ss.MustExec("source " + script); got != "80\n443\n" {
		t.Errorf("source of a 17 MiB script printed %q, want both of its last commands", got)
	}
}

// Item 2's kind: --hex was dropped in JSON; there it adds the hex digits.
func TestRecvHexHonouredInJSON(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	_, uport := ss.serve("echo 127.0.0.1:0 --udp")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("socket udp")
	ss.MustExec("sendall s1 'hi\\x00'")
	ss.MustExec(fmt.Sprintf("sendto s2 'hi\\x00' 127.0.0.1 %d", uport))
	ss.MustExec("set format json")
	for line, pick := range map[string]func(any) any{
		"recv s1 --hex":     func(r any) any { return r },
		"recvfrom s2 --hex": func(r any) any { return r.([]any)[0] },
	} {
		// Background servers' events are JSON documents too, captured
		// apart: the results are the command's one document.
		var doc struct {
			Command string
			Result  any
		}
		out := ss.MustExec(line)
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Command != line {
			t.Fatalf("%s: %v in %q", line, err, out)
		}
		b, ok := pick(doc.Result).(map[string]any)
		if !ok || b["hex"] != "686900" || b["repr"] != `b'hi\x00'` {
			t.Errorf("%s: result %v, want the bytes with \"hex\": \"686900\"", line, doc.Result)
		}
	}
}
