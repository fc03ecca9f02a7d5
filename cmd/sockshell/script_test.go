package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sockshell/sockshell/shell/testenv"
)

// TestMain lets the test binary play the sockshell binary inside scripts:
// testscript puts a copy named "sockshell" on PATH, and when run under that
// name it executes run instead of the tests. The tests are leak-checked
// (testenv.Checked): none may leave a goroutine running or a descriptor
// open.
func TestMain(m *testing.M) {
	testscript.Main(testenv.Checked(m, os.Stderr), map[string]func(){
		"sockshell": main,
	})
}

// TestScript runs testdata/script/*.txtar against the binary.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv("XDG_STATE_HOME", e.WorkDir+"/state")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"blackhole-dns": cmdBlackholeDNS,
			"await-query":   cmdAwaitQuery,
			"json-results":  cmdJSONResults,
			"count-lines":   cmdCountLines,
		},
	})
}

// blackholes holds each script's silent DNS server, keyed by the script.
var blackholes sync.Map // *testscript.TestScript → *blackhole

// blackhole-dns VAR: start a silent DNS server and put its port in $VAR.
func cmdBlackholeDNS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: blackhole-dns VAR")
	}
	b, err := startBlackhole()
	ts.Check(err)
	ts.Defer(func() { b.conn.Close(); blackholes.Delete(ts) })
	blackholes.Store(ts, b)
	ts.Setenv(args[0], fmt.Sprint(b.port()))
}

// await-query: wait (up to 20 s) until the silent DNS server got a query,
// that is, until the shell is blocked inside the lookup.
func cmdAwaitQuery(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := blackholes.Load(ts)
	if neg || len(args) != 0 || !ok {
		ts.Fatalf("usage: await-query (after blackhole-dns)")
	}
	if !v.(*blackhole).waitQuery(20 * time.Second) {
		ts.Fatalf("no DNS query reached the silent server within 20s")
	}
}

// json-results WANT...: each line of the last command's stdout is a JSON
// document whose "result" equals the JSON literal WANT of the same index.
func cmdJSONResults(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! json-results")
	}
	out := ts.ReadFile("stdout")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(args) {
		ts.Fatalf("%d lines of output, want %d:\n%s", len(lines), len(args), out)
	}
	for i, l := range lines {
		var doc map[string]any
		if err := json.Unmarshal([]byte(l), &doc); err != nil {
			ts.Fatalf("line %d is not JSON: %v: %s", i+1, err, l)
		}
		var want any
		if err := json.Unmarshal([]byte(args[i]), &want); err != nil {
			ts.Fatalf("bad want %q: %v", args[i], err)
		}
		got, _ := json.Marshal(doc["result"])
		exp, _ := json.Marshal(want)
		if string(got) != string(exp) {
			ts.Fatalf("line %d: result %s, want %s", i+1, got, exp)
		}
	}
}

// count-lines stdout|stderr N: the last command wrote exactly N lines there.
func cmdCountLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: count-lines stdout|stderr N")
	}
	text := ts.ReadFile(args[0])
	n := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		n++
	}
	if fmt.Sprint(n) != args[1] {
		ts.Fatalf("%s has %d lines, want %s:\n%s", args[0], n, args[1], text)
	}
}
