package commands

// Issue 14, hostile peers over plain TCP, each a real loopback peer driven
// through the shell's command path: an address that never answers (a
// listener whose accept queue is full), a reset mid-stream (SO_LINGER 0),
// a peer that accepts and never sends, one that sends for ever, one that
// drips, and a half-close. Each checks that the prompt comes back (by a
// timeout or Ctrl-C), memory stays bounded and the counters are exact.
// UDP: harden_peers_udp_test.go; gopher: harden_peers_gopher_test.go.

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// responsive checks the shell still answers a command after a case.
func responsive(t *testing.T, ss *sockSession) {
	t.Helper()
	ss.AssertExec("servport http tcp", "80\n")
}

func TestHostilePeerNeverAnswers(t *testing.T) {
	_, port := testenv.FullListener(t)
	ss := newSockSession(t)
	ss.MustExec("set timeout 0.3")
	for _, line := range []string{
		"connect s1 127.0.0.1 %d",
		"connect 127.0.0.1 %d",
		"gopher gopher://127.0.0.1:%d/",
	} {
		if line == "connect s1 127.0.0.1 %d" {
			ss.MustExec("socket tcp")
		}
		ss.AssertExecError(fmt.Sprintf(line, port), "TimeoutError: timed out")
		responsive(t, ss)
	}
	// The timed-out connect leaves s1 as Python leaves it; the others
	// (create_connection, the fetch) register nothing.
	if got := ss.sockets(); len(got) != 1 || got[0] != "s1" {
		t.Errorf("sockets after the timeouts: %v, want [s1]", got)
	}
	// With no timeout only Ctrl-C ends the wait: it does, at once. (s1's
	// connect is still in SYN_SENT in the kernel, as after a timeout in
	// Python: a new one is waited for.)
	ss.MustExec("set timeout none")
	for _, line := range []string{"connect 127.0.0.1 %d", "gopher gopher://127.0.0.1:%d/"} {
		before := synSent(port)
		r := startInterruptible(ss.Term, fmt.Sprintf(line, port))
		filesUntil(t, "a new connection in SYN_SENT", func() bool { return synSent(port) > before })
		if errs := r.interrupt(t); !strings.HasPrefix(errs, "KeyboardInterrupt") {
			t.Errorf("%s, Ctrl-C: %q, want KeyboardInterrupt", line, errs)
		}
		responsive(t, ss)
	}
}

// sockets lists the session's registered socket names.
func (ss *sockSession) sockets() []string {
	return (&gopherSession{Term: ss.Term, t: ss.t}).sockets()
}

func TestHostilePeerResetMidStream(t *testing.T) {
	const sent = 100000
	reset := func(c *net.TCPConn) {
		c.Write([]byte(strings.Repeat("x", sent)))
		io.ReadFull(c, make([]byte, 1)) // the client says it has seen enough to go on
		c.SetLinger(0)                  // close sends RST
	}
	dir := t.TempDir()
	for _, how := range []string{"recv", "--out", "--keep-partial"} {
		t.Run(how, func(t *testing.T) {
			port := sockGoPeer(t, reset)
			ss := newSockSession(t)
			ss.MustExec("socket tcp")
			ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
			ss.MustExec("recv s1 1")
			// The RST must come once every byte is here (a reset discards
			// what the sender still holds): the client says go when the
			// kernel holds them all.
			filesUntil(t, "the peer's bytes queued", func() bool {
				g, ok := ss.sock("s1").Glance()
				return ok && g.Waiting == sent-1
			})
			ss.MustExec("send s1 go")
			out := filepath.Join(dir, "r-"+strings.TrimLeft(how, "-"))
			var res, errs string
			switch how {
			case "recv":
				for i := 0; errs == "" && i < sent; i++ {
					_, errs = ss.Exec("recv s1 65536")
				}
			case "--out":
				res, errs = ss.Exec("recv s1 --out " + out)
			default:
				res, errs = ss.Exec("recv s1 --keep-partial --out " + out)
			}
			if !strings.Contains(errs, "ConnectionResetError: [Errno 104] Connection reset by peer") {
				t.Fatalf("errors %q, want ConnectionResetError", errs)
			}
			// Every byte the peer sent before its RST was counted, once.
			if row := ss.sockRow("s1"); row["received"] != strconv.Itoa(sent) || !strings.Contains(row["state"], "reset") {
				t.Errorf("sockets row %v, want %d bytes received and the reset", row, sent)
			}
			switch how {
			case "--out":
				if !strings.Contains(res, fmt.Sprintf("%d bytes arrived before the error", sent-1)) {
					t.Errorf("no count of what arrived: %q", res)
				}
				if names := testenv.DirNames(t, dir); len(names) != 0 {
					t.Errorf("a failed --out left %v", names)
				}
			case "--keep-partial":
				if st, err := os.Stat(out + ".partial"); err != nil || st.Size() != sent-1 {
					t.Errorf("partial file: %v, %v; want %d bytes", st, err, sent-1)
				}
				os.Remove(out + ".partial")
			}
			// As in Python, the reset is raised once; the next recv is b''.
			if res := ss.MustExec("recv s1"); !strings.HasPrefix(res, "b''\n") {
				t.Errorf("recv after the reset: %q", res)
			}
			responsive(t, ss)
		})
	}
}

