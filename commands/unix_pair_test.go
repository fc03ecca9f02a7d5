package commands

// A socket pair whose buffers fill (unix_pair.go).

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A pair fills with no reader: sendall stops at the first send that would
// block, at once, with the counts the kernel gives; draining the other
// end reads exactly what was taken.
func TestPairBuffersFill(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 4<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	ss := newSockSession(t)
	ss.MustExec("set timeout none") // no timeout: Python would wait for ever
	ss.MustExec("pair")             // s1, s2
	out, errs := ss.Exec("sendall s1 --file " + big)
	if !strings.HasPrefix(errs, "BlockingIOError: [Errno 11] Resource temporarily unavailable") {
		t.Fatalf("sendall on a full pair: %q %q", out, errs)
	}
	m := regexp.MustCompile(`# (\d+) of 4194304 bytes were sent before the error`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("sendall note: %q", out)
	}
	taken, _ := strconv.Atoi(m[1])
	sndbuf := unixValue1(ss.MustExec("getsockopt s1 SO_SNDBUF"))
	for _, want := range []string{"SO_SNDBUF here is " + sndbuf, fmt.Sprintf("s2 has %d bytes queued to read", taken), "recv s2 makes room"} {
		if !strings.Contains(errs, want) {
			t.Errorf("hint %q lacks %q", errs, want)
		}
	}
	// The socket is as it was: blocking again, and what was taken is there.
	if row := ss.sockRow("s1"); row["timeout"] != "none" || row["sent"] != m[1] {
		t.Errorf("s1 after: %v", row)
	}
	ss.MustExec("settimeout s2 0")
	for i := 0; ; i++ {
		if _, errs := ss.Exec("recv s2 65536"); errs != "" {
			if !strings.HasPrefix(errs, "BlockingIOError") {
				t.Fatalf("drain: %q", errs)
			}
			break
		}
		if i > 10000 {
			t.Fatal("recv s2 never ran dry")
		}
	}
	if row := ss.sockRow("s2"); row["received"] != m[1] {
		t.Errorf("s2 received %s, s1 had sent %d", row["received"], taken)
	}
	ss.AssertExec("sendall s1 again", "5\n")
	// A Unix peer that closes sends no FIN: the note says end of file.
	ss.AssertExec("recv s2", "b'again'\n")
	ss.MustExec("close s2")
	ss.AssertExec("recv s1", "b''\n# s1: the peer closed its socket or shut down its writing half: it will send nothing more (a Unix socket has no FIN, only this end of file); recv returned b''\n")
	if row := ss.sockRow("s1"); row["state"] != "CONNECTED (peer closed)" {
		t.Errorf("s1 after its peer closed: %v", row)
	}

	// Datagrams too: each send takes one whole, until the kernel refuses.
	ss.MustExec("pair dgram")                                                         // s3, s4
	ss.AssertExecError("send s3 --file "+big, "OSError: [Errno 90] Message too long") // 4 MiB: more than one datagram holds
	sent := 0
	for {
		_, errs := ss.Exec("send s3 " + strings.Repeat("d", 1000))
		if errs != "" {
			if !strings.HasPrefix(errs, "BlockingIOError") || !strings.Contains(errs, "nothing can read s4") {
				t.Fatalf("send on a full dgram pair: %q", errs)
			}
			break
		}
		if sent++; sent > 100000 {
			t.Fatal("the datagram pair never filled")
		}
	}
	ss.MustExec("settimeout s4 0")
	got := 0
	for {
		out, errs := ss.Exec("recv s4 2000")
		if errs != "" {
			break
		}
		if unixValue1(out) != "b'"+strings.Repeat("d", 1000)+"'" {
			t.Fatalf("datagram %d: %q", got, out)
		}
		got++
	}
	if got != sent {
		t.Errorf("%d datagrams sent, %d received", sent, got)
	}
	// python3 fills a pair of its own at the same count: the kernel's
	// accounting, not the shell's, decides it.
	pyCount := strings.TrimSpace(pyRun(t, `
import socket
a, b = socket.socketpair(type=socket.SOCK_DGRAM); a.setblocking(False); n = 0
try:
    while True: a.send(b'd' * 1000); n += 1
except BlockingIOError: print(n)
`))
	if strconv.Itoa(sent) != pyCount {
		t.Errorf("the shell's pair took %d datagrams of 1000 bytes, python3's %s", sent, pyCount)
	}

	// With a timeout the hint says Python would time out, not wait for ever.
	ss.MustExec("pair") // s5, s6
	ss.MustExec("settimeout s5 2.5")
	ss.AssertExecError("sendall s5 --file "+big, "so this send could only wait out its timeout (2.5 s) and raise TimeoutError")
	if row := ss.sockRow("s5"); row["timeout"] != "2.5" {
		t.Errorf("s5's timeout after: %v", row)
	}
}
