package shell

// record and replay's bad input, nesting and the format, on a small table
// of test commands; commands/record_test.go records real sessions.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// recordSession is a session of a few test commands and record, replay.
func recordSession(t testing.TB) (*Session, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	tab := NewTable(
		&Command{Name: "say", Summary: "prints its words", Group: "t", Args: []Arg{Many("WORD", nil)},
			Run: func(c *Call) (any, error) {
				c.Python("print(%s)", StrRepr(strings.Join(c.Texts(0), " ")))
				return Text(strings.Join(c.Texts(0), " ")), nil
			}},
		&Command{Name: "refused", Summary: "an errno", Group: "t",
			Run: func(c *Call) (any, error) { return nil, errRefused }},
	)
	tab.Add(Builtins()...)
	tab.Add(RecordCommands()...)
	var out, errs bytes.Buffer
	s := NewSession(tab, &out, &errs)
	s.Version = "test-2"
	t.Cleanup(func() { s.EndRecording(); s.CloseAll() })
	return s, &out, &errs
}

var errRefused = ErrnoError(111, "nothing is listening")

func run(t *testing.T, s *Session, out, errs *bytes.Buffer, line string) (string, string) {
	t.Helper()
	out.Reset()
	errs.Reset()
	s.Exec(context.Background(), line, "")
	return out.String(), errs.String()
}

// TestRecordRefusesItsTarget: a directory that does not exist, a file that
// exists, a directory: one clear error each, and nothing is written.
func TestRecordRefusesItsTarget(t *testing.T) {
	s, out, errs := recordSession(t)
	dir := t.TempDir()
	kept := filepath.Join(dir, "kept.jsonl")
	if err := os.WriteFile(kept, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, want string }{
		{"record " + filepath.Join(dir, "nodir", "r.jsonl"), "FileNotFoundError: [Errno 2] No such file or directory: '" + filepath.Join(dir, "nodir", "r.jsonl") + "'\n"},
		{"record " + kept, "FileExistsError: [Errno 17] File exists: '" + kept + "'\n  hint: it is left as it is; record --force FILE replaces it when the recording ends, or give another name\n"},
		{"record " + dir, "IsADirectoryError: [Errno 21] Is a directory: '" + dir + "'\n"},
		// At once, without waiting for a reader.
		{"record " + fifo, "ValueError: '" + fifo + "' is not a regular file: a recording is written to a file, renamed into place when it ends\n"},
		{"record off", "UsageError: not recording (record FILE starts a recording)\n"},
		{"record off --force", "UsageError: --force goes with record FILE; usage: record [FILE]\n"},
	} {
		if o, e := run(t, s, out, errs, tc.line); o != "" || e != tc.want {
			t.Errorf("%s: printed %q, error %q; want the error %q", tc.line, o, e, tc.want)
		}
	}
	if names := testenv.DirNames(t, dir); strings.Join(names, " ") != "fifo kept.jsonl" {
		t.Errorf("the directory holds %v, want only fifo and kept.jsonl", names)
	}
	testenv.WantFile(t, kept, "mine\n")
	if o, _ := run(t, s, out, errs, "record"); o != "not recording\n" {
		t.Errorf("record alone: %q", o)
	}
}

