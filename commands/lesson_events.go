package commands

import (
	"fmt"
	"strings"

	"github.com/sockshell/sockshell/shell"
)

// What a lesson's step explains after it is done: the events, the Python lines and the packets since the step began.

func fillAll(s *shell.Session, st *lessonState, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = fill(s, st, l)
	}
	return out
}

func addDone(done []int, n int) []int {
	for _, d := range done {
		if d == n {
			return done
		}
	}
	return append(done, n)
}

// eventsSince are the events after Seq start that the log still holds.
func eventsSince(s *shell.Session, start uint64) []shell.Event {
	all := s.Events().Recent(0)
	for i, e := range all {
		if e.Seq > start {
			return all[i:]
		}
	}
	return nil
}

// pythonSince is the Python of the commands among events, at most the
// last 8 lines.
func pythonSince(events []shell.Event) []string {
	var out []string
	for _, e := range events {
		if e.Kind != shell.EventCommand {
			continue
		}
		if py, ok := e.Attr("python"); ok {
			if lines, ok := py.([]string); ok {
				out = append(out, lines...)
			}
		}
	}
	if len(out) > 8 {
		out = out[len(out)-8:]
	}
	return out
}

// packetsSince spells the packets among events as tcpdump's flags with
// their direction: "→ SYN  ← SYN,ACK  → ACK"; "" when there are none
// (the wire view is off).
func packetsSince(events []shell.Event) string {
	var parts []string
	for _, e := range events {
		if e.Kind != eventPacket {
			continue
		}
		dir, _ := e.Attr("dir")
		flags, _ := e.Attr("flags")
		arrow := "→"
		if dir == "in" {
			arrow = "←"
		}
		part := fmt.Sprintf("%s %v", arrow, flags)
		if n, ok := e.Attr("len"); ok && fmt.Sprint(n) != "0" {
			part += fmt.Sprintf(" (%v bytes)", n)
		}
		parts = append(parts, part)
	}
	if len(parts) > 12 {
		parts = append(parts[:12], fmt.Sprintf("… (%d in all)", len(parts)))
	}
	return strings.Join(parts, "  ")
}
