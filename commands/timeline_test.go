package commands

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// timelineRows runs timeline ARGS in json format and returns its events.
func timelineRows(t *testing.T, ss *sockSession, args string) []map[string]any {
	t.Helper()
	ss.MustExec("set format json")
	out := ss.MustExec(strings.TrimSpace("timeline " + args))
	ss.MustExec("set format auto")
	var doc struct {
		Result []map[string]any `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("timeline %s: not one json document: %v\n%s", args, err, out)
	}
	return doc.Result
}

// TestTimeline: a real session (an echo server on port 0, a socket that
// connects, sends, receives and closes) shows in the timeline in order,
// commands among the socket's own events; filters keep what they say.
func TestTimeline(t *testing.T) {
	ss := newSockSession(t)
	name, port := ss.serve("echo 127.0.0.1:0")
	ss.MustExec("socket tcp")
	ss.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", port))
	ss.MustExec("send s1 hi")
	got, recvs := "", 0
	for got != "hi" && recvs < 100 {
		out := ss.MustExec("recv s1")
		got += strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(out), "b'"), "'")
		recvs++
	}
	if got != "hi" {
		t.Fatalf("echo %q", got)
	}
	ss.AssertExecError("send s1", "UsageError")
	ss.MustExec("close s1")

	all := timelineRows(t, ss, "")
	var seq []string
	var last float64
	for _, e := range all {
		if tm := e["time"].(float64); tm < last {
			t.Errorf("time goes back: %v after %v", tm, last)
		} else {
			last = tm
		}
		if e["resource"] == "s1" || (e["kind"] == "command" && e["resource"] == "") || e["resource"] == name && (e["kind"] == "listening" || e["kind"] == "command") {
			step := fmt.Sprint(e["resource"], ":", e["kind"])
			if e["kind"] == "command" {
				step += ":" + fmt.Sprint(e["line"], "→", e["result"], e["error"])
			}
			seq = append(seq, step)
		}
	}
	want := []string{
		name + ":listening",
		name + ":command:serve echo 127.0.0.1:0→object<nil>",
		"s1:created",
		"s1:command:socket tcp→object<nil>",
		"s1:connected",
		fmt.Sprintf("s1:command:connect s1 127.0.0.1 %d→None<nil>", port),
		"s1:sent",
		"s1:command:send s1 hi→int<nil>",
	}
	for range recvs {
		want = append(want, "s1:received", "s1:command:recv s1→bytes<nil>")
	}
	want = append(want, "s1:command:send s1→<nil>UsageError", "s1:closed", "s1:command:close s1→None<nil>",
		":command:set format json→None<nil>")
	// newSockSession may have run its own setup commands first.
	i := 0
	for i < len(seq) && seq[i] != want[0] {
		i++
	}
	if strings.Join(seq[i:], "\n") != strings.Join(want, "\n") {
		t.Fatalf("timeline\n got %s\nwant %s", strings.Join(seq[i:], "\n    "), strings.Join(want, "\n    "))
	}
	for _, e := range all {
		if e["kind"] == "command" {
			if _, ok := e["duration"].(float64); !ok {
				t.Errorf("command %v: duration %v", e["line"], e["duration"])
			}
		}
	}

	// A closed socket keeps its rows; the table shows them in order.
	table := ss.MustExec("timeline s1")
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(table), "\n") {
		if !strings.HasPrefix(l, "|") {
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(l, "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		rows = append(rows, cells)
	}
	if len(rows) < 2 || strings.Join(rows[0], " ") != "time resource event what took" {
		t.Fatalf("timeline s1: no header:\n%s", table)
	}
	order := []string{"created", "socket tcp → s1", "connected", "connect s1 127.0.0.1", "sent", "send s1 hi → int",
		"received", "recv s1 → bytes", "send s1 → UsageError", "closed", "close s1 → None"}
	at := 1
	for _, w := range order {
		for at < len(rows) && !strings.HasPrefix(rows[at][3], w) {
			at++
		}
		if at == len(rows) {
			t.Fatalf("timeline s1: no row with %q in order:\n%s", w, table)
		}
	}
	for _, r := range rows[1:] {
		if r[1] != "s1" {
			t.Errorf("timeline s1 shows row %q", r)
		}
		if (r[2] == "command") != strings.HasSuffix(r[4], " ms") {
			t.Errorf("row %q: took is for commands", r)
		}
	}

	// Filters.
	if evs := timelineRows(t, ss, "s1 --last 2"); len(evs) != 2 || evs[1]["line"] != "close s1" {
		t.Errorf("timeline s1 --last 2: %v", evs)
	}
	if evs := timelineRows(t, ss, "--since 100000"); len(evs) != 0 {
		t.Errorf("--since 100000: %v", evs)
	}
	if evs := timelineRows(t, ss, "--since 0"); len(evs) < len(all) {
		t.Errorf("--since 0: %d rows, fewer than the %d before", len(evs), len(all))
	}
	if evs := timelineRows(t, ss, name); len(evs) == 0 || evs[0]["kind"] != "listening" {
		t.Errorf("timeline %s: %v", name, evs)
	}
}

// TestTimelineBadInput: one clear error each, and the shell goes on.
func TestTimelineBadInput(t *testing.T) {
	ss := newSockSession(t)
	for line, want := range map[string]string{
		"timeline s9":          "NameError: 's9' is no socket or server of this session",
		"timeline --last -1":   "UsageError: --last is a count of rows, 1 or more, not '-1'",
		"timeline --last 0":    "UsageError: --last is a count of rows",
		"timeline --since abc": "UsageError: --since is a number of seconds since the session started, 0 or more, not 'abc'",
		"timeline --since -2":  "UsageError: --since is a number",
		"timeline --since inf": "UsageError: --since is a number",
		"timeline s1 s2":       "UsageError: too many arguments",
	} {
		errs := ss.AssertExecError(line, want)
		if n := strings.Count(strings.TrimSpace(errs), "\n"); n > 1 {
			t.Errorf("%s: more than one error:\n%s", line, errs)
		}
	}
	ss.MustExec("socket tcp")
	if out := ss.MustExec("timeline s1"); !strings.Contains(out, "created") {
		t.Errorf("the shell did not go on: %q", out)
	}
}
