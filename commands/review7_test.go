package commands

// Defects found reviewing issue 7's fixes: what `servers` counts.

import (
	"encoding/json"
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
