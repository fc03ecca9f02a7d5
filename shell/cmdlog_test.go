package shell

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// The command log keeps every statement even when the event log's ring has
// long dropped them, and once full it keeps the last ones and counts the
// rest.
func TestCommandLogOutlivesTheEventRing(t *testing.T) {
	s, _, _ := testSession()
	s.KeepGoing = true
	// Fill the event ring with other events after two statements.
	s.Exec(context.Background(), "val a; set timeout 5", "")
	for i := 0; i < EventLogSize; i++ {
		s.Emit(Event{Kind: "noise", Quiet: true})
	}
	for _, e := range s.Events().Recent(0) {
		if e.Kind == EventCommand {
			t.Fatalf("the event ring still has a command event: %+v", e)
		}
	}
	got, dropped := s.Commands()
	if dropped != 0 || len(got) != 2 {
		t.Fatalf("Commands() = %d entries, %d dropped; want 2, 0", len(got), dropped)
	}
	if py, _ := got[0].Attr("python"); fmt.Sprint(py) != "[f('a')]" {
		t.Errorf("first entry's python = %v, want [f('a')]", py)
	}
	if got[0].DefaultTimeout != "socket.setdefaulttimeout(30.0)" || got[1].DefaultTimeout != "socket.setdefaulttimeout(5.0)" {
		t.Errorf("default timeouts %q, %q; want 30.0 then 5.0", got[0].DefaultTimeout, got[1].DefaultTimeout)
	}

	s.commands.size = 3 // a small ring, to see it drop
	s.commands.ring, s.commands.next = nil, 0
	var lines []string
	for i := 0; i < 5; i++ {
		lines = append(lines, fmt.Sprintf("val x%d", i))
	}
	s.Exec(context.Background(), strings.Join(lines, "; "), "")
	got, dropped = s.Commands()
	if dropped != 2 || len(got) != 3 {
		t.Fatalf("Commands() = %d entries, %d dropped; want 3, 2", len(got), dropped)
	}
	for i, e := range got {
		if line, _ := e.Attr("line"); line != lines[i+2] {
			t.Errorf("entry %d is %v, want %q", i, line, lines[i+2])
		}
	}
}
