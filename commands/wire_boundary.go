package commands

import (
	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// Where the wire reads its rings through, so that a packet is shown under
// the command during which the kernel captured it: at each socket event
// (wire_filter.go's socketEvent), after a connect once the kernel's
// handshake work is done (handshakeDone), and at each statement's end
// (wireAfterCommand). Between those points the reader goroutine (wire.go)
// reads as packets come; on a loaded machine it may lag by milliseconds,
// and a packet it reads after the prompt is drawn is a note ("# s1: …").
// A packet the kernel captures after the statement ended is one too: the
// peer's answer that comes later is not the command's.

// wireAfterCommand is the table's AfterCommand for the wire: it reads the
// rings through as a statement ends, before the statement's events are
// printed and the prompt is drawn, so every packet captured by then is
// shown under the statement, however far behind the reader is.
func wireAfterCommand(s *shell.Session, _ shell.Event) {
	w := wireKey.Get(s)
	if w == nil || !w.enabled.Load() {
		return
	}
	w.mu.Lock()
	ifaces := w.ifaces
	w.mu.Unlock()
	w.syncAll(ifaces)
}

// handshakeDone returns once the kernel has finished the work that ended
// s's connect. A connect that waited ends when the kernel marks the
// socket connected, from its handling of the SYN,ACK (in softirq, perhaps
// on the other core), which sends the handshake's last ACK just after,
// still holding the socket's lock. A call that takes that lock therefore
// returns only after the ACK is sent, and on loopback the capture ring
// holds it by then: TCP_INFO takes it (State), on every kernel; the
// getpeername that ended the wait takes it only since Linux 6.8.
func handshakeDone(s *bsd.Socket) { s.State() }