// TestRecordForceAndAlreadyRecording: --force replaces the file only when
// the recording ends; a second record is refused while one runs.
func TestRecordForceAndAlreadyRecording(t *testing.T) {
	s, out, errs := recordSession(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "r.jsonl")
	os.WriteFile(file, []byte("old\n"), 0o600)
	if o, e := run(t, s, out, errs, "record --force "+file); e != "" || o != "recording to '"+file+"'; record off ends it\n" {
		t.Fatalf("record --force: %q %q", o, e)
	}
	testenv.WantFile(t, file, "old\n") // until the recording ends
	if _, e := run(t, s, out, errs, "record "+filepath.Join(dir, "other.jsonl")); e != "UsageError: already recording to '"+file+"'; record off first\n" {
		t.Errorf("a second record: %q", e)
	}
	run(t, s, out, errs, "say hi")
	if o, _ := run(t, s, out, errs, "record"); o != "recording to '"+file+"' (1 step so far)\n" {
		t.Errorf("record alone: %q", o)
	}
	if o, e := run(t, s, out, errs, "record off"); e != "" || o != "recorded 1 step to '"+file+"'\n" {
		t.Fatalf("record off: %q %q", o, e)
	}
	b, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], `{"type":"header","format":"sockshell-recording","version":1,"sockshell":"test-2",`) ||
		!strings.Contains(lines[1], `"line":"say hi","command":"say"`) || !strings.HasPrefix(lines[2], `{"type":"end",`) {
		t.Errorf("the recording:\n%s", b)
	}
	// The second record was refused and record itself is no step.
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the replaced file keeps its mode: %v %v", st.Mode(), err)
	}
	if names := testenv.DirNames(t, dir); len(names) != 1 {
		t.Errorf("the directory holds %v", names)
	}
}

// TestReplayRefusesBadRecordings: a file that is not a recording, is
// empty, is cut off mid-line, or is of a future version: one clear error
// each, read before anything runs, so nothing of it runs.
func TestReplayRefusesBadRecordings(t *testing.T) {
	s, out, errs := recordSession(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	run(t, s, out, errs, "record "+good)
	run(t, s, out, errs, "say one")
	run(t, s, out, errs, "say two")
	run(t, s, out, errs, "record off")
	whole, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(whole), "\n")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cut := write("cut.jsonl", lines[0]+lines[1]+lines[2][:len(lines[2])/2])
	future := write("future.jsonl", strings.Replace(string(whole), `"version":1,`, `"version":2,`, 1))
	text := write("notes.txt", "say one\nsay two\n")
	other := write("other.json", `{"type":"header","format":"something-else","version":1}`+"\n")
	empty := write("empty.jsonl", "")
	garbled := write("garbled.jsonl", lines[0]+"say one\n"+lines[2])
	for _, tc := range []struct{ line, want string }{
		{"replay --check " + cut, "ValueError: " + cut + ":3: the recording is cut off in the middle of this line (no newline at its end)\n  hint: the session that wrote it may have been killed; the lines before it are whole\n"},
		{"replay --check " + future, "ValueError: " + future + ":1: the recording is of format version 2; this sockshell reads version 1\n  hint: it was written by sockshell test-2; replay it with that version or a newer one\n"},
		{"replay --check " + text, "ValueError: " + text + ":1: it is not a sockshell recording (its first line is not JSON)\n  hint: a recording begins with a header line written by record FILE\n"},
		{"replay --check " + other, "ValueError: " + other + ":1: it is not a sockshell recording (its first line is not a recording header)\n  hint: a recording begins with a header line written by record FILE\n"},
		{"replay --check " + empty, "ValueError: " + empty + ": it is not a sockshell recording (the file is empty)\n  hint: a recording begins with a header line written by record FILE\n"},
		{"replay --check " + garbled, "ValueError: " + garbled + ":2: this line is not JSON: the file was cut or changed\n"},
		{"replay " + cut + " --auto 0", "ValueError: " + cut + ":3: the recording is cut off in the middle of this line (no newline at its end)\n  hint: the session that wrote it may have been killed; the lines before it are whole\n"},
		{"replay --check " + filepath.Join(dir, "none.jsonl"), "FileNotFoundError: [Errno 2] No such file or directory: '" + filepath.Join(dir, "none.jsonl") + "'\n"},
		{"replay --check " + dir, "IsADirectoryError: [Errno 21] Is a directory: '" + dir + "'\n"},
		{"replay " + good, "UsageError: replay FILE waits at the prompt for Enter before each step; here there is no prompt: use replay FILE --auto SECONDS, or replay --check FILE\n"},
		{"replay " + good + " --auto -1", "UsageError: --auto takes seconds between 0 and 3600, not '-1'; usage: replay FILE [--auto SECONDS] | replay --check FILE\n"},
		{"replay --check " + good + " --auto 1", "UsageError: --check runs without pauses; --auto goes with replay FILE; usage: replay FILE [--auto SECONDS] | replay --check FILE\n"},
		{"replay", "UsageError: missing argument; usage: replay FILE [--auto SECONDS] | replay --check FILE\n"},
	} {
		if o, e := run(t, s, out, errs, tc.line); o != "" || e != tc.want {
			t.Errorf("%s:\n printed %q\n error   %q\n want    %q", tc.line, o, e, tc.want)
		}
	}
	// The good one still replays, by itself.
	if o, e := run(t, s, out, errs, "replay "+good+" --auto 0"); e != "" || o != ">>> say one\none\n>>> say two\ntwo\n# the replay of '"+good+"' is over: 2 steps\n" {
		t.Errorf("replay --auto 0: %q %q", o, e)
	}
}

