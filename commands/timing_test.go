package commands

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestTiming: with set timing on, each result has a timing note; connect's
// names the lookup, the handshake and the kernel's RTT, the first recv
// after a send the time to the first byte; the command events carry the
// same phases. Structure and presence only, never values.
func TestTiming(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec("socket tcp")
	if out := ss.MustExec("sockname s1"); strings.Contains(out, "# took") {
		t.Fatalf("timing off by default, and yet: %q", out)
	}
	ss.MustExec("set timing on")
	ms := `\d+\.\d{3} ms`
	out := ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	if strings.Contains(out, "# timing:") || !regexp.MustCompile(`(?m)^# DNS `+ms+`, handshake `+ms+`, rtt `+ms+`; took `+ms+`$`).MatchString(out) {
		t.Errorf("connect with timing on: %q", out)
	}
	out = ss.MustExec("send s1 hi")
	if !regexp.MustCompile(`^2\n# took ` + ms + `\n$`).MatchString(out) {
		t.Errorf("send with timing on: %q", out)
	}
	out = ss.MustExec("recv s1")
	if !regexp.MustCompile(`(?m)^# first byte( at most)? ` + ms + `; took ` + ms + `$`).MatchString(out) {
		t.Errorf("the first recv after a send: %q", out)
	}
	ss.MustExec("set timing off")
	// explain shows the phases among the system calls.
	ss.MustExec("socket tcp")
	ss.MustExec("set explain on")
	out = ss.MustExec(fmt.Sprintf("connect s2 127.0.0.1 %d", port))
	ss.MustExec("set explain off")
	if !regexp.MustCompile(`(?m)^  # timing: DNS `+ms+`, handshake `+ms+`, rtt `+ms+`$`).MatchString(out) || strings.Contains(out, "took") {
		t.Errorf("connect with explain on: %q", out)
	}
	if out := ss.MustExec("sockname s1"); strings.Contains(out, "took") {
		t.Errorf("timing off: %q", out)
	}

	evs := timelineRows(t, ss, "s1")
	var connect map[string]any
	for _, e := range evs {
		if e["kind"] == "command" && strings.HasPrefix(e["line"].(string), "connect ") {
			connect = e
		}
	}
	if connect == nil {
		t.Fatalf("no connect event in %v", evs)
	}
	b, _ := json.Marshal(connect["timing"])
	if !regexp.MustCompile(`^\{"DNS":[0-9.e-]+,"handshake":[0-9.e-]+,"rtt":[0-9.e-]+\}$`).Match(b) {
		t.Errorf("connect's event timing: %s", b)
	}
}

// TestTimingCreateConnection: connect HOST PORT (socket.create_connection)
// records the name lookup and the handshake apart, as connect SOCK does,
// and the attempts that failed before the address that connected (dual.test
// has ::1 and 127.0.0.1; the echo server listens on 127.0.0.1 only). The
// first recvfrom after a sendto records the time to the first byte.
func TestTimingCreateConnection(t *testing.T) {
	ss := newSockSession(t)
	dns := startDNSMasq(t)
	_, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec("set dns 127.0.0.1:" + dns)
	ss.MustExec("set timing on")
	ms := `\d+\.\d{3} ms`
	out := ss.MustExec(fmt.Sprintf("connect dual.test %d", port))
	if !regexp.MustCompile(`(?m)^# DNS ` + ms + `, (failed attempts ` + ms + `, )?handshake ` + ms + `, rtt ` + ms + `; took ` + ms + `$`).MatchString(out) {
		t.Errorf("connect dual.test with timing on: %q", out)
	}
	out = ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	if !regexp.MustCompile(`(?m)^# DNS ` + ms + `, handshake ` + ms + `, rtt ` + ms + `; took ` + ms + `$`).MatchString(out) {
		t.Errorf("connect 127.0.0.1 with timing on: %q", out)
	}
	// A name that does not resolve: the lookup's time, and its error.
	if _, errs := ss.Exec(fmt.Sprintf("connect nosuch.sockshell.test %d", port)); !strings.Contains(errs, "gaierror") {
		t.Errorf("connect to a name that does not resolve: %q", errs)
	}

	_, uport := ss.serve("echo 127.0.0.1:0 --udp")
	ss.MustExec("socket udp")
	ss.MustExec(fmt.Sprintf("sendto s3 hi 127.0.0.1 %d", uport))
	out = ss.MustExec("recvfrom s3")
	if !strings.HasPrefix(out, "(b'hi', ('127.0.0.1', ") || !regexp.MustCompile(`(?m)^# first byte( at most)? `+ms+`; took `+ms+`$`).MatchString(out) {
		t.Errorf("the first recvfrom after a sendto: %q", out)
	}
	ss.MustExec(fmt.Sprintf("sendto s3 again 127.0.0.1 %d", uport))
	ss.MustExec("recvfrom s3")
	// No sendto since: nothing to measure (the echo's reply is waiting).
	ss.MustExec(fmt.Sprintf("sendto s3 x 127.0.0.1 %d", uport))
	ss.MustExec("set timing off")
	var firsts int
	for _, e := range timelineRows(t, ss, "s3") {
		if e["kind"] == "command" && strings.HasPrefix(e["line"].(string), "recvfrom ") {
			if tm, ok := e["timing"].(map[string]any); ok && (tm["first byte"] != nil || tm["first byte at most"] != nil) {
				firsts++
			}
		}
	}
	if firsts != 2 {
		t.Errorf("%d recvfrom events with a first byte, want 2 (one after each sendto)", firsts)
	}
}

// TestTimingUDPConnectHasNoHandshake: a UDP connect sends nothing (it only
// sets the default peer), so its phase is the call, not a handshake.
func TestTimingUDPConnectHasNoHandshake(t *testing.T) {
	ss := newSockSession(t)
	_, port := ss.serve("echo --udp 127.0.0.1:0")
	ss.MustExec("socket udp")
	ss.MustExec("set timing on")
	out := ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	if strings.Contains(out, "handshake") || !regexp.MustCompile(`(?m)^# DNS \d+\.\d{3} ms, connect \d+\.\d{3} ms; took`).MatchString(out) {
		t.Errorf("a UDP connect with timing on: %q", out)
	}
}
