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

// recv(0) is b” at once, as python3's (which makes no system call for it):
// it does not wait for data until the timeout.
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
