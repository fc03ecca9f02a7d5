package shell

import (
	"testing"
)

// countSpeller spells "said N" and counts how often it was asked.
type countSpeller struct {
	n     *int
	value int
}

func (c countSpeller) SpellEvent() (string, []Attr) {
	*c.n++
	return "said", []Attr{{"value", c.value}}
}

// TestEventsSpelledWhenRead: an event with a Speller is kept unspelled
// (no reader, no subscription that keeps it: its text is never made), and
// every reader sees it spelled: Recent, LastByTime, AppendSince (whose
// keep, like a subscription's, sees it as kept and whose refused events are
// never spelled), a subscription that keeps it, Attr.
func TestEventsSpelledWhenRead(t *testing.T) {
	log := NewEventLog()
	spelled := 0
	ignores := log.Subscribe(8, func(e Event) bool { return e.Kind == "other" })
	defer ignores.Close()
	for i := range 100 {
		log.Emit(Event{Kind: "made", Resource: "s1", Speller: countSpeller{&spelled, i}})
	}
	if spelled != 0 {
		t.Fatalf("%d events spelled with no reader", spelled)
	}
	last := log.Recent(1)
	if len(last) != 1 || last[0].Message != "said" || last[0].Speller != nil {
		t.Fatalf("Recent(1) = %+v, want the last event spelled", last)
	}
	if v, ok := last[0].Attr("value"); !ok || v != 99 {
		t.Errorf("Recent's event value = %v, %v; want 99", v, ok)
	}
	if spelled != 1 {
		t.Errorf("Recent(1) spelled %d events, want 1", spelled)
	}
	if got := log.LastByTime(2); len(got) != 2 || got[0].Message != "said" || got[1].Message != "said" {
		t.Errorf("LastByTime(2) = %+v, want both spelled", got)
	}
	// AppendSince's keep sees the event as kept, as a subscription's
	// does; what it keeps comes spelled, what it refuses is not spelled.
	var keepSaw []string
	before := spelled
	got, _, _ := log.AppendSince(nil, 97, func(e Event) bool { keepSaw = append(keepSaw, e.Message); return e.Seq != 99 })
	if len(got) != 2 || got[0].Message != "said" || got[1].Message != "said" || got[0].Speller != nil || got[1].Seq != 100 {
		t.Errorf("AppendSince = %+v; want events 98 and 100 spelled", got)
	}
	if len(keepSaw) != 3 || keepSaw[0] != "" || keepSaw[1] != "" || keepSaw[2] != "" {
		t.Errorf("AppendSince's keep saw %q; want three events as the log keeps them (not spelled)", keepSaw)
	}
	if spelled-before != 2 {
		t.Errorf("AppendSince of three events, two kept: %d spelled, want 2", spelled-before)
	}
	// A subscription that keeps an event gets it spelled; one that does
	// not costs nothing.
	sub := log.Subscribe(8, func(e Event) bool { return e.Resource == "s2" })
	defer sub.Close()
	before = spelled
	log.Emit(Event{Kind: "made", Resource: "s3", Speller: countSpeller{&spelled, 1}})
	log.Emit(Event{Kind: "made", Resource: "s2", Speller: countSpeller{&spelled, 2}})
	if spelled != before+1 {
		t.Errorf("two events, one kept by a subscription: %d spelled, want 1", spelled-before)
	}
	if p := sub.Pending(); len(p) != 1 || p[0].Message != "said" || p[0].Resource != "s2" {
		t.Errorf("the subscription got %+v, want s2's event spelled", p)
	}
	// Attr spells an event read as it was kept.
	raw := Event{Kind: "made", Speller: countSpeller{&spelled, 7}}
	if v, ok := raw.Attr("value"); !ok || v != 7 {
		t.Errorf("Attr on an unspelled event = %v, %v; want 7", v, ok)
	}
	if s := raw.Spelled(); s.Message != "said" || s.Speller != nil {
		t.Errorf("Spelled() = %+v", s)
	}
}
