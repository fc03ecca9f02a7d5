package shell

// EventSpeller spells an event's Message and Attrs from the facts it
// holds (see Event.Speller); spelling the same event twice gives the
// same text and fields.
type EventSpeller interface {
	SpellEvent() (message string, attrs []Attr)
}

// spell fills e's Message and Attrs from its Speller, once.
func (e *Event) spell() {
	if sp := e.Speller; sp != nil {
		e.Speller = nil
		e.Message, e.Attrs = sp.SpellEvent()
	}
}

// Spelled is e with its Message and Attrs spelled (e itself when it has
// no Speller).
func (e Event) Spelled() Event {
	e.spell()
	return e
}

// spellEach spells the events a reader is given (copies of the log's,
// which keeps its own as they were: spelling is repeatable).
func spellEach(evs []Event) []Event {
	for i := range evs {
		evs[i].spell()
	}
	return evs
}
