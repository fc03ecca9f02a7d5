package classroom

// Issue 14, the page's server under attack, over real loopback HTTP: a
// wrong or missing token, oversized requests, a client that never finishes
// its headers, many connections, many followers, and a follower that stops
// reading.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bound guards every wait here against a hang; no assertion depends on it.
const bound = 20 * time.Second

// secret is in the hub's state: a reply that shows it leaked the session.
const secret = "SECRET-session-state"

func servePage(t *testing.T, token bool, lim Limits) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(Options{Poll: func() []Row { return []Row{{Name: "s1", Kind: "socket", Detail: secret}} }})
	hub.Add(Event{Seq: 1, Kind: "notice", Message: secret})
	s := serve(ln, hub, token, lim)
	t.Cleanup(func() { s.Close() })
	return s, ln.Addr().String()
}

// exchange sends raw bytes (while reading, so a long request cannot block)
// and returns the whole reply.
func exchange(t *testing.T, addr string, req []byte) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(bound))
	go c.Write(req)
	got, err := io.ReadAll(io.LimitReader(c, 1<<20))
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("%.60q: %v after %q", req, err, got)
	}
	return string(got)
}

func status(reply string) string {
	line, _, _ := strings.Cut(reply, "\r\n")
	return line
}

// TestPageTokenRefusals: with a token required, every request without the
// right one is refused 403 whatever its path (an unknown path too, so the
// refusal says nothing of what exists) and shows nothing of the session.
func TestPageTokenRefusals(t *testing.T) {
	s, addr := servePage(t, true, DefaultLimits)
	token := strings.SplitN(s.URL(), "?token=", 2)[1]
	get := func(target string, method string) string {
		return exchange(t, addr, []byte(method+" "+target+" HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n"))
	}
	for _, target := range []string{"/", "/state", "/events", "/nope", "/?token=", "/?token=wrong",
		"/?token=" + token[:31], "/?token=" + token + "0", "/?Token=" + token, "/?token=wrong&token=" + token,
		"/state?token=" + strings.ToUpper(token), "/?token=%00" + token, "/state?x=" + token, "/" + token} {
		for _, method := range []string{"GET", "HEAD"} {
			reply := get(target, method)
			if !strings.HasPrefix(status(reply), "HTTP/1.1 403") {
				t.Errorf("%s %s: %q, want 403", method, target, status(reply))
			}
			if strings.Contains(reply, secret) || strings.Contains(reply, token) {
				t.Errorf("%s %s: the refusal leaked: %q", method, target, reply)
			}
		}
	}
	// A method that is not GET is refused before the token is looked at,
	// and says nothing either.
	if reply := get("/state", "POST"); !strings.HasPrefix(status(reply), "HTTP/1.1 405") || strings.Contains(reply, secret) {
		t.Errorf("POST: %q", reply)
	}
	// The right token is let in: the refusals above refused for the token.
	if reply := get("/state?token="+token, "GET"); !strings.HasPrefix(status(reply), "HTTP/1.1 200") || !strings.Contains(reply, secret) {
		t.Errorf("with the token: %q", reply)
	}
	if reply := get("/nope?token="+token, "GET"); !strings.HasPrefix(status(reply), "HTTP/1.1 404") {
		t.Errorf("an unknown path with the token: %q, want 404", status(reply))
	}
}

