package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestNoticesOnPTY: a real peer sends, bursts, closes (FIN) and resets; the
// watcher tells each above the prompt once, coalesces the burst into a
// few lines, and reads nothing: recv returns exactly what the peer sent.
func TestNoticesOnPTY(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	accept := func() *net.TCPConn {
		t.Helper()
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(waitLimit))
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.TCPConn)
	}
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("connect 127.0.0.1 " + port + "\r")
	// The command's result, then the next prompt (a prompt alone could be
	// the one readline redraws as it echoes the typed keys).
	sc.Expect(`s1  <socket `)
	sc.Expect(prompt)
	peer := accept()
	defer peer.Close()

	// 12 bytes, while the prompt waits with a half-typed line: the
	// notice starts its own line (the half-typed one cleared: \x1b[2K\r)
	// and the typed input is drawn again under it.
	sc.Type("sock")
	sc.Expect(`>>> sock`)
	sent := time.Now()
	if _, err := peer.Write([]byte("hello world\n")); err != nil {
		t.Fatal(err)
	}
	sc.Expect(regexp.QuoteMeta("# s1: 12 bytes waiting (recv s1)"))
	t.Logf("notice latency (peer send → line on the pty): %v", time.Since(sent))
	sc.Expect(`^\r?\n>>> sock`) // the half-typed line drawn again under it
	if !regexp.MustCompile(`\x1b\[2K\r` + regexp.QuoteMeta("# s1: 12 bytes waiting")).MatchString(sc.raw()) {
		t.Errorf("the notice was not written on a cleared line; the terminal got:\n%q", sc.raw())
	}
	sc.Type("\x15recv s1 100\r")
	sc.Expect(regexp.QuoteMeta(`b'hello world\n'`))
	sc.Expect(prompt)

	// A burst of 10,000 one-byte writes.
	var burst bytes.Buffer
	for i := 0; i < 10000; i++ {
		b := []byte{byte('a' + i%26)}
		burst.Write(b)
		if _, err := peer.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	sc.Expect(regexp.QuoteMeta("s1: 10000 bytes waiting (recv s1)"))
	lines := strings.Count(sc.text(), "bytes waiting")
	t.Logf("notice lines for the burst of 10,000 writes: %d", lines-1)
	if lines-1 > 20 {
		t.Errorf("%d notice lines for one burst; want a handful", lines-1)
	}
	out := filepath.Join(t.TempDir(), "b")
	sc.Type("recv s1 --out " + out + " --max 10000\r")
	sc.Expect(`10000 bytes written to`)
	sc.Expect(prompt)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, burst.Bytes()) {
		t.Errorf("recv after the notices got %d bytes, not the %d the peer sent", len(got), burst.Len())
	}

	// The peer's FIN, with nothing waiting.
	peer.CloseWrite()
	sc.Expect(regexp.QuoteMeta("s1: ESTABLISHED → CLOSE_WAIT"))
	sc.Expect(regexp.QuoteMeta("s1: the peer closed its side (FIN); recv returns b''"))
	sc.Type("recv s1\r")
	sc.Expect(`b''`)
	sc.Expect(prompt)

	// A reset: a second connection whose peer closes with SO_LINGER 0.
	sc.Type("connect 127.0.0.1 " + port + "\r")
	// The reset comes once connect has returned (else connect itself
	// may raise it, and s2 would not exist).
	sc.Expect(`s2  <socket `)
	sc.Expect(prompt)
	peer2 := accept()
	peer2.SetLinger(0)
	peer2.Close()
	sc.Expect(regexp.QuoteMeta("s2: connection reset by the peer or failed"))
	sc.Type("recv s2\r")
	sc.Expect(`ConnectionResetError`)
	sc.Expect(prompt)
	// Nothing is told twice while nothing changes.
	time.Sleep(300 * time.Millisecond)
	for _, what := range []string{"the peer closed its side", "connection reset by the peer", "12 bytes waiting"} {
		if n := strings.Count(sc.text(), what); n != 1 {
			t.Errorf("%q told %d times, want once", what, n)
		}
	}
	sc.Type("exit\r")
	sc.Exit()
}

// TestNoticeLatency is a measured run, not an assertion: a peer sends one
// byte while the prompt waits, and the time until the notice's line is
// read back from the pty is logged (median and worst of 10), then recv
// takes the byte. go test -run TestNoticeLatency -v shows the numbers.
func TestNoticeLatency(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("connect 127.0.0.1 " + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "\r")
	sc.Expect(`s1  <socket `)
	sc.Expect(prompt)
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(waitLimit))
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	var took []time.Duration
	for i := 0; i < 10; i++ {
		sent := time.Now()
		if _, err := peer.Write([]byte{'x'}); err != nil {
			t.Fatal(err)
		}
		sc.Expect(regexp.QuoteMeta("s1: 1 byte waiting (recv s1)"))
		took = append(took, time.Since(sent))
		sc.Type("recv s1\r")
		sc.Expect(`b'x'`)
		sc.Expect(prompt)
	}
	slices.Sort(took)
	t.Logf("notice latency, peer send → line on the pty, 10 notices: median %v, best %v, worst %v", took[len(took)/2], took[0], took[len(took)-1])
	sc.Type("exit\r")
	sc.Exit()
}
