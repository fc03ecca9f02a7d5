package commands

// record and replay --check on real sessions: the shell's echo server,
// socat and nc as peers, a port where connect is refused. The recording
// is read back line by line; replay --check of it passes while the peers
// are the same, and fails, naming the step, when a result changed.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// recordedRun is one line a test ran and what the session showed for it.
type recordedRun struct{ line, out, errs string }

// recordPeers starts the peers of the recorded session: socat answering
// every connection with one line, nc holding a UDP port; and a port where
// connect is refused. It returns socat's process (to stop it) and the ports.
func recordPeers(t *testing.T) (socat *testenv.Proc, socatPort, ncPort, closed int) {
	t.Helper()
	socatPath := testenv.NeedPeer(t, "socat", "socat")
	ncPath := testenv.NeedPeer(t, "netcat-openbsd", "nc")
	socat, socatPort = testenv.ListeningPeer(t, "tcp", socatPath, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port), "SYSTEM:echo greeting from socat"}
	})
	_, ncPort = testenv.ListeningPeer(t, "udp", ncPath, func(port int) []string {
		return []string{"-u", "-l", "127.0.0.1", strconv.Itoa(port)}
	})
	return socat, socatPort, ncPort, testenv.ClosedPort(t, "tcp")
}

// recordSession records a session against the peers to file and returns
// what each line showed.
func recordSession(t *testing.T, file string, socatPort, ncPort, closed int) []recordedRun {
	t.Helper()
	tm := newTerm(t)
	tm.Session.Version = "test-1"
	tm.MustExec("record " + file)
	var runs []recordedRun
	run := func(line string) string {
		out, errs := tm.Exec(line)
		runs = append(runs, recordedRun{line, out, errs})
		return out
	}
	m := regexp.MustCompile(`127\.0\.0\.1:(\d+)`).FindStringSubmatch(run("serve echo 127.0.0.1:0"))
	if m == nil {
		t.Fatalf("serve echo said %q", runs[0].out)
	}
	run("socket tcp")
	run("connect s1 127.0.0.1 " + m[1])
	run("sockname s1")
	run(`send s1 'hello\r\n'`)
	run("recv s1")
	run("connect 127.0.0.1 " + strconv.Itoa(socatPort))
	run("recv s2")
	run("recv s2") // b'': socat closed after its line (and the state is CLOSE_WAIT whatever the timing)
	run("socket udp")
	run("sendto s3 ping 127.0.0.1 " + strconv.Itoa(ncPort))
	run("connect 127.0.0.1 " + strconv.Itoa(closed))
	run("sockets")
	if out := tm.MustExec("record off"); out != fmt.Sprintf("recorded %d steps to %s\n", len(runs), shellRepr(file)) {
		t.Fatalf("record off said %q", out)
	}
	return runs
}

func shellRepr(s string) string { return "'" + s + "'" }

