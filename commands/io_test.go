package commands

// Data in and out of sockets (io.go): recv and its escapes, recv --out of
// large streams in bounded memory, --max, timeouts, sendfile, sendto --file.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/demo"
	"github.com/sockshell/sockshell/shell"
)

// A peer that sends terminal escape sequences: every way of showing the
// bytes escapes them; none reaches the terminal raw.
func TestSocketRecvEscapes(t *testing.T) {
	const hostile = "\x1b[2J\x1b]0;pwned\x07\x9b31m\x07\x00\r\nend\x7f"
	port := sockGoPeer(t, func(c *net.TCPConn) {
		buf := make([]byte, 1)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			c.Write([]byte(hostile))
		}
	})
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("sendall s1 x")
	if out := ss.MustExec("recv s1"); out != `b'\x1b[2J\x1b]0;pwned\x07\x9b31m\x07\x00\r\nend\x7f'`+"\n" {
		t.Errorf("recv printed %q", out)
	}
	for _, setup := range []string{"set format auto", "set format table", "set format python", "set format json", "explain on", "set color on"} {
		ss.MustExec(setup)
		var all string
		for _, line := range []string{"sendall s1 x; recv s1 --hex", "sendall s1 x; recv s1", "sendall s1 x; recvfrom s1", "sockets"} {
			out, errs := ss.Exec(line)
			if errs != "" {
				t.Fatalf("%s; %s: %s", setup, line, errs)
			}
			all += out
		}
		ss.MustExec("set color off; explain off; set format auto")
		if strings.Count(all, "end")+strings.Count(all, "ZW5k") < 3 {
			t.Errorf("%s: the data is missing from %q", setup, all)
		}
		if setup == "set color on" {
			// Colour codes are the shell's own; strip them before looking.
			all = regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(all, "")
		}
		for i := 0; i < len(all); i++ {
			if b := all[i]; b < 0x20 && b != '\n' || b >= 0x7f {
				t.Errorf("%s: raw byte %#x at %d of %q", setup, b, i, all)
				break
			}
		}
	}
}

// sockVmHWM is the process's peak resident set size, in bytes.
func sockVmHWM(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmHWM")
	return 0
}

// A peer that sends 1 GiB: recv --out writes exactly that, in bounded memory.
func TestSocketRecvOutOneGiB(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB through loopback")
	}
	const size = 1 << 30
	port := sockGoPeer(t, func(c *net.TCPConn) {
		c.SetDeadline(time.Now().Add(2 * sockPeerTimeout))
		buf := make([]byte, 1<<20)
		for n := 0; n < size; n += len(buf) {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
		c.CloseWrite()
		io.Copy(io.Discard, c)
	})
	out := filepath.Join(t.TempDir(), "zeros")
	ss := newSockSession(t)
	ss.MustExec("set timeout 60")
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	runtime.GC()
	before := sockVmHWM(t)
	start := time.Now()
	got := ss.MustExec("recv s1 --out " + out)
	elapsed := time.Since(start)
	after := sockVmHWM(t)
	if want := fmt.Sprintf("%d\n# %d bytes written to %s; the peer sent FIN: it will send nothing more (it closed its socket or shut down its writing half); recv returned b''\n", size, size, out); got != want {
		t.Errorf("recv --out printed %q, want %q", got, want)
	}
	st, err := os.Stat(out)
	if err != nil || st.Size() != size {
		t.Fatalf("file: %v, %v; want %d bytes", st, err, size)
	}
	if row := ss.sockRow("s1"); row["received"] != strconv.Itoa(size) {
		t.Errorf("received counter %s", row["received"])
	}
	t.Logf("1 GiB recv --out: %v; peak RSS %d MiB before, %d MiB after", elapsed.Round(time.Millisecond), before>>20, after>>20)
	if after-before > 256<<20 {
		t.Errorf("peak RSS grew by %d MiB for a streamed 1 GiB", (after-before)>>20)
	}
}

// A peer that never answers: recv times out, and the socket works after.
func TestSocketRecvTimeoutThenWorks(t *testing.T) {
	gate := make(chan struct{})
	port := sockGoPeer(t, func(c *net.TCPConn) {
		select {
		case <-gate:
		case <-time.After(sockPeerTimeout):
			return
		}
		c.Write([]byte("late\n"))
		io.Copy(io.Discard, c)
	})
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("settimeout s1 0.3")
	out, errs := ss.Exec("recv s1")
	if want := "TimeoutError: timed out\n  hint: the operation did not finish within the socket's timeout (settimeout)\n"; out != "" || errs != want {
		t.Fatalf("recv from a silent peer: stdout %q stderr %q, want %q", out, errs, want)
	}
	if row := ss.sockRow("s1"); row["state"] != "ESTABLISHED" || row["timeout"] != "0.3" {
		t.Errorf("after the timeout: %v", row)
	}
	close(gate)
	if out := ss.MustExec("recv s1"); out != "b'late\\n'\n" {
		t.Errorf("recv after the timeout: %q", out)
	}
	if out := ss.MustExec("send s1 ok"); out != "2\n" {
		t.Errorf("send after the timeout: %q", out)
	}
}

