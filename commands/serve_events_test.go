package commands

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/demo"
	"github.com/sockshell/sockshell/shell"
)

// TestServerEventsAreTyped: a demo server's events reach the session's log
// as data under the server's name, the listening one from before the
// server had its name too; the quiet ones print nothing, the others print
// as the log lines always read.
func TestServerEventsAreTyped(t *testing.T) {
	ss := newSockSession(t)
	out := ss.MustExec("serve echo")
	addr := strings.TrimSpace(strings.TrimPrefix(out, "echo1  echo server on "))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(sockPeerTimeout))
	fmt.Fprint(c, "hi")
	c.Read(make([]byte, 2))
	peer := c.LocalAddr().String()
	c.Close()
	// The server tells the FIN's closing before stop can close it for it.
	for deadline := time.Now().Add(sockPeerTimeout); !hasEvent(ss.Session, eventClosed); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no connection_closed event")
		}
	}
	ss.Events()
	ss.MustExec("stop echo1")
	printed := strings.Join(ss.Events(), "\n") + "\n"

	var kinds []string
	var closed shell.Event
	for _, e := range ss.Session.Events().Recent(0) {
		if e.Kind == shell.EventCommand {
			continue
		}
		if e.Resource != "echo1" {
			t.Errorf("event %+v: resource %q, want echo1", e, e.Resource)
		}
		kinds = append(kinds, string(e.Kind))
		if e.Kind == eventClosed {
			closed = e
		}
	}
	if got, want := strings.Join(kinds, " "), "listening connection_accepted connection_closed stopped"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	p, _ := closed.Attr("peer")
	in, _ := closed.Attr("bytes_in")
	end, _ := closed.Attr("end")
	if p != netip.MustParseAddrPort(peer) || in != int64(2) || end != "fin" {
		t.Errorf("connection_closed fields %+v", closed.Attrs)
	}
	want := fmt.Sprintf("# [echo %s] closed %s after its FIN (2 bytes in, 2 bytes out)\n", addr, peer)
	// The harness captures the printed events apart from results.
	if !strings.Contains(printed, want) || strings.Contains(printed, "listening") || strings.Contains(printed, "stopped") {
		t.Errorf("printed %q, want the line %q and no quiet event", printed, want)
	}
}

// TestServeKindsComeFromOneTable: serve's kinds, usage, help and
// completion all come from commands/demo's table of kinds.
func TestServeKindsComeFromOneTable(t *testing.T) {
	cmd := Table().Lookup("serve")
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	got, _ := s.Complete("serve ")
	want := []string{"gopher"}
	for _, k := range demo.Kinds() {
		want = append(want, k.Name)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("completion %q, want %q", got, want)
	}
	help := strings.Join(strings.Fields(cmd.HelpProse()), " ")
	for _, k := range demo.Kinds() {
		if !strings.Contains(help, fmt.Sprintf("%s (RFC %d)", k.Name, k.RFC)) {
			t.Errorf("help does not name %s (RFC %d)", k.Name, k.RFC)
		}
		if !strings.Contains(cmd.Usage(), k.Name) {
			t.Errorf("usage %q does not name %s", cmd.Usage(), k.Name)
		}
	}
}

func hasEvent(s *shell.Session, kind shell.EventKind) bool {
	for _, e := range s.Events().Recent(0) {
		if e.Kind == kind {
			return true
		}
	}
	return false
}
