package shell

// Events read from the log itself, by sequence number, for a reader that
// comes back at its own moments (the recording, at each command
// boundary): nothing is copied for it as events come, and it needs no
// buffer of its own (a subscription's is made at its full size at once).

// AppendSince appends to dst the events after seq that keep accepts (nil:
// all), oldest first, spelled. keep sees each event as the log keeps it,
// as a subscription's keep does (its kind, resource, label, time and
// flags are set; Message and Attrs may wait for its Speller): an event it
// refuses is never spelled (the recording refuses every command's own
// event, one a boundary, which it records from the command's facts). missed is how many events after seq the log no
// longer holds (it keeps the last EventLogSize, of every kind); last is
// the newest Seq, the seq to ask from next time.
func (l *EventLog) AppendSince(dst []Event, seq uint64, keep func(Event) bool) (_ []Event, missed, last uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := uint64(len(l.ring))
	if n == 0 || seq >= l.seq {
		return dst, 0, l.seq
	}
	oldest := l.seq - n + 1
	from := seq + 1
	if from < oldest {
		missed, from = oldest-from, oldest
	}
	for s := from; s <= l.seq; s++ {
		e := &l.ring[(uint64(l.next)+s-oldest)%n]
		if keep == nil || keep(*e) {
			dst = append(dst, *e)
			dst[len(dst)-1].spell() // the copy: the log keeps its own as it was
		}
	}
	return dst, missed, l.seq
}

// LastSeq is the Seq of the newest event (0: none yet).
func (l *EventLog) LastSeq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}
