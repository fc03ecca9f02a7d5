package commands

// The wire (wire.go): bulk transfers fold, packets between commands,
// absolute sequence numbers over IPv6.

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// wireSession is a session with the wire on (skipped, or failed under
// SOCKSHELL_REQUIRE_PEERS=1, where the test may not capture).
func wireSession(t *testing.T) *sockSession {
	t.Helper()
	ss := newSockSession(t)
	if _, errs := ss.Exec("wire on"); errs != "" {
		testenv.SkipOrFail(t, "capture is not allowed here: "+errs)
	}
	t.Cleanup(func() { wireOf(ss.Session).stopCapture() })
	return ss
}

// A bulk transfer folds: a few packets one by one, then one summary
// whose counts, with the lines shown, are all the connection's packets;
// the lines under the command stay few.
func TestWireFoldsBulk(t *testing.T) {
	ss := wireSession(t)
	done := make(chan int64, 1)
	port := sockGoPeer(t, func(c *net.TCPConn) {
		n, _ := io.Copy(io.Discard, c)
		done <- n
	})
	file := filepath.Join(t.TempDir(), "bulk")
	const size = 8 << 20
	if err := os.WriteFile(file, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("sendfile s1 " + file)
	ss.MustExec("close s1")
	if n := sockWait(t, done, "the peer's end of the transfer"); n != size {
		t.Fatalf("the peer got %d bytes", n)
	}
	w := wireOf(ss.Session)
	w.sync(nil)
	lines, folded, foldedBytes := 0, 0, int64(0)
	var summary string
	for _, e := range ss.Session.Events().Recent(0) {
		switch e.Kind {
		case eventPacket:
			lines++
		case eventPacketsFolded:
			v, _ := e.Attr("packets")
			folded += v.(int)
			b, _ := e.Attr("bytes_out")
			foldedBytes += b.(int64)
			summary = e.Message
		}
	}
	captured := 0
	var shownBytes, capturedOut, dataEnd int64
	for _, p := range w.packets() {
		if p.Sock == "s1" {
			captured++
			if p.Dir == "out" {
				capturedOut += int64(p.PayloadLen)
				if p.PayloadLen > 0 {
					dataEnd = max(dataEnd, int64(p.RelSeq)+int64(p.PayloadLen))
				}
			}
			if p.Shown && p.Dir == "out" {
				shownBytes += int64(p.PayloadLen)
			}
		}
	}
	if folded == 0 || lines > 40 {
		var all []string
		for _, e := range ss.Session.Events().Recent(0) {
			all = append(all, string(e.Kind)+" "+e.Message)
		}
		t.Fatalf("%d lines and %d packets folded: a bulk transfer must fold\n%s", lines, folded, strings.Join(all, "\n"))
	}
	if lines+folded != captured {
		t.Errorf("%d lines + %d folded != %d packets captured", lines, folded, captured)
	}
	// Every byte on the wire is in a line or in the summary. On a loaded
	// machine TCP may send a segment twice (a tail loss probe or a timeout):
	// the wire shows both, so the bytes captured may pass the bytes sent,
	// while the sequence numbers cover the file exactly (1 is the SYN's).
	if foldedBytes+shownBytes != capturedOut {
		t.Errorf("the summary's %d bytes and the lines' %d do not add up to the %d captured", foldedBytes, shownBytes, capturedOut)
	}
	if capturedOut < size || dataEnd != size+1 {
		t.Errorf("captured %d bytes of data ending at relative seq %d; sent %d", capturedOut, dataEnd, size)
	}
	if !regexp.MustCompile(`^→ [0-9,]+ segments, [0-9.]+ [KM]iB in [0-9.]+ m?s; ← [0-9,]+ ACKs$`).MatchString(summary) {
		t.Errorf("the summary: %q", summary)
	}
}

// Packets that arrive between commands (the peer's data, its FIN) become
// events of the log and print as notices, named after the socket.
func TestWirePacketsBetweenCommands(t *testing.T) {
	ss := wireSession(t)
	speak := make(chan struct{})
	port := sockGoPeer(t, func(c *net.TCPConn) {
		<-speak
		c.Write([]byte("news\n"))
		c.Close()
	})
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.Events()
	sub := ss.Session.Events().Subscribe(64, func(e shell.Event) bool { return e.Kind == eventPacket })
	close(speak)
	var flags []string
	for len(flags) < 2 {
		e := sockWait(t, sub.C(), "the peer's packets between commands")
		if d, _ := e.Attr("dir"); d == "in" {
			f, _ := e.Attr("flags")
			flags = append(flags, f.(string))
		}
	}
	if flags[0] != "PSH,ACK" || !strings.Contains(flags[1], "FIN") {
		t.Errorf("between commands the wire logged %v, want the peer's data, then its FIN", flags)
	}
	ss.Session.FlushEvents()
	notices := strings.Join(ss.Events(), "\n")
	if !strings.Contains(notices, "# s1: ← PSH,ACK") || !strings.Contains(notices, "b'news\\n'") {
		t.Errorf("the notices:\n%s", notices)
	}
}

// wire on --abs shows the sequence numbers as on the wire: the SYN,ACK
// acknowledges the SYN's own number plus one; over IPv6 as over IPv4.
func TestWireAbsoluteIPv6(t *testing.T) {
	ss := newSockSession(t)
	if _, errs := ss.Exec("wire on --abs"); errs != "" {
		testenv.SkipOrFail(t, "capture is not allowed here: "+errs)
	}
	t.Cleanup(func() { wireOf(ss.Session).stopCapture() })
	_, port := ss.serve("echo [::1]:0")
	ss.MustExec("socket tcp inet6")
	ss.MustExec(fmt.Sprintf("connect s1 ::1 %d", port))
	var syn, synAck shell.Event
	for _, e := range ss.Session.Events().Recent(0) {
		if e.Kind != eventPacket {
			continue
		}
		switch f, _ := e.Attr("flags"); f {
		case "SYN":
			syn = e
		case "SYN,ACK":
			synAck = e
		}
	}
	seq, _ := syn.Attr("seq")
	ack, _ := synAck.Attr("ack")
	if seq == nil || ack == nil || ack.(int64) != (seq.(int64)+1)%(1<<32) {
		t.Fatalf("SYN seq %v, SYN,ACK ack %v", seq, ack)
	}
	if seq.(int64) == 0 {
		t.Errorf("the SYN's seq is 0: relative, not as on the wire (a random ISN is 0 once in 2^32)")
	}
	if src, _ := syn.Attr("src"); src.(netip.AddrPort).Addr() != netip.IPv6Loopback() {
		t.Errorf("the SYN came from %v", src)
	}
	if !strings.Contains(syn.Message, fmt.Sprintf("seq=%d ", seq)) {
		t.Errorf("the line does not show the absolute number: %s", syn.Message)
	}
}
