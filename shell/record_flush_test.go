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
)

// TestRecordFlushesWhileACommandBlocks: the records are written in one
// write at a flush, not one a record, yet a finished step does not wait in
// memory while a later command blocks: it reaches the file (still the
// temporary one beside the target) while the command waits; and the end
// of the recording writes the rest.
func TestRecordFlushesWhileACommandBlocks(t *testing.T) {
	s, _, _ := recordSession(t)
	release := make(chan struct{})
	s.Table.Add(&Command{Name: "block", Summary: "waits for the test", Group: "t",
		Run: func(c *Call) (any, error) {
			<-release
			return None, nil
		}})
	dir := t.TempDir()
	file := filepath.Join(dir, "r.jsonl")
	if err := s.StartRecording(file, false); err != nil {
		t.Fatal(err)
	}
	s.Exec(context.Background(), "say one", "")
	s.Exec(context.Background(), "say two", "")
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Exec(context.Background(), "block", "")
	}()
	defer func() { close(release); <-done }()
	temp := func() string {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".r.jsonl.") {
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				return string(b)
			}
		}
		return ""
	}
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got = temp(); strings.Contains(got, `"line":"say two"`) {
			break
		}
	}
	if !strings.Contains(got, `"line":"say one"`) || !strings.Contains(got, `"line":"say two"`) || !strings.HasSuffix(got, "\n") {
		t.Fatalf("while a command blocks, the file holds %q; want both finished steps, whole lines", got)
	}
	if strings.Contains(got, `"line":"block"`) {
		t.Errorf("the blocked command is recorded as finished: %q", got)
	}
}

// TestRecordCountsWhatTheLogLetGo: a command that makes more events than
// the session's log keeps: the recording writes the last ones, in order,
// and a "dropped" record counts the rest.
func TestRecordCountsWhatTheLogLetGo(t *testing.T) {
	s, _, _ := recordSession(t)
	const n = EventLogSize + 900
	s.Table.Add(&Command{Name: "burst", Summary: "many events", Group: "t",
		Run: func(c *Call) (any, error) {
			for i := 1; i <= n; i++ {
				c.Session.Emit(Event{Kind: "tick", Resource: "t", Message: fmt.Sprint(i), Quiet: true})
			}
			return None, nil
		}})
	file := filepath.Join(t.TempDir(), "r.jsonl")
	if err := s.StartRecording(file, false); err != nil {
		t.Fatal(err)
	}
	s.Exec(context.Background(), "burst", "")
	s.EndRecording()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var dropped uint64
	var ticks []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rec struct {
			Type  string
			Count uint64
			Event struct {
				Kind    string `json:"event"`
				Message string
			}
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		switch {
		case rec.Type == "dropped":
			dropped += rec.Count
		case rec.Type == "event" && rec.Event.Kind == "tick":
			ticks = append(ticks, rec.Event.Message)
		}
	}
	if dropped == 0 || uint64(len(ticks))+dropped != n {
		t.Fatalf("%d events recorded and %d counted dropped, want %d in all, some dropped", len(ticks), dropped, n)
	}
	for i, m := range ticks {
		if want := fmt.Sprint(int(dropped) + i + 1); m != want {
			t.Fatalf("recorded event %d is %s, want %s (the last ones, in order)", i, m, want)
		}
	}
}
