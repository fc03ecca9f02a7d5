package commands

// Unix sockets in explain, the timeline and the events; bad input and
// completion of paths.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// explain shows the real system calls; the timeline and the events name
// the paths.
func TestUnixExplainAndTimeline(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.sock")
	ss := newSockSession(t)
	ss.MustExec("explain on")
	out := ss.MustExec("socket unix dgram")
	fd := ss.sock("s1").FD()
	for _, want := range []string{">>> s1 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
		fmt.Sprintf("socket(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0) = %d", fd)} {
		if !strings.Contains(out, want) {
			t.Errorf("socket unix dgram: %q lacks %q", out, want)
		}
	}
	out = ss.MustExec("bind s1 " + p)
	for _, want := range []string{">>> s1.bind('" + p + "')", fmt.Sprintf(`bind(%d, {AF_UNIX, sun_path=%q}) = 0`, fd, p)} {
		if !strings.Contains(out, want) {
			t.Errorf("bind: %q lacks %q", out, want)
		}
	}
	ss.MustExec("socket unix dgram") // s2
	out = ss.MustExec("bind s2 @" + unixAbstract(t, "x"))
	if want := fmt.Sprintf(`bind(%d, {AF_UNIX, sun_path=@%q}) = 0`, ss.sock("s2").FD(), unixAbstract(t, "x")); !strings.Contains(out, want) {
		t.Errorf("bind @: %q lacks %q", out, want)
	}
	if want := ">>> s2.bind('\\x00" + unixAbstract(t, "x") + "')"; !strings.Contains(out, want) {
		t.Errorf("bind @: %q lacks %q", out, want)
	}
	out = ss.MustExec("sockname s2")
	if want := fmt.Sprintf(`getsockname(%d, {AF_UNIX, sun_path=@%q}) = 0`, ss.sock("s2").FD(), unixAbstract(t, "x")); !strings.Contains(out, want) {
		t.Errorf("sockname of an abstract name: %q lacks %q", out, want)
	}
	out = ss.MustExec("sendto s2 hi " + p)
	if want := fmt.Sprintf(`sendto(%d, 2 bytes, {AF_UNIX, sun_path=%q}) = 2`, ss.sock("s2").FD(), p); !strings.Contains(out, want) {
		t.Errorf("sendto: %q lacks %q", out, want)
	}
	out = ss.MustExec("pair")
	if !regexp.MustCompile(`>>> s3, s4 = socket\.socketpair\(\)\n.*socketpair\(AF_UNIX, SOCK_STREAM\|SOCK_NONBLOCK\|SOCK_CLOEXEC, 0, \[\d+, \d+\]\) = 0`).MatchString(out) {
		t.Errorf("pair: %q", out)
	}
	out = ss.MustExec("sendfd s3 s1")
	if want := fmt.Sprintf("sendmsg(%d, {1 byte, SCM_RIGHTS [%d]}, MSG_NOSIGNAL) = 1", ss.sock("s3").FD(), fd); !strings.Contains(out, want) {
		t.Errorf("sendfd: %q lacks %q", out, want)
	}
	ss.MustExec("explain off")
	ss.MustExec("recvfd s4") // s5
	ss.MustExec("recvfrom s5")

	var lines []string
	for _, e := range ss.Session.Events().Recent(0) {
		if e.Resource != "" && e.Kind != "command" {
			lines = append(lines, e.Resource+" "+string(e.Kind)+": "+e.Message)
		}
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"s1 bound: bound to " + p,
		"s2 bound: bound to @" + unixAbstract(t, "x"),
		"s2 sent: sent 2 bytes to " + p + " with sendto",
		"s3 created: created by socketpair (AF_UNIX SOCK_STREAM",
		"s5 created: received as a descriptor over fd " + strconv.Itoa(ss.sock("s4").FD()) + " (AF_UNIX SOCK_DGRAM",
		"s5 received: received 2 bytes from @" + unixAbstract(t, "x") + " with recvfrom",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("events lack %q:\n%s", want, all)
		}
	}
	// The events' fields carry the paths, for the views that read them.
	fields := map[string]string{}
	for _, e := range ss.Session.Events().Recent(0) {
		for _, a := range e.Attrs {
			if a.Key == "address" || a.Key == "peer" {
				fields[e.Resource+" "+string(e.Kind)+" "+a.Key] = fmt.Sprint(a.Value)
			}
		}
	}
	for k, v := range map[string]string{"s1 bound address": p, "s2 bound address": "@" + unixAbstract(t, "x"),
		"s2 sent peer": p, "s5 received peer": "@" + unixAbstract(t, "x")} {
		if fields[k] != v {
			t.Errorf("event field %s = %q, want %q (all: %v)", k, fields[k], v, fields)
		}
	}
	tl := ss.MustExec("timeline s1")
	if !strings.Contains(tl, "bound to "+p) {
		t.Errorf("timeline s1:\n%s", tl)
	}
	// The received socket is s1's: what s2 sent is queued for both.
	if row := ss.sockRow("s5"); row["local"] != p || row["type"] != "SOCK_DGRAM" {
		t.Errorf("s5 row: %v", row)
	}
}

// Bad input gets one clear error each; completion offers paths.
func TestUnixBadInputAndCompletion(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "here.sock"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ss := newSockSession(t)
	ss.MustExec("socket tcp")  // s1
	ss.MustExec("socket unix") // s2
	for line, want := range map[string]string{
		"socket unix tcp":                  "UsageError: tcp is an Internet protocol; a Unix socket's type is stream, dgram or seqpacket: socket unix stream",
		"pair raw":                         "UsageError",
		"sendfd s2":                        "UsageError: missing argument",
		"sendfd s1 s2":                     "OSError: [Errno 95] Operation not supported",
		"recvfd s1":                        "OSError: [Errno 95] Operation not supported",
		"recvfd":                           "UsageError: missing argument",
		"sendfd s2 s9":                     "NameError",
		"recvfd s2":                        "OSError: [Errno 22] Invalid argument\n  hint: a Unix stream socket that is not connected",
		"bind s1 " + dir + "/x":            "TypeError: bind(): AF_INET address must be tuple, not str",
		"sendto s1 hi /tmp/x":              "TypeError: sendto(): AF_INET address must be tuple, not str",
		"bind s2 127.0.0.1 0":              "TypeError: a bytes-like object is required, not 'tuple'",
		"serve echo /tmp/x --udp":          "UsageError: a Unix path is served over a stream socket here",
		"serve echo " + dir + "/here.sock": "OSError: [Errno 98] Address already in use",
	} {
		ss.AssertExecError(line, want)
	}
	ss.MustExec("close s2")
	ss.AssertExecError("sendfd s1 s2", "OSError: [Errno 9] Bad file descriptor")

	ss.MustExec("socket unix") // s3
	s := ss.Session
	for line, want := range map[string]string{
		"bind s3 " + dir + "/he":     dir + "/here.sock",
		"connect s3 " + dir + "/he":  dir + "/here.sock",
		"sendto s3 hi " + dir + "/h": dir + "/here.sock",
		"socket unix s":              "seqpacket",
		"pair d":                     "dgram",
	} {
		got, _ := s.Complete(line)
		if want != "" && !containsStr(got, want) {
			t.Errorf("Complete(%q) = %q, want %q among them", line, got, want)
		}
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
