package commands

// The gopher tests' harness, shared by their files (browse, browse_input,
// fetch, download, serve_gopher, files): a session with the gopher queries,
// a fake gopher server on loopback, test data and its checksums, and bounded
// waits for a fetch running in the background.

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
)

// gopherTestBound bounds every wait in these tests; it is a safety net
// against hangs, never a timing assertion.
const gopherTestBound = 30 * time.Second

// gopherHole is the README's demo gopherhole, relative to this package.
const gopherHole = "../docs/gopherhole"

// gopherSession is the session harness with the gopher tests' queries.
type gopherSession struct {
	*faketerm.Term
	t       *testing.T
	running *faketerm.Running // the line async started last
}

func newGopherSession(t *testing.T) *gopherSession {
	return &gopherSession{Term: newTerm(t), t: t}
}

// serve starts `serve gopher DIR 127.0.0.1:0` (a port the kernel picks) and
// returns the port the server got.
func (g *gopherSession) serve(dir string) int {
	g.t.Helper()
	out := g.MustExec("serve gopher " + dir + " 127.0.0.1:0")
	name, _, _ := strings.Cut(out, " ")
	return serverPort(g.t, g.Session, name)
}

// sockets lists the session's registered sockets (sN names).
func (g *gopherSession) sockets() []string {
	var names []string
	for _, r := range g.Session.Resources() {
		if _, ok := r.Resource.(*bsd.Socket); ok {
			names = append(names, r.Name)
		}
	}
	return names
}

func fileSHA(t *testing.T, path string) (string, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

func bytesSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// gopherBlob is binary test data: every byte value, CR, LF, lone dots.
func gopherBlob(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	copy(b, "\x00\r\n.\r\n..\n\xff\x1b[31m")
	return b
}

// gopherFake serves each connection with handle(conn, selector) after
// reading the request line, on a loopback port it returns. Cleanup closes
// the listener and every connection and waits for the handlers.
func gopherFake(t *testing.T, handle func(c net.Conn, selector string)) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				line, err := bufio.NewReader(c).ReadString('\n')
				if err != nil {
					return
				}
				handle(c, strings.TrimRight(line, "\r\n"))
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().(*net.TCPAddr).Port
}

// async runs a line in the background; the channel delivers its
// standard error once it has finished (its results: g.running.Output()).
func (g *gopherSession) async(line string) <-chan string {
	g.running = g.Start(line)
	return g.running.Done()
}

func waitDone(t *testing.T, done <-chan string) string {
	t.Helper()
	select {
	case errs := <-done:
		return errs
	case <-time.After(gopherTestBound + 5*time.Second):
		t.Fatal("the fetch hangs")
		return ""
	}
}