// sendfile and recv --out of 64 MiB of random bytes through a Go peer that
// hashes what it reads and sends the same file back.
func TestSocketSendfileRecvOutLarge(t *testing.T) {
	const size = 64 << 20
	dir := t.TempDir()
	in := filepath.Join(dir, "random")
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	data = nil
	want := hex.EncodeToString(sum[:])

	peerSum := make(chan string, 1)
	port := sockGoPeer(t, func(c *net.TCPConn) {
		h := sha256.New()
		n, err := io.CopyN(h, c, size)
		if err != nil {
			peerSum <- fmt.Sprintf("read %d: %v", n, err)
			return
		}
		peerSum <- hex.EncodeToString(h.Sum(nil))
		f, err := os.Open(in)
		if err != nil {
			return
		}
		defer f.Close()
		io.Copy(c, f)
		c.CloseWrite()
		io.Copy(io.Discard, c)
	})
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	if out := ss.MustExec("sendfile s1 " + in); out != fmt.Sprintf("%d\n", size) {
		t.Errorf("sendfile printed %q", out)
	}
	if got := sockWait(t, peerSum, "the peer's hash"); got != want {
		t.Fatalf("the peer read sha256 %s, the file is %s", got, want)
	}
	out := filepath.Join(dir, "back")
	if got := ss.MustExec("recv s1 --out " + out); !strings.HasPrefix(got, fmt.Sprintf("%d\n", size)) {
		t.Errorf("recv --out printed %q", got)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("recv --out wrote sha256 %s, want %s", got, want)
	}
	if row := ss.sockRow("s1"); row["sent"] != strconv.Itoa(size) || row["received"] != strconv.Itoa(size) {
		t.Errorf("counters: sent %s received %s, want %d each", row["sent"], row["received"], size)
	}
}

// recv --out --max stops at exactly BYTES against an endless peer (chargen),
// and the next recv goes on where it stopped: no byte is read and lost.
func TestRecvOutMax(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("chargen 127.0.0.1:0")
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	out := filepath.Join(t.TempDir(), "cg")
	// Past the 1 MiB that recvs gather before a write, and not a multiple of
	// a line or of a 64 KiB recv.
	const max = 1<<20 + 100003
	if got := ss.MustExec("recv s1 --out " + out + " --max " + strconv.Itoa(max)); !strings.HasPrefix(got, strconv.Itoa(max)+"\n") {
		t.Fatalf("recv --out --max printed %q", got)
	}
	var stream []byte
	for i := 0; len(stream) < max+200; i++ {
		stream = append(stream, demo.ChargenLine(i)...)
	}
	data, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(data, stream[:max]) {
		t.Fatalf("file has %d bytes (%v), not the first %d of the stream", len(data), err, max)
	}
	next := ss.MustExec("recv s1 10")
	if want := shell.BytesRepr(stream[max:max+10]) + "\n"; next != want {
		t.Errorf("the next recv gave %q, want %q", next, want)
	}
	if _, errs := ss.Exec("recv s1 --max 5"); !strings.Contains(errs, "--max goes with --out") {
		t.Errorf("--max without --out: %q", errs)
	}
}

// sendto --file sends the file as one datagram; DATA and --file together,
// or a missing PORT, are usage errors.
func TestSendtoFile(t *testing.T) {
	ss := newSockSession(t)
	file := filepath.Join(t.TempDir(), "dgram")
	if err := os.WriteFile(file, []byte("from a file\x00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, port := ss.serve("echo 127.0.0.1:0 --udp")
	ss.MustExec("socket udp")
	if got := ss.MustExec(fmt.Sprintf("sendto s1 --file %s 127.0.0.1 %d", file, port)); got != "13\n" {
		t.Errorf("sendto --file printed %q", got)
	}
	if got, want := ss.MustExec("recvfrom s1"), fmt.Sprintf("(b'from a file\\x00\\n', ('127.0.0.1', %d))\n", port); got != want {
		t.Errorf("recvfrom: %q, want %q", got, want)
	}
	for line, want := range map[string]string{
		fmt.Sprintf("sendto s1 x --file %s 127.0.0.1 %d", file, port): "UsageError: give DATA or --file, not both",
		fmt.Sprintf("sendto s1 --file %s 127.0.0.1", file):            "UsageError: missing argument",
	} {
		if _, errs := ss.Exec(line); !strings.HasPrefix(errs, want) {
			t.Errorf("%s: %q, want %q", line, errs, want)
		}
	}
}

// recv(0) gives the empty bytes object at once, as python3's does (it makes
// no system call for it): it does not wait for data until the timeout.
func TestRecvZero(t *testing.T) {
	got := pyRun(t, `import socket
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
s = socket.create_connection(l.getsockname()); s.settimeout(2)
print(repr(s.recv(0)))`)
	if got != "b''\n" {
		t.Fatalf("python3's recv(0) gave %q", got)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", l.Addr().(*net.TCPAddr).Port))
	ss.MustExec("settimeout s1 2")
	out, errs := ss.Exec("recv s1 0")
	if errs != "" || !strings.HasPrefix(out, "b''\n") || strings.Contains(out, "peer sent FIN") {
		t.Errorf("recv s1 0: stdout %q stderr %q, want b'' and no word of a FIN", out, errs)
	}
}

// TestWasWere: a count of one takes "was" ("1 byte was sent before the
// error"), any other count "were".
func TestWasWere(t *testing.T) {
	for n, want := range map[int64]string{0: "were", 1: "was", 2: "were", 1024: "were"} {
		if got := count(n, "byte") + " " + wasWere(n); got != fmt.Sprint(count(n, "byte"), " ", want) {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}
