package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recordLines reads a recording's records.
func recordLines(t *testing.T, file string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for i, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%s:%d: %v: %s", file, i+1, err, l)
		}
		recs = append(recs, r)
	}
	return recs
}

// commandLines are the lines of a recording's steps.
func commandLines(recs []map[string]any) []string {
	var lines []string
	for _, r := range recs {
		if r["type"] == "command" {
			lines = append(lines, r["line"].(string))
		}
	}
	return lines
}

// TestRecordFlagRecordsWholeRuns: sockshell --record FILE records a -c
// run, a script and a pipe, from its header to its end; the run's output
// and exit status are what they are without it.
func TestRecordFlagRecordsWholeRuns(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "demo.sock")
	os.WriteFile(script, []byte("servport http tcp\nservname 53 udp\n"), 0o644)
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		lines       []string
	}{
		{"-c", "", []string{"-c", "servport http tcp; servname 53 udp"}, 0, []string{"servport http tcp", "servname 53 udp"}},
		{"script", "", []string{script}, 0, []string{"servport http tcp", "servname 53 udp"}},
		{"pipe", "servport http tcp\nservport nosuch tcp\nservname 53 udp\n", nil, 1, []string{"servport http tcp", "servport nosuch tcp"}},
		{"json", "", []string{"--format", "json", "-c", "servport http tcp"}, 0, []string{"servport http tcp"}},
	} {
		file := filepath.Join(dir, tc.name+".jsonl")
		plainRun := runBinary(t, tc.stdin, tc.args...)
		o := runBinary(t, tc.stdin, append([]string{"--record", file}, tc.args...)...)
		if o != plainRun || o.code != tc.code {
			t.Errorf("%s: with --record %+v, without %+v (want exit status %d)", tc.name, o, plainRun, tc.code)
		}
		recs := recordLines(t, file)
		if h := recs[0]; h["type"] != "header" || h["sockshell"] != version || h["width"] != 0.0 {
			t.Errorf("%s: header %v", tc.name, h)
		}
		if got := commandLines(recs); strings.Join(got, "\n") != strings.Join(tc.lines, "\n") {
			t.Errorf("%s: recorded %q, want %q", tc.name, got, tc.lines)
		}
		if end := recs[len(recs)-1]; end["type"] != "end" || end["steps"] != float64(len(tc.lines)) {
			t.Errorf("%s: last record %v", tc.name, end)
		}
		if tc.name == "json" {
			if s := recs[0]["settings"].(map[string]any); s["format"] != "json" {
				t.Errorf("json: the header's settings %v", s)
			}
			if out := recs[1]["output"]; out != o.stdout {
				t.Errorf("json: recorded %q, printed %q", out, o.stdout)
			}
		}
	}
}

// TestRecordFlagRefuses: --record to a file that exists or into a
// directory that does not: one error, exit status 2, nothing run, nothing
// written; --force replaces the file.
func TestRecordFlagRefuses(t *testing.T) {
	dir := t.TempDir()
	kept := filepath.Join(dir, "kept.jsonl")
	os.WriteFile(kept, []byte("mine\n"), 0o644)
	missing := filepath.Join(dir, "no", "r.jsonl")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--record", kept, "-c", "servport http tcp"}, "sockshell: --record: FileExistsError: [Errno 17] File exists: '" + kept + "'\n"},
		{[]string{"--record", missing, "-c", "servport http tcp"}, "sockshell: --record: FileNotFoundError: [Errno 2] No such file or directory: '" + missing + "'\n"},
		{[]string{"--force", "-c", "servport http tcp"}, "sockshell: --force goes with --record FILE\n"},
	} {
		o := runBinary(t, "", tc.args...)
		if o.code != 2 || o.stdout != "" || o.stderr != tc.want {
			t.Errorf("%q: %+v, want exit status 2 and %q", tc.args, o, tc.want)
		}
	}
	b, _ := os.ReadFile(kept)
	if string(b) != "mine\n" {
		t.Errorf("the existing file now holds %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("the directory holds %d entries, want the one file", len(ents))
	}
	if o := runBinary(t, "", "--record", kept, "--force", "-c", "servport http tcp"); o.code != 0 || o.stdout != "80\n" {
		t.Fatalf("--force: %+v", o)
	}
	if got := commandLines(recordLines(t, kept)); len(got) != 1 || got[0] != "servport http tcp" {
		t.Errorf("--force: recorded %q", got)
	}
}

// TestReplayCheckExitStatus: replay --check in a -c run exits 0 with its
// summary when every step is as recorded, and 1, naming the step, when one
// recorded result differs.
func TestReplayCheckExitStatus(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "demo.jsonl")
	if o := runBinary(t, "", "--record", file, "--keep-going", "-c", "servport http tcp; socket tcp; sockname s1; servport nosuch tcp; servname 53 udp"); o.code != 1 {
		t.Fatalf("recording: %+v", o)
	}
	o := runBinary(t, "", "-c", "replay --check "+file)
	if o.code != 0 || o.stdout != "5 steps, 5 as recorded\n" || o.stderr != "" {
		t.Errorf("replay --check: %+v", o)
	}
	b, _ := os.ReadFile(file)
	edited := filepath.Join(dir, "edited.jsonl")
	os.WriteFile(edited, []byte(strings.Replace(string(b), `"output":"'domain'\n"`, `"output":"'dns'\n"`, 1)), 0o644)
	o = runBinary(t, "", "-c", "replay --check "+edited)
	wantOut := "# step 5 differs: servname 53 udp\n#   recorded: 'dns'\n#   now:      'domain'\n"
	wantErr := "-c:1: AssertionError: " + edited + ": 5 steps, 4 as recorded; 1 differ from the recording\n"
	if o.code != 1 || o.stdout != wantOut || o.stderr != wantErr {
		t.Errorf("replay --check of an edited recording: %+v\nwant exit status 1, %q, %q", o, wantOut, wantErr)
	}
}
