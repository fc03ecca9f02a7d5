// ServerEvent: what the server reports, as data, through
// ServerOptions.Report; String gives the words of a log line.

package gopher

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/sockshell/sockshell/shell/pyerr"
)

// ServerEventKind says what happened.
type ServerEventKind int

const (
	ServerListening ServerEventKind = iota + 1 // Serve started on a listener (Local)
	ServerStopped                              // Serve returned for that listener
	ConnAccepted                               // a connection came in (Peer)
	ConnClosed                                 // a connection ended: End, BytesIn, BytesOut, Selector
	ConnRefused                                // a connection over MaxConns was answered "busy" and closed
	RequestFailed                              // reading or answering a request failed (Err)
	AcceptPaused                               // accept failed for a while (Err): the server pauses and retries
	AcceptResumed                              // accepting works again
)

var serverEventNames = map[ServerEventKind]string{ServerListening: "listening", ServerStopped: "stopped",
	ConnAccepted: "connection_accepted", ConnClosed: "connection_closed", ConnRefused: "connection_refused",
	RequestFailed: "request_failed", AcceptPaused: "accept_paused", AcceptResumed: "accept_resumed"}

// String is the kind in snake_case: "connection_closed".
func (k ServerEventKind) String() string { return serverEventNames[k] }

// How a connection ended (ServerEvent.End).
const (
	EndReplied   = "replied"    // the whole reply was sent
	EndNoRequest = "no_request" // the client went without a word (a port scan)
	EndFailed    = "error"      // the request could not be read or answered (Err)
)

// ServerEvent is one thing that happened to the server.
type ServerEvent struct {
	Kind  ServerEventKind
	Time  time.Time
	Local netip.AddrPort // the listener's address
	Peer  netip.AddrPort // the client

	Selector    string // the request's selector, when it was read
	HasSelector bool
	BytesIn     int64  // ConnClosed: the request's bytes
	BytesOut    int64  // ConnClosed: the reply's bytes
	End         string // ConnClosed: EndReplied, EndNoRequest or EndFailed
	Err         error  // RequestFailed, AcceptPaused; ConnClosed with EndFailed
	PerPeer     int    // ConnRefused for MaxPerPeer: the connections this address holds (0: the server was full)
}

// String is the event in words, as the server's log says it:
// `127.0.0.1:5000: "/x": open x: no such file or directory`.
func (e ServerEvent) String() string {
	switch e.Kind {
	case ServerListening:
		return "listening on " + e.Local.String()
	case ServerStopped:
		return "stopped"
	case ConnAccepted:
		return "connection from " + e.Peer.String()
	case ConnRefused:
		if e.PerPeer > 0 {
			return fmt.Sprintf("refused %s: %d connections from %s already, the most one address may hold", e.Peer, e.PerPeer, e.Peer.Addr())
		}
		return fmt.Sprintf("refused %s: the server is busy", e.Peer)
	case AcceptPaused:
		return fmt.Sprintf("accept failed (%s); pausing and retrying", pyerr.Of(e.Err))
	case AcceptResumed:
		return "accepting again"
	case RequestFailed:
		if e.HasSelector {
			return fmt.Sprintf("%v: %q: %v", e.Peer, e.Selector, e.Err)
		}
		return fmt.Sprintf("%v: %v", e.Peer, e.Err)
	case ConnClosed:
		return fmt.Sprintf("closed %v: %s (%d bytes in, %d bytes out)", e.Peer, e.End, e.BytesIn, e.BytesOut)
	}
	return fmt.Sprintf("event %d", e.Kind)
}

// report hands an event to ServerOptions.Report, with its time.
func (s *Server) report(e ServerEvent) {
	if s.opts.Report == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	s.opts.Report(e)
}

// addrPortOf is a connection's address as a netip.AddrPort, an
// IPv4-mapped address as the IPv4 one.
func addrPortOf(a net.Addr) netip.AddrPort {
	var ap netip.AddrPort
	if t, ok := a.(*net.TCPAddr); ok {
		ap = t.AddrPort()
	} else if a != nil {
		ap, _ = netip.ParseAddrPort(a.String())
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
