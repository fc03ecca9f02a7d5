// What the background servers report, as the session's events: the kinds,
// and the adapters from the demo and gopher libraries' own event types.
// A server's listening and stopping are quiet (the command's own result
// says so); so are a gopher server's connections and every datagram, which
// only the log keeps.
package commands

import (
	"github.com/sockshell/sockshell/commands/demo"
	"github.com/sockshell/sockshell/commands/gopher"
	"github.com/sockshell/sockshell/shell"
)

// The kinds of the servers' events.
const (
	eventListening     shell.EventKind = "listening"
	eventStopped       shell.EventKind = "stopped"
	eventAccepted      shell.EventKind = "connection_accepted"
	eventClosed        shell.EventKind = "connection_closed"
	eventRefused       shell.EventKind = "connection_refused"
	eventDatagram      shell.EventKind = "datagram"
	eventAcceptError   shell.EventKind = "accept_error"
	eventRequestFailed shell.EventKind = "request_failed"
	eventAcceptPaused  shell.EventKind = "accept_paused"
	eventAcceptResumed shell.EventKind = "accept_resumed"
	eventAcceptFailed  shell.EventKind = "accept_failed"
	// eventCoalesced says how many lines of one kind a flood kept off the
	// terminal (serve_limit.go); the log has each event.
	eventCoalesced shell.EventKind = "lines_coalesced"
)

// demoEvent is a demo server's event as the session's, without the
// server's name (server.emit adds it). Its line reads "[echo
// 127.0.0.1:7007] connection from 127.0.0.1:41234".
func demoEvent(e demo.Event) shell.Event {
	ev := shell.Event{Time: e.Time, Label: e.Server + " " + e.Addr.String(), Message: e.String(),
		Attrs: []shell.Attr{{Key: "address", Value: e.Addr}}}
	peer := shell.Attr{Key: "peer", Value: e.Peer}
	if e.Path != "" { // a Unix server: its path, and its client's name ("" unnamed)
		ev.Label, ev.Attrs[0].Value = e.Server+" "+e.Path, e.Path
		peer.Value = e.PeerPath
	}
	switch e.Kind {
	case demo.Listening:
		ev.Kind, ev.Quiet = eventListening, true
	case demo.Stopped:
		ev.Kind, ev.Quiet = eventStopped, true
	case demo.Accepted:
		ev.Kind = eventAccepted
		ev.Attrs = append(ev.Attrs, peer)
	case demo.Closed:
		ev.Kind = eventClosed
		ev.Attrs = append(ev.Attrs, peer, shell.Attr{Key: "bytes_in", Value: e.BytesIn},
			shell.Attr{Key: "bytes_out", Value: e.BytesOut}, shell.Attr{Key: "end", Value: e.End.String()})
		switch e.End {
		case demo.EndIdle:
			ev.Attrs = append(ev.Attrs, shell.Attr{Key: "idle", Value: e.Idle})
		case demo.EndLifetime:
			ev.Attrs = append(ev.Attrs, shell.Attr{Key: "lifetime", Value: e.Idle})
		}
		if e.End == demo.EndError || e.End == demo.EndHandshake {
			ev.Attrs = append(ev.Attrs, shell.Attr{Key: "error", Value: e.Err})
		}
	case demo.Refused:
		ev.Kind = eventRefused
		ev.Attrs = append(ev.Attrs, peer, shell.Attr{Key: "max_connections", Value: e.MaxConns})
		if e.PerPeer > 0 {
			ev.Attrs = append(ev.Attrs, shell.Attr{Key: "max_per_address", Value: e.PerPeer})
		}
	case demo.Datagram:
		// Every datagram is in the log; a line only for a drop worth
		// telling (at most one a second for each peer and reason).
		ev.Kind, ev.Quiet = eventDatagram, e.Dropped == "" || !e.Notify
		ev.Attrs = append(ev.Attrs, peer, shell.Attr{Key: "bytes_in", Value: e.BytesIn}, shell.Attr{Key: "bytes_out", Value: e.BytesOut})
		if e.Dropped != "" {
			ev.Attrs = append(ev.Attrs, shell.Attr{Key: "dropped", Value: e.Dropped})
		}
	case demo.AcceptError:
		ev.Kind = eventAcceptError
		ev.Attrs = append(ev.Attrs, shell.Attr{Key: "error", Value: e.Err})
	case demo.AcceptFailed:
		// Quiet: the server's death (server.died) is the line that says it.
		ev.Kind, ev.Quiet = eventAcceptFailed, true
		ev.Attrs = append(ev.Attrs, shell.Attr{Key: "error", Value: e.Err})
	}
	return ev
}

// gopherEvent is a gopher server's event as the session's; label names
// the server in its line ("gopher 127.0.0.1:7070").
func gopherEvent(label string, e gopher.ServerEvent) shell.Event {
	ev := shell.Event{Time: e.Time, Label: label, Message: e.String(),
		Attrs: []shell.Attr{{Key: "address", Value: e.Local}}}
	peer := shell.Attr{Key: "peer", Value: e.Peer}
	switch e.Kind {
	case gopher.ServerListening:
		ev.Kind, ev.Quiet = eventListening, true
	case gopher.ServerStopped:
		ev.Kind, ev.Quiet = eventStopped, true
	case gopher.ConnAccepted:
		ev.Kind, ev.Quiet = eventAccepted, true
		ev.Attrs = append(ev.Attrs, peer)
	case gopher.ConnClosed:
		ev.Kind, ev.Quiet = eventClosed, true
		ev.Attrs = append(ev.Attrs, peer, shell.Attr{Key: "bytes_in", Value: e.BytesIn},
			shell.Attr{Key: "bytes_out", Value: e.BytesOut}, shell.Attr{Key: "end", Value: e.End})
		if e.HasSelector {
			ev.Attrs = append(ev.Attrs, shell.Attr{Key: "selector", Value: e.Selector})
		}
		if e.Err != nil {
			ev.Attrs = append(ev.Attrs, shell.Attr{Key: "error", Value: e.Err})
		}
	case gopher.ConnRefused:
		ev.Kind, ev.Quiet = eventRefused, true // a flood of them would bury the terminal
		ev.Attrs = append(ev.Attrs, peer)
	case gopher.RequestFailed:
		ev.Kind = eventRequestFailed
		ev.Attrs = append(ev.Attrs, peer)
		if e.HasSelector {
			ev.Attrs = append(ev.Attrs, shell.Attr{Key: "selector", Value: e.Selector})
		}
		ev.Attrs = append(ev.Attrs, shell.Attr{Key: "error", Value: e.Err})
	case gopher.AcceptPaused:
		ev.Kind = eventAcceptPaused
		ev.Attrs = append(ev.Attrs, shell.Attr{Key: "error", Value: e.Err})
	case gopher.AcceptResumed:
		ev.Kind = eventAcceptResumed
	}
	return ev
}