func TestHostilePeerNeverSends(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free() // before the peer's cleanup waits for it, even on a failure
	port := sockGoPeer(t, func(c *net.TCPConn) {
		<-release
		c.Write([]byte("late"))
		io.Copy(io.Discard, c)
	})
	dir := t.TempDir()
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("settimeout s1 0.2")
	ss.AssertExecError("recv s1", "TimeoutError: timed out")
	out := filepath.Join(dir, "silent.bin")
	ss.AssertExecError("recv s1 --out "+out, "TimeoutError: timed out")
	if names := testenv.DirNames(t, dir); len(names) != 0 {
		t.Errorf("a timed-out --out left %v", names)
	}
	responsive(t, ss)
	// With no timeout, Ctrl-C ends recv and recv --out.
	ss.MustExec("settimeout s1 None")
	for _, line := range []string{"recv s1", "recv s1 --out " + out} {
		r := startInterruptible(ss.Term, line)
		if errs := r.interrupt(t); !strings.HasPrefix(errs, "KeyboardInterrupt") {
			t.Errorf("%s, Ctrl-C: %q, want KeyboardInterrupt", line, errs)
		}
		responsive(t, ss)
	}
	// The socket is as usable as Python's after a timeout: the late bytes
	// arrive whole.
	free()
	ss.AssertExec("recv s1", "b'late'\n")
	if row := ss.sockRow("s1"); row["received"] != "4" {
		t.Errorf("received %s, want 4", row["received"])
	}
}

// pattern is byte i of an endless stream: the content of any prefix can be
// checked.
func pattern(i int64) byte { return byte(i % 251) }

