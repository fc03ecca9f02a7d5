// This file holds Event: what a server reports, as data, through
// Options.Report; String gives the words of a log line.

package demo

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sockshell/sockshell/shell/pyerr"
)

// EventKind says what happened.
type EventKind int

const (
	Listening    EventKind = iota + 1 // the server listens (Start)
	Stopped                           // the server stopped (Stop), every connection ended
	Accepted                          // a TCP connection came in (Peer)
	Closed                            // a TCP connection ended: End says how; BytesIn, BytesOut
	Refused                           // a TCP connection was closed at once: MaxConns were open
	Datagram                          // a UDP datagram came in: BytesIn, its reply's BytesOut, or Dropped
	AcceptError                       // accept failed for a while (Err); the server pauses and goes on
	AcceptFailed                      // accept failed for good (Err): the server stopped accepting
)

var kindNames = map[EventKind]string{Listening: "listening", Stopped: "stopped", Accepted: "connection_accepted",
	Closed: "connection_closed", Refused: "connection_refused", Datagram: "datagram", AcceptError: "accept_error",
	AcceptFailed: "accept_failed"}

// String is the kind in snake_case: "connection_closed".
func (k EventKind) String() string { return kindNames[k] }

// End says how a TCP connection ended.
type End int

const (
	EndFIN        End = iota + 1 // the client sent its FIN; the server closed after it
	EndReplied                   // the service sent its whole reply and closed (daytime)
	EndReset                     // the client reset the connection
	EndBrokenPipe                // the client no longer reads: it closed or reset its side
	EndIdle                      // idle for IdleTimeout
	EndStopped                   // the server stopped
	EndError                     // another error (Err)
	EndLifetime                  // open for MaxLife, the longest a connection is served (Idle holds it)
	EndHandshake                 // the TLS handshake did not complete (Err)
)

var endNames = map[End]string{EndFIN: "fin", EndReplied: "replied", EndReset: "reset", EndBrokenPipe: "broken_pipe",
	EndIdle: "idle", EndStopped: "server_stopped", EndError: "error", EndLifetime: "lifetime", EndHandshake: "handshake"}

// String is the ending in snake_case: "broken_pipe".
func (e End) String() string { return endNames[e] }

// Event is one thing that happened to a server.
type Event struct {
	Kind   EventKind
	Time   time.Time
	Server string         // the server's kind: "echo", "chargen/udp"
	Addr   netip.AddrPort // where it listens
	Peer   netip.AddrPort // the client (Accepted, Closed, Refused, Datagram)
	// Path is a Unix server's address (where Addr is none): its path, or
	// @name for an abstract one; PeerPath is its client's name, "" when
	// the client is unnamed, as most are.
	Path, PeerPath string

	BytesIn, BytesOut int64 // Closed: over the connection; Datagram: its size and its reply's

	End  End           // Closed
	Idle time.Duration // Closed with EndIdle: the idle limit; with EndLifetime: MaxLife
	Err  error         // Closed with EndError or EndHandshake; AcceptError

	MaxConns int // Refused: the connections open already
	PerPeer  int // Refused for MaxPerPeer: the connections this address holds already (0: refused for MaxConns)

	// Dropped says why a datagram got no answer ("" when it got one, or
	// the service sends none). Notify is true for the drops worth a line:
	// at most one a second for each peer and reason, so a flood does not
	// flood the log.
	Dropped string
	Notify  bool
}

// String is the event in words, as the server's log says it: "closed
// 127.0.0.1:5000 after its FIN (1 byte in, 1 byte out)".
func (e Event) String() string {
	peer := e.Peer.String()
	if e.Path != "" {
		peer = "a client"
		if e.PeerPath != "" {
			peer = e.PeerPath
		}
	}
	switch e.Kind {
	case Listening:
		return "listening"
	case Stopped:
		return "stopped"
	case Accepted:
		return "connection from " + peer
	case Refused:
		if e.PerPeer > 0 {
			return fmt.Sprintf("refused %s: %d connections from %s already, the most one address may hold (of %d)", peer, e.PerPeer, e.Peer.Addr(), e.MaxConns)
		}
		return fmt.Sprintf("refused %s: %d connections already", peer, e.MaxConns)
	case AcceptError:
		return fmt.Sprintf("accept: %s (pausing, then trying again; this is said once until accept works)", pyerr.Of(e.Err))
	case AcceptFailed:
		return fmt.Sprintf("accept: %v: the server stops", e.Err)
	case Datagram:
		if e.Dropped != "" {
			return fmt.Sprintf("dropped a datagram from %s unanswered: %s (more such drops within a second are not logged; servers counts them all)", peer, e.Dropped)
		}
		return fmt.Sprintf("a datagram from %s (%s in, %s out)", peer, count(e.BytesIn, "byte"), count(e.BytesOut, "byte"))
	case Closed:
		return fmt.Sprintf("%s (%s in, %s out)", e.ending(peer), count(e.BytesIn, "byte"), count(e.BytesOut, "byte"))
	}
	return fmt.Sprintf("event %d", e.Kind)
}

// ending says in words how a connection with peer ended.
func (e Event) ending(peer string) string {
	switch e.End {
	case EndFIN:
		if e.Path != "" {
			return "closed " + peer + " after it closed its side (end of file: a Unix socket sends no FIN)"
		}
		return "closed " + peer + " after its FIN"
	case EndReplied:
		return "sent its reply to " + peer + " and closed the connection"
	case EndReset:
		return peer + " reset the connection"
	case EndBrokenPipe:
		return "closed " + peer + ": it no longer reads (broken pipe: it closed or reset its side)"
	case EndIdle:
		return fmt.Sprintf("closed %s: idle for %v", peer, e.Idle)
	case EndHandshake:
		return fmt.Sprintf("closed %s: %v", peer, e.Err)
	case EndLifetime:
		return fmt.Sprintf("closed %s: open for %v, the longest a connection is served", peer, e.Idle)
	case EndStopped:
		return "closed " + peer + ": the server stopped"
	}
	return fmt.Sprintf("closed %s: %v", peer, e.Err)
}
