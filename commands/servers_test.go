package commands

// The servers table (servers, in serve.go): connections for TCP,
// datagrams for UDP, and the datagrams a flood guard dropped.

import (
	"encoding/json"
	"fmt"
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