// TestRecordNestedStatements: the lines a script runs are recorded inside
// its source step (depth 1, before it); replay --check runs the source
// again and compares what all of it printed. The lines replay --auto runs
// are recorded as steps of their own, and replay itself is not one.
func TestRecordNestedStatements(t *testing.T) {
	s, out, errs := recordSession(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "two.sock")
	os.WriteFile(script, []byte("say one\nsay two\n"), 0o644)
	file := filepath.Join(dir, "r.jsonl")
	run(t, s, out, errs, "record "+file)
	run(t, s, out, errs, "source "+script)
	run(t, s, out, errs, "refused")
	run(t, s, out, errs, "record off")
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(readAll(t, file)), "\n") {
		var st recordingStep
		json.Unmarshal([]byte(l), &st)
		if st.Type == recCommand {
			got = append(got, st.Line+"|"+itoa(st.Depth)+"|"+itoa(st.Step)+"|"+st.Output+"|"+st.Error)
		}
	}
	want := []string{"say one|1|0|one\n|", "say two|1|0|two\n|", "source " + script + "|0|1||", "refused|0|2||ConnectionRefusedError"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the recorded commands:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if o, e := run(t, s, out, errs, "replay --check "+file); e != "" || o != "2 steps, 2 as recorded\n" {
		t.Errorf("replay --check: %q %q", o, e)
	}
	// The script changed: the source step differs.
	os.WriteFile(script, []byte("say one\nsay three\n"), 0o644)
	o, e := run(t, s, out, errs, "replay --check "+file)
	if !strings.Contains(o, "# step 1 differs: source "+script+"\n#   recorded: two\n#   now:      three\n") || !strings.Contains(e, "AssertionError") {
		t.Errorf("replay --check after the script changed: %q %q", o, e)
	}
	os.WriteFile(script, []byte("say one\nsay two\n"), 0o644)

	// replay --auto while recording: its steps are recorded as typed.
	again := filepath.Join(dir, "again.jsonl")
	run(t, s, out, errs, "record "+again)
	run(t, s, out, errs, "replay "+file+" --auto 0")
	run(t, s, out, errs, "record off")
	got = nil
	for _, l := range strings.Split(strings.TrimSpace(readAll(t, again)), "\n") {
		var st recordingStep
		json.Unmarshal([]byte(l), &st)
		if st.Type == recCommand {
			got = append(got, st.Line+"|"+itoa(st.Depth)+"|"+itoa(st.Step))
		}
	}
	want = []string{"say one|1|0", "say two|1|0", "source " + script + "|0|1", "refused|0|2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("a replay, recorded:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if o, e := run(t, s, out, errs, "replay --check "+again); e != "" || o != "2 steps, 2 as recorded\n" {
		t.Errorf("replay --check of the replay: %q %q", o, e)
	}
}

func readAll(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestRecordedOutputIsPlain: colour codes are not recorded; the text is.
func TestRecordedOutputIsPlain(t *testing.T) {
	s, out, errs := recordSession(t)
	s.UseTerminal(TerminalInfo{Color: true})
	file := filepath.Join(t.TempDir(), "r.jsonl")
	run(t, s, out, errs, "record "+file)
	if _, e := run(t, s, out, errs, "refused"); !strings.Contains(e, "\x1b[31m") {
		t.Fatalf("the error is not in colour: %q", e)
	}
	run(t, s, out, errs, "record off")
	if text := readAll(t, file); strings.Contains(text, `\u001b`) || !strings.Contains(text, `"errors":"ConnectionRefusedError: [Errno 111] Connection refused\n  hint: nothing is listening\n"`) {
		t.Errorf("the recording:\n%s", text)
	}
}

// TestRecordReplayComplete: record offers off and files, replay files and
// its options.
func TestRecordReplayComplete(t *testing.T) {
	s, _, _ := recordSession(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "demo.jsonl"), nil, 0o644)
	t.Chdir(dir)
	for line, want := range map[string]string{
		"record ":          "demo.jsonl off", // sorted
		"record o":         "off",
		"record de":        "demo.jsonl",
		"replay de":        "demo.jsonl",
		"replay --":        "--auto --check",
		"replay --check d": "demo.jsonl",
		"record --":        "--force",
	} {
		got, _ := s.Complete(line)
		if strings.Join(got, " ") != want {
			t.Errorf("complete %q: %q, want %q", line, got, want)
		}
	}
}

// TestReplayRefusesLinesThatDriveTheTerminal: a step whose line holds a
// control character (a changed file, or one pasted raw) is never typed out
// at the terminal; --check, which types nothing, still runs it.
func TestReplayRefusesLinesThatDriveTheTerminal(t *testing.T) {
	s, out, errs := recordSession(t)
	file := filepath.Join(t.TempDir(), "r.jsonl")
	run(t, s, out, errs, "record "+file)
	run(t, s, out, errs, "say hi")
	run(t, s, out, errs, "record off")
	os.WriteFile(file, []byte(strings.Replace(readAll(t, file), `"line":"say hi"`, `"line":"say \u001b[2Jhi"`, 1)), 0o644)
	if o, e := run(t, s, out, errs, "replay "+file+" --auto 0"); o != "" || e != `ValueError: step 1's line holds characters a terminal would obey: 'say \x1b[2Jhi'; replay --check runs it, replay at the prompt does not type it`+"\n" {
		t.Errorf("replay --auto: %q %q", o, e)
	}
	if o, e := run(t, s, out, errs, "replay --check "+file); !strings.Contains(o, "# step 1 differs: say \\x1b[2Jhi\n") || !strings.Contains(e, "AssertionError") {
		t.Errorf("replay --check: %q %q", o, e)
	}
}

// TestRecordWidth: a step run after the terminal was resized records its
// width, and the check fits its tables to it.
func TestRecordWidth(t *testing.T) {
	s, out, errs := recordSession(t)
	s.Table.Add(&Command{Name: "rows", Summary: "a table", Group: "t",
		Run: func(c *Call) (any, error) {
			return &Rows{Header: []string{"name", "what"}, Rows: [][]any{{"one", strings.Repeat("word ", 12)}}}, nil
		}})
	file := filepath.Join(t.TempDir(), "r.jsonl")
	s.SetWidth(100)
	run(t, s, out, errs, "record "+file)
	wide, _ := run(t, s, out, errs, "rows")
	s.SetWidth(30)
	narrow, _ := run(t, s, out, errs, "rows")
	run(t, s, out, errs, "record off")
	if wide == narrow {
		t.Fatalf("the table is the same at 100 and 30 columns:\n%s", wide)
	}
	text := readAll(t, file)
	if !strings.Contains(text, `"width":100,`) || strings.Count(text, `"width":30,`) != 1 {
		t.Errorf("the widths recorded:\n%s", text)
	}
	if o, e := run(t, s, out, errs, "replay --check "+file); o != "2 steps, 2 as recorded\n" || e != "" {
		t.Errorf("replay --check: %q %q", o, e)
	}
}
