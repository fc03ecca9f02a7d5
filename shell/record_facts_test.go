package shell

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"
)

// TestStepRecordIsTheEvent: the record the writer makes of a statement
// from its facts (stepRecord) says what the statement's command event
// says, field by field, as the event is spelled (cmdFacts.SpellEvent):
// on random statements, failed and not, with and without an errno, what
// they made, Python lines and timing phases, encoded byte for byte the
// same.
func TestStepRecordIsTheEvent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	words := []string{"", "servport http tcp", "s1", "OSError", "ConnectionRefusedError", `"q"`, "é", "socket.socket()", "int", "None"}
	word := func() string { return words[rng.IntN(len(words))] }
	for i := range 5000 {
		f := &cmdFacts{name: word(), line: word() + " " + word(), resource: word(), made: word(),
			dur: time.Duration(rng.Int64N(1 << uint(1+rng.IntN(40)))), result: word(), class: word(),
			errno: rng.IntN(200) - 50, hasErrno: rng.IntN(2) == 0, failed: rng.IntN(2) == 0}
		switch rng.IntN(3) {
		case 0:
			f.python = []string{}
		case 1:
			for range 1 + rng.IntN(3) {
				f.python = append(f.python, word())
			}
		}
		if rng.IntN(2) == 0 {
			for range rng.IntN(4) {
				f.timing = append(f.timing, Attr{word(), time.Duration(rng.Int64N(1 << 30))})
			}
		}
		got := stepRecord(f)
		want := stepFromEvent(f.event())
		gb, err1 := marshalJSON(got)
		wb, err2 := marshalJSON(want)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(gb, wb) {
			t.Fatalf("statement %d, %+v:\nfrom the facts %s\nfrom the event %s", i, *f, gb, wb)
		}
	}
}

// stepFromEvent reads a step's fields from a command event as a reader
// of the event sees them (its attributes by key), the reference for
// stepRecord.
func stepFromEvent(ev Event) recordingStep {
	st := recordingStep{Type: recCommand, Resource: ev.Resource}
	for _, a := range ev.Attrs {
		switch a.Key {
		case "line":
			st.Line, _ = a.Value.(string)
		case "command":
			st.Command, _ = a.Value.(string)
		case "duration":
			if d, ok := a.Value.(time.Duration); ok {
				st.Duration = roundSeconds(d)
			}
		case "result":
			st.Result, _ = a.Value.(string)
		case "error":
			st.Error, _ = a.Value.(string)
		case "errno":
			if n, ok := a.Value.(int); ok {
				st.Errno = &n
			}
		case "made":
			st.Made, _ = a.Value.(string)
		case "python":
			st.Python, _ = a.Value.([]string)
		case "timing":
			phases, _ := a.Value.([]Attr)
			for _, p := range phases {
				d, _ := p.Value.(time.Duration)
				st.Timing = append(st.Timing, recordingPhase{Phase: p.Key, Seconds: roundSeconds(d)})
			}
		}
	}
	return st
}