// TestPageOversizedRequests: a URL or headers past MaxHeaderBytes are
// answered 431 without being read whole; a body nobody asked for is not
// read into memory.
func TestPageOversizedRequests(t *testing.T) {
	_, addr := servePage(t, false, DefaultLimits)
	host := "Host: " + addr + "\r\n"
	for what, req := range map[string]string{
		"a 1 MiB URL":          "GET /?" + strings.Repeat("a", 1<<20) + " HTTP/1.1\r\n" + host + "\r\n",
		"a 1 MiB header":       "GET / HTTP/1.1\r\n" + host + "X-Big: " + strings.Repeat("a", 1<<20) + "\r\n\r\n",
		"20,000 headers":       "GET / HTTP/1.1\r\n" + host + strings.Repeat("X-A: b\r\n", 20000) + "\r\n",
		"a 1 MiB request line": strings.Repeat("G", 1<<20) + " / HTTP/1.1\r\n" + host + "\r\n",
	} {
		reply := exchange(t, addr, []byte(req))
		if !strings.HasPrefix(status(reply), "HTTP/1.1 431") && !strings.HasPrefix(status(reply), "HTTP/1.1 400") {
			t.Errorf("%s: %q, want 431 (or 400)", what, status(reply))
		}
	}
	body := strings.Repeat("x", 32<<20)
	req := []byte("GET /state HTTP/1.1\r\n" + host + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	reply := exchange(t, addr, req)
	runtime.ReadMemStats(&m1)
	if !strings.HasPrefix(status(reply), "HTTP/1.1 200") {
		t.Errorf("a GET with a 32 MiB body: %q", status(reply))
	}
	if grew := int64(m1.TotalAlloc - m0.TotalAlloc); grew > 8<<20 {
		t.Errorf("a 32 MiB body nobody reads made the server allocate %d KiB", grew>>10)
	}
	t.Logf("a GET with a 32 MiB body: %d KiB allocated in all while it was answered", (m1.TotalAlloc-m0.TotalAlloc)>>10)
}

// TestPageSlowHeaders: a client that sends its headers a byte every
// 100 ms is closed once HeaderTimeout has passed since it connected.
func TestPageSlowHeaders(t *testing.T) {
	lim := DefaultLimits
	lim.HeaderTimeout = time.Second
	s, addr := servePage(t, false, lim)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: " + strings.Repeat("a", 300) // 30 s at this pace: a hang guard
	sent := 0
	for ; sent < len(req); sent++ {
		if _, err := c.Write([]byte{req[sent]}); err != nil {
			break
		}
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			break // closed
		}
	}
	if sent == len(req) {
		t.Fatalf("a client sending its headers a byte every 100 ms was held %d bytes long, past the 1 s timeout", sent)
	}
	waitSlots(t, s, 0)
}

// waitSlots waits until the server holds n connections.
func waitSlots(t *testing.T, s *Server, n int) {
	t.Helper()
	for deadline := time.Now().Add(bound); s.limited.Held() != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server holds %d connections, want %d", s.limited.Held(), n)
		}
	}
}

// TestPageManyConnections: MaxConns idle connections are held; every one
// more is answered 503 at once, with no goroutine of its own; once they go
// the descriptors and goroutines are back where they were.
func TestPageManyConnections(t *testing.T) {
	lim := DefaultLimits
	lim.MaxConns = 16
	s, addr := servePage(t, false, lim)
	fds0, g0 := countFDs(t), runtime.NumGoroutine()
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range lim.MaxConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	waitSlots(t, s, lim.MaxConns)
	maxG := 0
	for i := range 200 {
		reply := exchange(t, addr, []byte("GET / HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"))
		if !strings.HasPrefix(status(reply), "HTTP/1.1 503") || !strings.Contains(reply, "16 connections open already") {
			t.Fatalf("connection %d over the cap: %q", i, reply)
		}
		maxG = max(maxG, runtime.NumGoroutine())
	}
	// The count may follow the 503 the client has already read.
	for deadline := time.Now().Add(bound); s.Refused() < 200 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if s.Refused() != 200 {
		t.Errorf("%d refused, want 200", s.Refused())
	}
	if maxG > g0+lim.MaxConns+4 {
		t.Errorf("goroutines at most %d from %d: more than the cap of %d", maxG, g0, lim.MaxConns)
	}
	for _, c := range held {
		c.Close()
	}
	held = nil
	waitSlots(t, s, 0)
	for deadline := time.Now().Add(bound); (countFDs(t) > fds0 || runtime.NumGoroutine() > g0) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%d idle connections + 200 refused: goroutines %d before, at most %d, %d after; fds %d before, %d after",
		lim.MaxConns, g0, maxG, runtime.NumGoroutine(), fds0, countFDs(t))
	if countFDs(t) > fds0 || runtime.NumGoroutine() > g0 {
		t.Errorf("after: fds %d (from %d), goroutines %d (from %d)", countFDs(t), fds0, runtime.NumGoroutine(), g0)
	}
}

func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// follow opens the stream and reads up to its first message.
func follow(t *testing.T, addr string) (net.Conn, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(bound))
	fmt.Fprintf(c, "GET /events HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		c.Close()
		return nil, resp.Status + " " + resp.Header.Get("Retry-After") + " " + string(b)
	}
	return c, resp.Status
}

