package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dribbleServer is a gopher server that answers any selector with data
// that keeps coming, a chunk at a time, until stop is closed: a download
// that lasts as long as the test needs.
func dribbleServer(t *testing.T) (port int, stop chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop = make(chan struct{})
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		bufio.NewReader(c).ReadString('\n')
		chunk := make([]byte, 64<<10)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			c.SetWriteDeadline(time.Now().Add(waitLimit))
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}()
	return l.Addr().(*net.TCPAddr).Port, stop
}

// TestEventDuringProgressOnPTY: a server's line that arrives while a
// download's progress bar shows clears the bar, prints on a line of its
// own, and the bar is drawn again after it (the line once landed inside
// the progress text, and the bar was not redrawn).
func TestEventDuringProgressOnPTY(t *testing.T) {
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("serve echo\r")
	m := regexp.MustCompile(`echo1  echo server on 127\.0\.0\.1:(\d+)`).FindStringSubmatch(sc.Expect(`echo1  echo server on 127\.0\.0\.1:\d+`))
	echoPort, _ := strconv.Atoi(m[1])
	sc.Expect(prompt)

	gport, stop := dribbleServer(t)
	// A short path: readline echoes the whole line at each key typed.
	dir, err := os.MkdirTemp("", "ev")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	out := filepath.Join(dir, "b")
	sc.Type("gopher gopher://127.0.0.1:" + strconv.Itoa(gport) + "/9/big --out " + out + "\r")
	sc.Expect(`MiB/s\)`) // the progress bar shows

	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(echoPort))
	if err != nil {
		t.Fatal(err)
	}
	local := c.LocalAddr().String()
	sc.Expect(regexp.QuoteMeta("connection from "+local) + `\r\n\s+[0-9.]+ MiB  \([0-9.]+ MiB/s\)`)
	c.Close()
	sc.Expect(regexp.QuoteMeta("closed "+local+" after its FIN") + `.*\r\n\s+[0-9.]+ MiB  \([0-9.]+ MiB/s\)`)
	close(stop)
	sc.Expect(`bytes`)
	sc.Expect(prompt)

	raw := sc.raw()
	for _, what := range []string{"connection from " + local, "closed " + local} {
		at := strings.Index(raw, what)
		line := raw[strings.LastIndex(raw[:at], "\n")+1 : at]
		// The bar was erased before the line: "\r\x1b[K" and nothing after it.
		if !strings.HasSuffix(line, "\r\x1b[K[echo 127.0.0.1:"+strconv.Itoa(echoPort)+"] ") {
			t.Errorf("the line %q starts after %q, want it after the erased bar", what, line)
		}
	}
	sc.Type("exit\r")
	if st := sc.Exit(); st != 0 {
		t.Errorf("exit status %d", st)
	}
}
