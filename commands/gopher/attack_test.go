package gopher

// Issue 14, our server under attack: every way out of the root is refused
// with an error item and nothing outside the root is opened (an inotify
// watch on a canary directory beside the root says so); a client that
// trickles its request, or sends a megabyte of it, is cut off and answered.

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// canaryWatch watches dir (and the files in it) for any open or read;
// opened returns what was seen since the last call.
type canaryWatch struct {
	fd int
}

func watchCanary(t *testing.T, dir string) *canaryWatch {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Skipf("no inotify: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_OPEN|unix.IN_ACCESS); err != nil {
		t.Fatal(err)
	}
	return &canaryWatch{fd: fd}
}

// opened drains the watch: the names opened or read ("." for the
// directory itself).
func (w *canaryWatch) opened() []string {
	var names []string
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(w.fd, buf)
		if n <= 0 || err != nil {
			return names
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			nameLen := int(uint32(buf[off+12]) | uint32(buf[off+13])<<8 | uint32(buf[off+14])<<16 | uint32(buf[off+15])<<24)
			name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+nameLen], "\x00"))
			if name == "" {
				name = "."
			}
			names = append(names, name)
			off += unix.SizeofInotifyEvent + nameLen
		}
	}
}

// rawRequest sends request as it is and returns the whole reply (the
// server closes after it). The request is written while the reply is
// read, so a long request cannot block the reading.
func rawRequest(t *testing.T, port int, request []byte) []byte {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	go c.Write(request) // fails once the server has closed: the reply is what counts
	reply, err := io.ReadAll(io.LimitReader(c, 1<<20))
	if err != nil && !errors.Is(err, unix.ECONNRESET) {
		t.Fatalf("request %.60q: reading the reply: %v (after %q)", request, err, reply)
	}
	return reply
}

// oneErrorItem reports whether a reply is one error item and the menu's
// end, and returns its text.
func oneErrorItem(reply []byte) (string, bool) {
	s := string(reply)
	if !strings.HasPrefix(s, "3") || !strings.HasSuffix(s, "\r\n.\r\n") || strings.Count(s, "\r\n") != 2 {
		return "", false
	}
	display, _, _ := strings.Cut(s[1:], "\t")
	return display, true
}

