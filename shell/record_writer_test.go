package shell

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// TestRecordWriterKeepsEveryStep: the writer takes batches while commands
// go on (at recordFlushSize, and while a command that has printed part of
// its output still runs): every step's record holds exactly what it
// printed, in order, with the events it made, and the end record counts
// them all.
func TestRecordWriterKeepsEveryStep(t *testing.T) {
	s, _, _ := recordSession(t)
	// pieces N K prints N pieces of K bytes, handing the batch to the
	// writer (and waiting for it) between pieces, and an event after each.
	piece := func(i, k int) string {
		return fmt.Sprintf("%d:%s\n", i, strings.Repeat(string(rune('a'+i%26)), k))
	}
	s.Table.Add(&Command{Name: "pieces", Summary: "prints pieces", Group: "t", Args: []Arg{Req("N", nil), Req("K", nil)},
		Run: func(c *Call) (any, error) {
			var n, k int
			fmt.Sscan(c.Arg(0), &n)
			fmt.Sscan(c.Arg(1), &k)
			for i := range n {
				c.Session.Print(piece(i, k))
				c.Session.Emit(Event{Kind: "tick", Resource: "t", Message: fmt.Sprint(i), Quiet: true})
				c.Session.flushRecording()
			}
			return None, nil
		}})
	file := filepath.Join(t.TempDir(), "r.jsonl")
	if err := s.StartRecording(file, false); err != nil {
		t.Fatal(err)
	}
	type want struct{ line, out string }
	var wants []want
	ticks := 0
	for i := range 400 {
		var line, out string
		switch i % 4 {
		case 0:
			n, k := 1+i%3, 1000*(i%7)
			line = fmt.Sprintf("pieces %d %d", n, k)
			for j := range n {
				out += piece(j, k)
			}
			ticks += n
		default:
			w := strings.Repeat("w", i*53%3000+1)
			line, out = "say "+w, w+"\n"
		}
		s.Exec(context.Background(), line, "")
		wants = append(wants, want{line, out})
	}
	s.EndRecording()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var steps []recordingStep
	events := 0
	var end recordingEnd
	for n, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var kind struct{ Type string }
		if err := json.Unmarshal([]byte(l), &kind); err != nil {
			t.Fatalf("line %d is not JSON (%v): %.80q", n+1, err, l)
		}
		switch kind.Type {
		case recCommand:
			var st recordingStep
			json.Unmarshal([]byte(l), &st)
			steps = append(steps, st)
		case recEvent:
			var ev struct{ Event struct{ Message string } }
			json.Unmarshal([]byte(l), &ev)
			// The i-th tick of a pieces command comes before its step.
			if st := wants[len(steps)]; !strings.HasPrefix(st.line, "pieces ") {
				t.Fatalf("event %s recorded before step %d, %q, which makes none", ev.Event.Message, len(steps)+1, st.line)
			}
			events++
		case recEnd:
			json.Unmarshal([]byte(l), &end)
		}
	}
	if len(steps) != len(wants) {
		t.Fatalf("%d steps recorded, %d ran", len(steps), len(wants))
	}
	for i, st := range steps {
		if st.Step != i+1 || st.Line != wants[i].line || st.Output != wants[i].out || st.Errors != "" {
			t.Fatalf("step %d recorded as %d %.60q, output %.60q (%d bytes); want %.60q, output %.60q (%d bytes)",
				i+1, st.Step, st.Line, st.Output, len(st.Output), wants[i].line, wants[i].out, len(wants[i].out))
		}
	}
	if events != ticks || end.Steps != len(wants) || end.Events != ticks {
		t.Fatalf("%d events recorded, end record %+v; want %d events and %d steps", events, end, ticks, len(wants))
	}
}

// TestRecordWriteErrorGoesOn: the disk fills while a recording is under
// way: the commands go on as they were; record off fails with one error,
// Python's OSError for ENOSPC, and leaves neither the file nor its
// temporary file; the next recording works.
func TestRecordWriteErrorGoesOn(t *testing.T) {
	s, out, errs := recordSession(t)
	dir := testenv.FullDisk(t, nil)
	// Room for the header and a few records, not for what follows.
	filler := filepath.Join(dir, "filler")
	st, err := os.Stat(filler)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filler, max(st.Size()-16<<10, 0)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "r.jsonl")
	if err := s.StartRecording(file, false); err != nil {
		t.Fatalf("record with 16 KiB free: %v", err)
	}
	word := strings.Repeat("x", 4000)
	for i := range 100 {
		out.Reset()
		errs.Reset()
		if e := s.Exec(context.Background(), "say "+word, ""); e != nil || out.String() != word+"\n" {
			t.Fatalf("command %d with the disk full: %v, printed %q %q", i, e, out.String(), errs.String())
		}
	}
	_, _, err = s.stopRecording()
	if err == nil || !strings.Contains(Classify(err).Error(), "[Errno 28]") {
		t.Fatalf("record off on a full disk: %v, want OSError [Errno 28]", err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "filler" {
			t.Errorf("left on the full disk: %s", e.Name())
		}
	}
	if _, _, err := s.stopRecording(); err == nil || !strings.Contains(err.Error(), "not recording") {
		t.Fatalf("a second record off: %v, want not recording", err)
	}
	other := filepath.Join(t.TempDir(), "r.jsonl")
	if err := s.StartRecording(other, false); err != nil {
		t.Fatal(err)
	}
	s.Exec(context.Background(), "say again", "")
	if _, steps, err := s.stopRecording(); err != nil || steps != 1 {
		t.Fatalf("the next recording: %d steps, %v", steps, err)
	}
}

// TestRecordWaitsForTheWriter: what waits for the writer is bounded: while
// the writer is busy (held here), a command that adds more than
// recordQueueMax waits for it, and goes on, its step recorded whole, when
// the writer is done.
func TestRecordWaitsForTheWriter(t *testing.T) {
	s, _, _ := recordSession(t)
	file := filepath.Join(t.TempDir(), "r.jsonl")
	if err := s.StartRecording(file, false); err != nil {
		t.Fatal(err)
	}
	r := s.term.rec.Load()
	r.mu.Lock()
	r.busy = true // a writer at work: none runs until the test lets go
	r.mu.Unlock()
	big := strings.Repeat("b", recordQueueMax/4)
	done := make(chan struct{})
	release := func() {
		r.mu.Lock()
		r.busy = false // the writer done: the next one takes what waits
		r.kickLocked()
		r.mu.Unlock()
		<-done
	}
	go func() {
		defer close(done)
		for range 5 {
			s.Exec(context.Background(), "say "+big, "")
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		waiting := r.waitingRoom
		r.mu.Unlock()
		if waiting == 1 {
			break
		}
		if time.Now().After(deadline) {
			release()
			t.Fatal("the command did not wait for the busy writer")
		}
	}
	release()
	s.EndRecording()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), `"output":"`+big+`\n"`); n != 5 {
		t.Fatalf("%d of the 5 steps recorded whole", n)
	}
}