// TestPageManyFollowers: MaxFollowers streams are followed; one more is
// answered 503 with Retry-After (the page's EventSource then tries again
// every second); once one goes, a new one is let in.
func TestPageManyFollowers(t *testing.T) {
	lim := DefaultLimits
	lim.MaxFollowers = 4
	s, addr := servePage(t, false, lim)
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range lim.MaxFollowers {
		c, st := follow(t, addr)
		if c == nil {
			t.Fatalf("a follower under the cap: %s", st)
		}
		held = append(held, c)
	}
	c, st := follow(t, addr)
	if c != nil || !strings.HasPrefix(st, "503 Service Unavailable 1 503: 4 pages follow this session already") {
		t.Fatalf("one follower over the cap: %q", st)
	}
	held[0].Close()
	held = held[1:]
	for deadline := time.Now().Add(bound); s.hub.Followers() >= lim.MaxFollowers; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a follower that went is still followed")
		}
	}
	if c, st := follow(t, addr); c == nil {
		t.Errorf("after one went, a new follower: %s", st)
	} else {
		held = append(held, c)
	}
}

// TestPageFollowerStopsReading: a follower that never reads its stream is
// dropped by the hub once it is behind, and its connection is closed once
// a write has waited WriteTimeout; it no longer holds a goroutine or a
// descriptor.
func TestPageFollowerStopsReading(t *testing.T) {
	lim := DefaultLimits
	lim.WriteTimeout = time.Second
	s, addr := servePage(t, false, lim)
	c, st := follow(t, addr)
	if c == nil {
		t.Fatal(st)
	}
	defer c.Close()
	// Deltas of 64 KiB each, far more than the socket buffers hold.
	big := strings.Repeat("x", 64<<10)
	for i := range 400 {
		s.hub.Add(Event{Seq: uint64(2 + i), Kind: "notice", Message: big})
	}
	waitSlots(t, s, 0)
	if n := s.hub.Followers(); n != 0 {
		t.Errorf("%d followers", n)
	}
}

// TestPageReconnectGetsMissed: a page that reconnects (its EventSource
// sends Last-Event-ID, which the server does not read) gets a snapshot,
// the whole state, in which are the events it missed while away: as many
// as the KeepEvents kept, and the count of those before them.
func TestPageReconnectGetsMissed(t *testing.T) {
	s, addr := servePage(t, false, DefaultLimits)
	c, st := follow(t, addr)
	if c == nil {
		t.Fatal(st)
	}
	c.Close()
	for deadline := time.Now().Add(bound); s.hub.Followers() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the closed stream is still followed")
		}
	}
	for i := range 10 {
		s.hub.Add(Event{Seq: uint64(2 + i), Kind: "notice", Message: fmt.Sprintf("missed %d", i)})
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(bound))
	fmt.Fprintf(c, "GET /events HTTP/1.1\r\nHost: %s\r\nLast-Event-ID: 1\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	var first []string
	for sc.Scan() && len(first) < 4 {
		if sc.Text() != "" {
			first = append(first, sc.Text())
		}
	}
	if len(first) < 4 || first[1] != "event: snapshot" || first[2] != "id: 11" {
		t.Fatalf("the reconnected stream starts %q, want a snapshot of revision 11", first)
	}
	for i := range 10 {
		if !strings.Contains(first[3], fmt.Sprintf(`"message":"missed %d"`, i)) {
			t.Errorf("the snapshot lacks missed event %d: %.300s", i, first[3])
		}
	}
}

// TestPagePerPeerCap: one client address holds at most MaxPerPeer of the
// connections; one more from it is answered 503 saying so, while another
// address is served.
func TestPagePerPeerCap(t *testing.T) {
	lim := DefaultLimits
	lim.MaxConns, lim.MaxPerPeer = 8, 4
	s, addr := servePage(t, false, lim)
	dialFrom := func(from string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(bound))
		t.Cleanup(func() { c.Close() })
		return c
	}
	for range lim.MaxPerPeer {
		dialFrom("127.0.0.1")
	}
	waitSlots(t, s, lim.MaxPerPeer)
	reply, _ := io.ReadAll(dialFrom("127.0.0.1"))
	if !strings.HasPrefix(status(string(reply)), "HTTP/1.1 503") || !strings.Contains(string(reply), "4 connections from your address are open already") {
		t.Errorf("one more from 127.0.0.1: %q", reply)
	}
	c := dialFrom("127.0.0.2")
	fmt.Fprintf(c, "GET /state HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", addr)
	if reply, _ := io.ReadAll(c); !strings.HasPrefix(status(string(reply)), "HTTP/1.1 200") {
		t.Errorf("127.0.0.2 beside them: %q", status(string(reply)))
	}
}