func TestServerEscapesRefused(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{root, outside, filepath.Join(root, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const canaryText = "CANARY outside the root"
	canary := filepath.Join(outside, "canary.txt")
	os.WriteFile(canary, []byte(canaryText+"\n"), 0o644)
	os.WriteFile(filepath.Join(root, "ok.txt"), []byte("ok\n"), 0o644)
	links := map[string]string{
		"abs.txt":    canary,                        // absolute, out
		"rel.txt":    "../outside/canary.txt",       // relative, out
		"outdir":     outside,                       // a directory out
		"sub/up.txt": "../../outside/canary.txt",    // from deeper
		"loop":       "loop2",                       // a loop
		"loop2":      "loop",                        //
		"self":       "self",                        // a link to itself
		"chain":      "sub/hop",                     // inside, then out
		"sub/hop":    "../rel.txt",                  //
		"proc":       "/proc/self/root" + outside,   // out through /proc
		"fdroot":     "/proc/self/cwd/../../../../", // anywhere
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	_, port := startServer(t, root, nil)
	watch := watchCanary(t, outside)

	huge := strings.Repeat("../", 1<<20/3) + "outside/canary.txt"
	selectors := []string{
		"..", "../", "/..", "../outside/canary.txt", "/../outside/canary.txt", "sub/../../outside/canary.txt",
		"./../outside/canary.txt", "//../outside/canary.txt", "..\\outside\\canary.txt", "....//outside/canary.txt",
		// Encoded: a gopher selector is bytes, never decoded; each is a
		// name that does not exist.
		"%2e%2e/outside/canary.txt", "%2E%2E%2Foutside%2Fcanary.txt", "..%2foutside%2fcanary.txt",
		"%252e%252e/outside/canary.txt", "%25252e%25252e/outside/canary.txt", "%c0%ae%c0%ae/outside/canary.txt",
		"\xc0\xae\xc0\xae/outside/canary.txt", "..\u2215outside\u2215canary.txt",
		// Absolute.
		canary, "/" + canary, outside, "file://" + canary, "/proc/self/root" + canary,
		// Links.
		"abs.txt", "rel.txt", "outdir", "outdir/canary.txt", "sub/up.txt", "loop", "loop/x", "self", "chain",
		"proc", "proc/canary.txt", "fdroot", "fdroot" + canary,
		// NUL, CR inside.
		"ok.txt\x00", "\x00../outside/canary.txt", "../outside/canary.txt\x00ok.txt", "ok.txt\r../outside/canary.txt",
		"\r../outside/canary.txt", "../outside/canary.txt\r",
		// Hidden and long.
		"sub/../..", strings.Repeat("a", MaxSelectorBytes+1), huge,
	}
	for _, sel := range selectors {
		for _, tail := range []string{"\r\n", "\n", "\t\r\n", "\tsearch\r\n"} {
			if len(sel) > MaxSelectorBytes && tail != "\r\n" {
				continue
			}
			reply := rawRequest(t, port, []byte(sel+tail))
			if bytes.Contains(reply, []byte("CANARY")) {
				t.Errorf("selector %.80q%q: the canary leaked: %q", sel, tail, reply)
			}
			if _, ok := oneErrorItem(reply); !ok {
				t.Errorf("selector %.80q%q: not one error item: %.200q", sel, tail, reply)
			}
		}
		if got := watch.opened(); len(got) > 0 {
			t.Errorf("selector %.80q: the server opened or read %q outside its root", sel, got)
		}
	}

	// A line feed ends the request (RFC 1436): what follows is never read
	// as a request, and the connection is closed after one reply.
	for sel, want := range map[string]string{"ok.txt\r\n../outside/canary.txt\r\n": "ok\n", "ok.txt\n../outside/canary.txt": "ok\n"} {
		if reply := rawRequest(t, port, []byte(sel)); string(reply) != want {
			t.Errorf("%q: %q, want %q", sel, reply, want)
		}
	}
	// The root's menu leaves out every link that leads out.
	menu := string(rawRequest(t, port, []byte("\r\n")))
	for _, name := range []string{"abs.txt", "rel.txt", "outdir", "loop", "self", "chain", "proc", "fdroot"} {
		if strings.Contains(menu, "\t"+name+"\t") {
			t.Errorf("the menu lists %s:\n%s", name, menu)
		}
	}
	if !strings.Contains(menu, "ok.txt") {
		t.Errorf("the menu does not list ok.txt:\n%s", menu)
	}
	if got := watch.opened(); len(got) > 0 {
		t.Errorf("the server opened or read %q outside its root", got)
	}
	// The watch works: opening the canary is seen.
	os.ReadFile(canary)
	if got := watch.opened(); len(got) == 0 {
		t.Error("the watch saw nothing when the canary was read: it proves nothing")
	}
}

// TestServerSlowlorisCut: a client that trickles its request a byte every
// 100 ms is cut off once IdleTimeout has passed since it connected (the
// timeout bounds the whole request, not the gap between bytes), is told so
// with an error item, and frees its slot.
func TestServerSlowlorisCut(t *testing.T) {
	srv, port := startServer(t, hole, &ServerOptions{IdleTimeout: time.Second, MaxConns: 1})
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const trickle = 300 // bytes, 30 s at a byte every 100 ms: a hang guard
	cut := make(chan []byte)
	go func() {
		c.SetReadDeadline(time.Now().Add(2 * testTimeout))
		reply, _ := io.ReadAll(c)
		cut <- reply
	}()
	sent := 0
	var reply []byte
trickling:
	for ; sent < trickle; sent++ {
		if _, err := c.Write([]byte("a")); err != nil {
			reply = <-cut
			break
		}
		select {
		case reply = <-cut:
			break trickling
		case <-time.After(100 * time.Millisecond):
		}
	}
	if sent == trickle {
		t.Fatalf("a client trickling a byte every 100 ms was served %d bytes long, past the 1 s timeout", trickle)
	}
	if msg, ok := oneErrorItem(reply); !ok || !strings.Contains(msg, "no complete request within 1s") {
		t.Errorf("the cut client got %q, want the error item saying why", reply)
	}
	// Its slot is free: the next client is served.
	if _, body, err := fetch(t, local(port, '0', "/sockets.txt"), nil); err != nil || len(body) == 0 {
		t.Errorf("after the cut, a client got %v (%d bytes)", err, len(body))
	}
	if srv.Refused() != 0 {
		t.Errorf("%d refused", srv.Refused())
	}
}

// TestServerPerPeerCap: one client address holds at most MaxPerPeer of
// the slots; one more from it gets an error item saying so, while another
// address is served.
func TestServerPerPeerCap(t *testing.T) {
	srv, port := startServer(t, hole, &ServerOptions{MaxConns: 4, MaxPerPeer: 2, IdleTimeout: time.Minute})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	dialFrom := func(from string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(testTimeout))
		t.Cleanup(func() { c.Close() })
		return c
	}
	// Two idle connections from 127.0.0.1 hold their slots (the server
	// takes connections in the order they came); a third is refused.
	dialFrom("127.0.0.1")
	dialFrom("127.0.0.1")
	reply, _ := io.ReadAll(dialFrom("127.0.0.1"))
	if msg, ok := oneErrorItem(reply); !ok || msg != "too many connections from your address, try again later" {
		t.Errorf("a third connection from 127.0.0.1 got %.100q", reply)
	}
	c := dialFrom("127.0.0.2")
	c.Write([]byte("/sockets.txt\r\n"))
	if body, err := io.ReadAll(c); err != nil || !bytes.Contains(body, []byte("socket")) {
		t.Errorf("127.0.0.2 beside them: %.100q, %v", body, err)
	}
	if srv.Refused() < 1 {
		t.Errorf("%d refused", srv.Refused())
	}
}