// readRecords reads a recording's lines as JSON objects.
func readRecords(t *testing.T, file string) []map[string]any {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s:%d is not JSON: %v: %s", file, n, err, sc.Text())
		}
		if _, ok := r["type"].(string); !ok {
			t.Fatalf("%s:%d has no type: %s", file, n, sc.Text())
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestRecordSessionLineByLine: every line of a recording, checked. The
// header comes first; each command's record holds its line as typed and
// exactly what the session showed for it; its Python and timing; the
// socket's events come between the commands, where they happened.
func TestRecordSessionLineByLine(t *testing.T) {
	_, socatPort, ncPort, closed := recordPeers(t)
	file := filepath.Join(t.TempDir(), "demo.jsonl")
	runs := recordSession(t, file, socatPort, ncPort, closed)
	recs := readRecords(t, file)

	h := recs[0]
	if h["type"] != "header" || h["format"] != "sockshell-recording" || h["version"] != 1.0 || h["sockshell"] != "test-1" {
		t.Fatalf("header %v", h)
	}
	if _, err := parseTime(h["started"]); err != nil {
		t.Errorf("header started %v: %v", h["started"], err)
	}
	if s, _ := h["settings"].(map[string]any); s["format"] != "auto" || s["timeout"] != "30" {
		t.Errorf("header settings %v", h["settings"])
	}
	lohi, _ := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if f := strings.Fields(string(lohi)); len(f) == 2 && fmt.Sprint(h["ephemeral_ports"]) != "["+f[0]+" "+f[1]+"]" {
		t.Errorf("header ephemeral_ports %v, /proc says %v", h["ephemeral_ports"], f)
	}
	if end := recs[len(recs)-1]; end["type"] != "end" || end["steps"] != float64(len(runs)) {
		t.Errorf("last record %v, want the end with %d steps", end, len(runs))
	}

	var cmds []map[string]any
	where := map[string]int{} // "kind resource" of an event → how many commands came before it
	for _, r := range recs[1 : len(recs)-1] {
		switch r["type"] {
		case "command":
			cmds = append(cmds, r)
		case "event":
			ev := r["event"].(map[string]any)
			key := fmt.Sprint(ev["event"], " ", ev["resource"])
			if _, seen := where[key]; !seen {
				where[key] = len(cmds)
			}
		default:
			t.Errorf("unexpected record %v", r)
		}
	}
	if len(cmds) != len(runs) {
		t.Fatalf("%d command records, %d lines ran", len(cmds), len(runs))
	}
	for i, c := range cmds {
		r := runs[i]
		if c["step"] != float64(i+1) || c["depth"] != 0.0 {
			t.Errorf("record %d: step %v depth %v", i+1, c["step"], c["depth"])
		}
		if c["line"] != r.line || c["output"] != r.out || c["errors"] != r.errs {
			t.Errorf("step %d records line %q output %q errors %q;\n the session showed %q: %q, %q",
				i+1, c["line"], c["output"], c["errors"], r.line, r.out, r.errs)
		}
		if d, _ := c["duration"].(float64); d <= 0 {
			t.Errorf("step %d: duration %v", i+1, c["duration"])
		}
	}
	if py := fmt.Sprint(cmds[1]["python"]); py != "[s1 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)]" {
		t.Errorf("socket tcp's python %s", py)
	}
	if c := cmds[11]; c["error"] != "ConnectionRefusedError" || c["errno"] != 111.0 || !strings.Contains(c["errors"].(string), "ConnectionRefusedError: [Errno 111] Connection refused") {
		t.Errorf("the refused connect: %v", c)
	}
	if c := cmds[2]; !strings.Contains(fmt.Sprint(c["timing"]), "phase:handshake") || c["resource"] != "s1" {
		t.Errorf("connect's timing %v, resource %v", c["timing"], c["resource"])
	}
	if c := cmds[0]; c["made"] != "echo1" || c["result"] == nil {
		t.Errorf("serve: %v", c)
	}
	// Events sit between the commands, where they happened.
	for key, before := range map[string]int{"listening echo1": 0, "created s1": 1, "connected s1": 2,
		"sent s1": 4, "received s1": 5, "connected s2": 6, "sent s3": 10} {
		if got, ok := where[key]; !ok || got != before {
			t.Errorf("event %q comes after %d commands (found %v), want %d", key, got, ok, before)
		}
	}
}

func parseTime(v any) (any, error) {
	s, _ := v.(string)
	var t struct{ T jsonTime }
	return t, json.Unmarshal([]byte(`{"T":"`+s+`"}`), &t)
}

type jsonTime struct{ s string }

func (j *jsonTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`).MatchString(s) {
		return fmt.Errorf("not RFC 3339: %q", s)
	}
	j.s = s
	return nil
}

// TestReplayCheckOfARecording: replay --check of the recording passes in a
// fresh session while the peers are the same (the echo server gets another
// port, the sockets other ephemeral ports and descriptors); it fails, naming
// the step, when a recorded result is changed, and when a peer is gone.
func TestReplayCheckOfARecording(t *testing.T) {
	socat, socatPort, ncPort, closed := recordPeers(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "demo.jsonl")
	runs := recordSession(t, file, socatPort, ncPort, closed)

	tm := newTerm(t)
	want := fmt.Sprintf("%d steps, %d as recorded\n", len(runs), len(runs))
	if out, errs := tm.Exec("replay --check " + file); out != want || errs != "" {
		t.Fatalf("replay --check of the recording:\n%s%s", out, errs)
	}

	// One recorded result edited: the echo's reply.
	edited := filepath.Join(dir, "edited.jsonl")
	editStep(t, file, edited, "recv s1", func(out string) string { return strings.Replace(out, "hello", "HELLO", 1) })
	out, errs := tm.Exec("replay --check " + edited)
	if !strings.Contains(errs, "AssertionError: "+edited+": 13 steps, 12 as recorded; 1 differ from the recording") {
		t.Logf("report: %s", out)
		t.Errorf("edited recording: errors %q", errs)
	}
	if !strings.Contains(out, "# step 6 differs: recv s1\n#   recorded: b'HELLO\\r\\n'\n#   now:      b'hello\\r\\n'") {
		t.Errorf("edited recording: the report %q does not name step 6", out)
	}

	// A peer gone: its port now refuses.
	socat.Stop()
	<-socat.Done()
	out, errs = tm.Exec("replay --check " + file)
	if !strings.Contains(errs, "AssertionError") {
		t.Errorf("socat gone: errors %q", errs)
	}
	if !strings.Contains(out, fmt.Sprintf("# step 7 differs: connect 127.0.0.1 %d\n#   recorded no error, now ConnectionRefusedError", socatPort)) {
		t.Errorf("socat gone: the report %q does not name step 7", out)
	}
}

// editStep copies a recording, changing the output of the step whose line
// is line.
func editStep(t *testing.T, from, to, line string, change func(string) string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	var outLines []string
	found := false
	for _, l := range strings.SplitAfter(string(b), "\n") {
		var r map[string]any
		if l != "" && json.Unmarshal([]byte(l), &r) == nil && r["type"] == "command" && r["line"] == line {
			r["output"] = change(r["output"].(string))
			nb, _ := json.Marshal(r)
			l = string(nb) + "\n"
			found = true
		}
		outLines = append(outLines, l)
	}
	if !found {
		t.Fatalf("no step %q in %s", line, from)
	}
	if err := os.WriteFile(to, []byte(strings.Join(outLines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRecordBegunMidSession: a recording begun with sockets open says so
// in its header, and replay --check says that it begins without them (a
// step that depended on them differs, named).
func TestRecordBegunMidSession(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mid.jsonl")
	tm := newTerm(t)
	tm.MustExec("socket tcp")
	tm.MustExec("record " + file)
	tm.MustExec("socket udp")
	tm.MustExec("sockname s1")
	tm.MustExec("record off")
	if h := readRecords(t, file)[0]; fmt.Sprint(h["open"]) != "[s1]" {
		t.Errorf("header open %v", h["open"])
	}
	out, errs := newTerm(t).Exec("replay --check " + file)
	// The new socket is s1 now, not s2.
	if !strings.HasPrefix(out, "# the recording began with s1 open; this check begins without them\n# step 1 differs: socket udp\n#   recorded: s2  <socket") ||
		!strings.Contains(errs, "2 steps, 1 as recorded; 1 differ") {
		t.Errorf("replay --check: %q %q", out, errs)
	}
}

// TestReplayCheckStopsOnCtrlC: Ctrl-C (the session's interrupt) ends a
// check whose step waits, at once, and says where.
func TestReplayCheckStopsOnCtrlC(t *testing.T) {
	var calls atomic.Int32
	second := make(chan struct{})
	port := sockGoPeer(t, func(c *net.TCPConn) {
		if calls.Add(1) == 1 {
			c.Write([]byte("hi"))
		} else {
			close(second)
		}
		io.Copy(io.Discard, c) // until the shell closes
	})
	file := filepath.Join(t.TempDir(), "wait.jsonl")
	tm := newTerm(t)
	tm.MustExec("record " + file)
	tm.MustExec("set timeout none")
	tm.MustExec("connect 127.0.0.1 " + strconv.Itoa(port))
	tm.AssertExec("recv s1", "b'hi'\n")
	tm.MustExec("record off")

	check := newTerm(t)
	run := check.Start("replay --check " + file)
	select {
	case <-second:
	case <-time.After(sockPeerTimeout):
		t.Fatal("the check never connected")
	}
	for {
		check.Session.Interrupt()
		select {
		case errs := <-run.Done():
			if !regexp.MustCompile(`^KeyboardInterrupt: the check stopped at step [23] of 3\n$`).MatchString(errs) {
				t.Errorf("the check interrupted: %q", errs)
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}
