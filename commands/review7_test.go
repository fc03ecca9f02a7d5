package commands

// Defects found reviewing issue 7's fixes: what `servers` counts, the
// number of a gopher note.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// UDP has no connections: `servers` counts a UDP server's datagrams in a
// column of their own and leaves its connections empty (null in JSON); a TCP
// server the other way round. (The column "connections" said 1 for a UDP echo
// server that had received one datagram.)
func TestServersCountDatagramsNotConnections(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("serve echo 127.0.0.1:0")
	ss.MustExec("serve echo --udp 127.0.0.1:0")
	ss.MustExec("set format json")
	out := ss.MustExec("servers")
	var doc struct {
		Result []map[string]any `json:"result"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &doc); err != nil || len(doc.Result) != 2 {
		t.Fatalf("servers in JSON: %q (%v)", out, err)
	}
	for _, row := range doc.Result {
		udp := strings.HasSuffix(row["serves"].(string), "over UDP")
		conns, hasConns := row["connections"]
		grams, hasGrams := row["datagrams"]
		_, connsNum := conns.(float64)
		_, gramsNum := grams.(float64)
		switch {
		case !hasConns || !hasGrams:
			t.Errorf("%v: want both a connections and a datagrams field", row)
		case udp && (conns != nil || !gramsNum):
			t.Errorf("UDP server %v: want connections null and datagrams a number", row)
		case !udp && (!connsNum || grams != nil):
			t.Errorf("TCP server %v: want connections a number and datagrams null", row)
		}
	}
}

// One invalid menu item is "1 of the items has …: `go` refuses to follow it"
// (it said "1 of the items have … them").
func TestGopherOneInvalidItemNote(t *testing.T) {
	port := gopherFake(t, func(c net.Conn, sel string) {
		io.WriteString(c, "0Far away\t/far\t127.0.0.1\t70000\r\n0Near\t/near\t127.0.0.1\t70\r\n.\r\n")
	})
	g := newGopherSession(t)
	out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 / %d", port))
	if want := "# 1 of the items has a field marked invalid: `go` refuses to follow it\n"; !strings.Contains(out, want) {
		t.Errorf("menu with one invalid item: want %q in\n%s", want, out)
	}
}

// A negative linger time is refused with a message that says what is wrong
// with it (it said linger is "two integers", and -1 is one).
func TestLingerNegativeSeconds(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	_, errs := ss.Exec("setsockopt s1 SO_LINGER 1,-1")
	if !strings.Contains(errs, "linger SECONDS is a count from 0, not -1") {
		t.Errorf("setsockopt s1 SO_LINGER 1,-1: %q", errs)
	}
	if out := ss.MustExec("getsockopt s1 SO_LINGER"); !strings.Contains(out, "SO_LINGER: off") {
		t.Errorf("after the refused value: %q", out)
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

// What help says of close and recv is what they do: a closed socket's name
// stays (a call on it is EBADF, not NameError; help said close forgets the
// name), and on a datagram socket the empty bytes object is an empty
// datagram, not end of file (help said it always means end of file).
func TestHelpOfCloseAndRecvIsTrue(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec("close s1")
	if _, errs := ss.Exec("sockname s1"); !strings.HasPrefix(errs, "OSError: [Errno 9] Bad file descriptor") {
		t.Errorf("sockname of a closed socket: %q", errs)
	}
	if h := ss.MustExec("help close"); strings.Contains(h, "forget") {
		t.Errorf("help close says the name is forgotten; it stays:\n%s", h)
	}
	ss.MustExec("socket udp")
	ss.MustExec("bind s2 127.0.0.1 0")
	port := strings.TrimSuffix(strings.Split(ss.MustExec("sockname s2"), ", ")[1], ")\n")
	ss.MustExec("sendto s2 '' 127.0.0.1 " + port)
	if out := ss.MustExec("recv s2"); out != "b''\n" {
		t.Errorf("recv of an empty datagram: %q", out)
	}
	if h := ss.MustExec("help recv"); !strings.Contains(h, "On a datagram socket b'' is an\nempty datagram") {
		t.Errorf("help recv does not say what b'' is on a datagram socket:\n%s", h)
	}
}

// The options table says what a 0 means where 0 is not a count: the
// kernel's "off" or "the system default". TCP_NOTSENT_LOWAT 0 read as "not
// writable above 0 unsent bytes", TCP_USER_TIMEOUT 0 as "dropped at once".
func TestOptionTableZeroMeanings(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	out := ss.MustExec("getsockopt s1")
	for _, want := range []string{
		"(0: no such limit; the retransmission count decides)",
		"(0: net.ipv4.tcp_notsent_lowat decides, by default no limit)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("getsockopt s1 lacks %q:\n%s", want, out)
		}
	}
}

// A flood from one peer is answered 50 times and the rest dropped: the
// server's log says so once a second, and `servers` shows how many were
// dropped of all received (before, only the first drop of each second was
// told anywhere).
func TestServersCountDroppedDatagrams(t *testing.T) {
	ss := newSockSession(t)
	out := ss.MustExec("serve echo --udp 127.0.0.1:0")
	addr := strings.TrimSpace(out[strings.LastIndex(out, " ")+1:])
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Chunks small enough for the server's receive buffer (a datagram lost
	// there is never counted), each counted before the next is sent.
	ss.MustExec("set format json")
	received := func() float64 {
		// The server's events are JSON documents of their own: take the
		// command's.
		var doc struct {
			Command string           `json:"command"`
			Result  []map[string]any `json:"result"`
		}
		out := ss.MustExec("servers")
		for _, line := range splitLines(out) {
			if err := json.Unmarshal([]byte(line), &doc); err == nil && doc.Command == "servers" {
				break
			}
		}
		if doc.Command != "servers" || len(doc.Result) != 1 {
			t.Fatalf("servers: %q", out)
		}
		n, _ := doc.Result[0]["datagrams"].(float64)
		return n
	}
	const chunk, sent = 20, 200
	deadline := time.Now().Add(20 * time.Second) // fail if it hangs, not a timing check
	for i := 0; i < sent; i += chunk {
		for j := 0; j < chunk; j++ {
			if _, err := c.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		for received() != float64(i+chunk) {
			if time.Now().After(deadline) {
				t.Fatalf("the server did not count %d datagrams", i+chunk)
			}
			time.Sleep(time.Millisecond)
		}
	}
	ss.MustExec("set format table")
	table := ss.MustExec("servers")
	i := strings.Index(table, fmt.Sprintf("| %d (", sent))
	var dropped int
	if i < 0 {
		t.Fatalf("servers does not say how many were dropped:\n%s", table)
	}
	if _, err := fmt.Sscanf(table[i:], fmt.Sprintf("| %d (%%d dropped)", sent), &dropped); err != nil || dropped <= 0 || dropped >= sent {
		t.Errorf("dropped count %d (%v) in:\n%s", dropped, err, table)
	}
}

// A connected UDP socket whose datagram met a closed port hears of it on the
// next call, as python3's does (ConnectionRefusedError from recv): the hint
// says so, where it said "nothing is listening on that address", which reads
// as if the call itself had asked.
func TestUDPRefusedHint(t *testing.T) {
	closed, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := closed.LocalAddr().(*net.UDPAddr).Port
	closed.Close() // nothing is bound there now
	got := pyRun(t, fmt.Sprintf(`import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.connect(('127.0.0.1', %d)); s.send(b'x')
try:
    s.recv(10)
except OSError as e:
    print(type(e).__name__, e.errno)`, port))
	if got != "ConnectionRefusedError 111\n" {
		t.Fatalf("python3 gave %q", got)
	}
	ss := newSockSession(t)
	ss.MustExec("socket udp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("settimeout s1 5")
	ss.MustExec("send s1 x")
	_, errs := ss.Exec("recv s1")
	if !strings.HasPrefix(errs, "ConnectionRefusedError: [Errno 111]") || !strings.Contains(errs, "ICMP port unreachable") {
		t.Errorf("recv after a datagram to a closed port: %q", errs)
	}
}

// Address already in use with a listener on the port: SO_REUSEADDR does not
// help (python3 gets EADDRINUSE with it set too), so the hint does not send
// the user to it (it said "try SO_REUSEADDR or another port", and after
// setting it the bind failed with the same hint).
func TestAddrInUseHint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	got := pyRun(t, fmt.Sprintf(`import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(('127.0.0.1', %d))
except OSError as e:
    print(e.errno)`, port))
	if got != "98\n" {
		t.Fatalf("python3's bind with SO_REUSEADDR gave %q", got)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	ss.MustExec("setsockopt s1 SO_REUSEADDR 1")
	_, errs := ss.Exec(fmt.Sprintf("bind s1 127.0.0.1 %d", port))
	if !strings.HasPrefix(errs, "OSError: [Errno 98] Address already in use") ||
		strings.Contains(errs, "try SO_REUSEADDR") || !strings.Contains(errs, "not one a listening socket holds") {
		t.Errorf("bind over a listener with SO_REUSEADDR set: %q", errs)
	}
}

// setsockopt SO_SNDLOWAT is ENOPROTOOPT on Linux, as in python3, though the
// option exists (getsockopt reads 1): the hint does not say it does not exist.
func TestSetReadOnlyOptionHint(t *testing.T) {
	got := pyRun(t, `import socket
s = socket.socket()
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDLOWAT))
try:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDLOWAT, 2)
except OSError as e:
    print(e.errno)`)
	if got != "1\n92\n" {
		t.Fatalf("python3 gave %q", got)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	_, errs := ss.Exec("setsockopt s1 SO_SNDLOWAT 2")
	if !strings.HasPrefix(errs, "OSError: [Errno 92] Protocol not available") || strings.Contains(errs, "does not exist") {
		t.Errorf("setsockopt s1 SO_SNDLOWAT 2: %q", errs)
	}
}

// HOST:PORT/1/ looks like a URL without its scheme: the hint offers the URL
// too, and says that there the first character after the '/' is the item
// type (it offered only the selector '/1/', which is not what the URL means).
func TestGopherSlashHintOffersTheURL(t *testing.T) {
	ss := newSockSession(t)
	_, errs := ss.Exec("gopher 127.0.0.1:7070/1/")
	if !strings.Contains(errs, "or write the URL gopher://127.0.0.1:7070/1/, where the first character after the '/' is the item type") {
		t.Errorf("gopher 127.0.0.1:7070/1/: %q", errs)
	}
}