func TestHostilePeerSendsForever(t *testing.T) {
	var sent atomic.Int64
	port := sockGoPeer(t, func(c *net.TCPConn) {
		buf := make([]byte, 64<<10)
		for {
			base := sent.Load()
			for i := range buf {
				buf[i] = pattern(base + int64(i))
			}
			n, err := c.Write(buf)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	dir := t.TempDir()
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	// recv with no size takes at most its 4096 bytes, however much waits.
	ss.MustExec("recv s1")
	first, _ := strconv.Atoi(ss.sockRow("s1")["received"])
	if first == 0 || first > 4096 {
		t.Fatalf("recv with no size took %d bytes", first)
	}
	ss.MustExec("settimeout s1 1")
	path := filepath.Join(dir, "flood.bin")
	var errs, res string
	boundHeap(t, "recv --out from a peer that sends for ever", 32<<20, func() {
		r := startInterruptible(ss.Term, "recv s1 --keep-partial --out "+path)
		// A per-call timeout never fires while bytes keep coming: only
		// Ctrl-C ends it.
		filesUntil(t, "16 MiB sent", func() bool { return sent.Load() > 16<<20 })
		errs = r.interrupt(t)
		res = r.run.Output()
	})
	if !strings.HasPrefix(errs, "KeyboardInterrupt") {
		t.Fatalf("Ctrl-C: %q, want KeyboardInterrupt", errs)
	}
	f, err := os.Open(path + ".partial")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if !strings.Contains(res, fmt.Sprintf("%d bytes arrived before the error", st.Size())) {
		t.Errorf("the note's count differs from the file's %d bytes: %q", st.Size(), res)
	}
	// The file holds the stream from where recv left it, byte for byte.
	buf := make([]byte, 1<<20)
	for off := int64(0); ; {
		n, err := f.Read(buf)
		for i := 0; i < n; i++ {
			if buf[i] != pattern(int64(first)+off+int64(i)) {
				t.Fatalf("byte %d of the file is %d, want %d", off+int64(i), buf[i], pattern(int64(first)+off+int64(i)))
			}
		}
		off += int64(n)
		if err != nil {
			break
		}
	}
	if row := ss.sockRow("s1"); row["received"] != strconv.FormatInt(int64(first)+st.Size(), 10) {
		t.Errorf("received %s, want %d + %d", row["received"], first, st.Size())
	}
	os.Remove(path + ".partial")
	responsive(t, ss)
}

func TestHostilePeerDrips(t *testing.T) {
	const gap = 100 * time.Millisecond // a byte a second, made faster
	var sent atomic.Int64
	port := sockGoPeer(t, func(c *net.TCPConn) {
		for {
			if _, err := c.Write([]byte("z")); err != nil {
				return
			}
			sent.Add(1)
			time.Sleep(gap)
		}
	})
	dir := t.TempDir()
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("settimeout s1 5")
	ss.AssertExec("recv s1 1", "b'z'\n")
	path := filepath.Join(dir, "drip.bin")
	ss.MustExec("recv s1 --out " + path + " --max 3")
	testenv.WantFile(t, path, "zzz")
	// Without --max the drip never lets the per-call timeout fire;
	// Ctrl-C ends it and what arrived is counted exactly.
	r := startInterruptible(ss.Term, "recv s1 --keep-partial --out "+path+"2")
	at := sent.Load()
	filesUntil(t, "five more bytes", func() bool { return sent.Load() >= at+5 })
	errs := r.interrupt(t)
	if !strings.Contains(errs, "KeyboardInterrupt") {
		t.Fatalf("Ctrl-C: %q", errs)
	}
	b, err := os.ReadFile(path + "2.partial")
	if err != nil || strings.Trim(string(b), "z") != "" || len(b) < 4 {
		t.Fatalf("partial %q, %v", b, err)
	}
	if row := ss.sockRow("s1"); row["received"] != strconv.Itoa(1+3+len(b)) {
		t.Errorf("received %s, want %d", row["received"], 1+3+len(b))
	}
	responsive(t, ss)
}

func TestHostilePeerHalfClose(t *testing.T) {
	got := make(chan string, 1)
	port := sockGoPeer(t, func(c *net.TCPConn) {
		buf := make([]byte, 5)
		io.ReadFull(c, buf)
		c.Write([]byte("reply"))
		c.CloseWrite() // FIN: this side will send no more, and still reads
		rest, _ := io.ReadAll(c)
		got <- string(buf) + string(rest)
	})
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.AssertExec("send s1 hello", "5\n")
	ss.AssertExec("recv s1", "b'reply'\n")
	if out := ss.MustExec("recv s1"); !strings.HasPrefix(out, "b''\n") || !strings.Contains(out, "FIN") {
		t.Errorf("recv after the peer's FIN: %q, want b'' and a note naming the FIN", out)
	}
	// Our half is still open: the peer reads what we send until we shut it.
	ss.AssertExec("sendall s1 after", "5\n")
	ss.MustExec("shutdown s1 wr")
	if s := sockWait(t, got, "the peer's end of file"); s != "helloafter" {
		t.Errorf("the peer read %q, want helloafter", s)
	}
	if row := ss.sockRow("s1"); row["sent"] != "10" || row["received"] != "5" {
		t.Errorf("counters %v, want 10 sent, 5 received", row)
	}
	responsive(t, ss)
}
