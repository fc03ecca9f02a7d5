// Package dnsrec asks a DNS server one question and returns its whole
// reply, as dig does: the sections, the header's rcode and flags, who
// answered, over which transport and how long it took. The messages are
// built and parsed by github.com/miekg/dns; this package owns the exchange
// (so that a silent server, a reply that is not DNS, a reply to another
// query and a truncated UDP reply are each told apart) and the choice of
// server (the one given, else the system's /etc/resolv.conf).
package dnsrec

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// DefaultTimeout bounds one exchange when the caller's context has no
// sooner deadline: dnspython's default lifetime, 5 s.
const DefaultTimeout = 5 * time.Second

// EDNSSize is the UDP payload size the queries advertise (EDNS0): the
// size DNS Flag Day 2020 settled on, 1232 bytes, which fits any path's MTU.
const EDNSSize = 1232

// Question is what to ask, and of whom.
type Question struct {
	Name   string // a domain name; a trailing dot is added when missing
	Type   uint16 // dns.TypeA, dns.TypeMX, ...
	Server string // HOST:PORT
	TCP    bool   // ask over TCP from the start
	// Timeout, unless 0, bounds the exchange (the shell's `set timeout`);
	// DefaultTimeout bounds it when that is sooner.
	Timeout time.Duration
	// Trace, if set, is told each step of the exchange as it happens, in
	// the system calls' terms ("sendto ... 45 bytes").
	Trace func(step string)
}

// Reply is a server's answer to a Question.
type Reply struct {
	Msg    *dns.Msg
	Server string        // the HOST:PORT asked
	Net    string        // "udp" or "tcp": the transport of the answer kept
	Retry  bool          // the UDP answer was truncated (TC), so it was asked again over TCP
	RTT    time.Duration // from the first query sent to the answer kept
	Size   int           // bytes of the answer kept
}

// Failure kinds of an exchange that brought no usable reply.
const (
	NoReply   = "no reply"  // the server sent nothing before the deadline
	Malformed = "malformed" // bytes came back that are not a DNS message
	WrongID   = "wrong id"  // a DNS message came back for another query
	Network   = "network"   // the socket failed (refused, unreachable)
)

// Error is an exchange that brought no usable reply.
type Error struct {
	Kind   string // NoReply, Malformed, WrongID or Network
	Server string
	Net    string
	Waited time.Duration // how long the exchange ran
	Bytes  []byte        // what came back, for Malformed and WrongID
	Err    error         // the cause: a socket error, the parser's error
}

func (e *Error) Error() string {
	switch e.Kind {
	case NoReply:
		return fmt.Sprintf("%s (%s) sent no reply in %s", e.Server, e.Net, seconds(e.Waited))
	case Malformed:
		return fmt.Sprintf("%s (%s) sent %d bytes that are not a DNS message (%v)", e.Server, e.Net, len(e.Bytes), e.Err)
	case WrongID:
		return fmt.Sprintf("%s (%s) sent a reply to another query: %v", e.Server, e.Net, e.Err)
	}
	return fmt.Sprintf("%s (%s): %v", e.Server, e.Net, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// seconds formats a duration as seconds, "0.5 s", "5 s".
func seconds(d time.Duration) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", d.Seconds()), "0"), ".") + " s"
}

// NewQuery is the message Exchange sends: one question, recursion desired,
// AD asked for (RFC 6840: the server says whether it validated), and EDNS0
// with a payload of EDNSSize.
func NewQuery(name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.AuthenticatedData = true
	m.SetEdns0(EDNSSize, false)
	return m
}

// Exchange asks q.Server the question over UDP (TCP with q.TCP), and asks
// again over TCP when the UDP answer is truncated. The soonest of the
// context's deadline, q.Timeout and DefaultTimeout bounds the whole; a
// cancel of the context (Ctrl-C) ends it at once.
func Exchange(ctx context.Context, q Question) (*Reply, error) {
	start := time.Now()
	bound := DefaultTimeout
	if q.Timeout > 0 && q.Timeout < bound {
		bound = q.Timeout
	}
	deadline := start.Add(bound)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	query := NewQuery(q.Name, q.Type)
	network := "udp"
	if q.TCP {
		network = "tcp"
	}
	trace := q.Trace // nil: no step is spelled
	msg, size, err := exchangeOnce(ctx, deadline, network, q.Server, query, start, trace)
	if err != nil {
		return nil, err
	}
	r := &Reply{Msg: msg, Server: q.Server, Net: network, Size: size}
	if network == "udp" && msg.Truncated {
		if trace != nil {
			trace("the UDP reply has TC set (truncated): asking again over TCP")
		}
		msg, size, err = exchangeOnce(ctx, deadline, "tcp", q.Server, query, start, trace)
		if err != nil {
			return nil, err
		}
		r.Msg, r.Net, r.Retry, r.Size = msg, "tcp", true, size
	}
	r.RTT = time.Since(start)
	return r, nil
}

// exchangeOnce sends the query over one transport and reads one reply,
// by the deadline.
func exchangeOnce(ctx context.Context, deadline time.Time, network, server string, query *dns.Msg, start time.Time, trace func(string)) (*dns.Msg, int, error) {
	fail := func(kind string, b []byte, err error) (*dns.Msg, int, error) {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, 0, ctx.Err() // Ctrl-C: no failure of the server's
		}
		if ctx.Err() != nil && kind == Network {
			kind, err = NoReply, ctx.Err() // the dial ran out of time
		}
		return nil, 0, &Error{Kind: kind, Server: server, Net: network, Waited: time.Since(start), Bytes: b, Err: err}
	}
	packed, err := query.Pack()
	if err != nil {
		return nil, 0, err
	}
	if ap, err := netip.ParseAddrPort(server); err == nil && network == "udp" && ap.Addr().Zone() == "" {
		// A numeric server over UDP: one blocking socket (udp.go).
		var step func(sent bool)
		if trace != nil {
			step = func(sent bool) {
				if !sent {
					trace(fmt.Sprintf("socket(SOCK_DGRAM), connect(%s) = 0", server))
				} else {
					trace(fmt.Sprintf("send(%d bytes: the %s)", len(packed), queryWhat(query)))
				}
			}
		}
		buf := udpBufs.Get().(*[]byte)
		n, err := udpExchange(ctx, deadline, ap, packed, *buf, step)
		if err != nil {
			udpBufs.Put(buf)
			return failRead(fail, err)
		}
		b := bytes.Clone((*buf)[:n])
		udpBufs.Put(buf)
		return parsed(query, b, network, trace, fail)
	}
	// Through the net package (TCP, a server's name, a zoned address): the
	// deadline is the context's.
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, server)
	if err != nil {
		return failRead(fail, err) // a dial that ran out of time is NoReply too
	}
	defer conn.Close()
	kind := "SOCK_DGRAM"
	if network == "tcp" {
		kind = "SOCK_STREAM"
	}
	if trace != nil {
		trace(fmt.Sprintf("socket(%s), connect(%s) = 0", kind, server))
	}
	// The context ends the exchange: its deadline, or a cancel (Ctrl-C).
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	var b []byte
	if network == "tcp" {
		out := binary.BigEndian.AppendUint16(nil, uint16(len(packed)))
		if _, err := conn.Write(append(out, packed...)); err != nil {
			return fail(Network, nil, err)
		}
		if trace != nil {
			trace(fmt.Sprintf("send(2 + %d bytes: a length, then the %s)", len(packed), queryWhat(query)))
		}
		var n [2]byte
		if _, err := io.ReadFull(conn, n[:]); err != nil {
			return failRead(fail, err)
		}
		b = make([]byte, binary.BigEndian.Uint16(n[:]))
		if got, err := io.ReadFull(conn, b); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return fail(Network, b[:got], &ShortError{Announced: len(b), Got: got})
			}
			return failRead(fail, err)
		}
	} else {
		if _, err := conn.Write(packed); err != nil {
			return fail(Network, nil, err)
		}
		if trace != nil {
			trace(fmt.Sprintf("send(%d bytes: the %s)", len(packed), queryWhat(query)))
		}
		buf := udpBufs.Get().(*[]byte)
		n, err := conn.Read(*buf)
		if err != nil {
			udpBufs.Put(buf)
			return failRead(fail, err)
		}
		b = bytes.Clone((*buf)[:n])
		udpBufs.Put(buf)
	}
	return parsed(query, b, network, trace, fail)
}

// parsed is the end of an exchange: the reply's bytes b, traced and parsed.
func parsed(query *dns.Msg, b []byte, network string, trace func(string), fail func(string, []byte, error) (*dns.Msg, int, error)) (*dns.Msg, int, error) {
	if trace != nil {
		trace(fmt.Sprintf("recv() = %d bytes", len(b)))
	}
	msg, kind, err := ParseReply(query, b, network == "udp")
	if err != nil {
		return fail(kind, b, err)
	}
	return msg, len(b), nil
}

// queryWhat names the query in a trace: "query id 7: example.com. A?".
func queryWhat(query *dns.Msg) string {
	q := query.Question[0]
	return fmt.Sprintf("query id %d: %s %s?", query.Id, q.Name, dns.TypeToString[q.Qtype])
}

// ParseReply reads b as the reply to query: Malformed for bytes that are
// no DNS message, WrongID for a message that does not answer the query.
// With udp, a reply whose header has TC set is kept once its header and
// question parse, even when the records after them do not: a truncated
// UDP reply may be cut anywhere (RFC 2181 §9), and Exchange asks again
// over TCP whatever the rest holds, as resolvers (dnspython's Truncated)
// do. Its records are dropped then: they may be partial.
func ParseReply(query *dns.Msg, b []byte, udp bool) (*dns.Msg, string, error) {
	msg := new(dns.Msg)
	if err := msg.Unpack(b); err != nil {
		hdr := new(dns.Msg)
		if !udp || !truncatedHeader(hdr, b) {
			return nil, Malformed, err
		}
		msg = hdr
	}
	if msg.Id != query.Id || !msg.Response {
		why := fmt.Errorf("ID %d, not the query's %d", msg.Id, query.Id)
		if msg.Id == query.Id {
			why = errors.New("a query, not a response (QR clear)")
		}
		return nil, WrongID, why
	}
	return msg, "", nil
}

// truncatedHeader reads into m the header and question of b, a reply
// whose records do not parse, and reports whether its TC flag is set.
func truncatedHeader(m *dns.Msg, b []byte) bool {
	if len(b) < 12 || b[2]&0x02 == 0 { // the header's TC bit
		return false
	}
	h := make([]byte, 12, len(b))
	copy(h, b)
	h[6], h[7], h[8], h[9], h[10], h[11] = 0, 0, 0, 0, 0, 0 // no records
	if err := m.Unpack(append(h, b[12:]...)); err != nil {
		return false // the question does not parse either
	}
	m.Answer, m.Ns, m.Extra = nil, nil, nil
	return m.Truncated
}

// ShortError is a TCP reply whose connection ended before the bytes its
// length prefix announced had come.
type ShortError struct{ Announced, Got int }

func (e *ShortError) Error() string {
	return fmt.Sprintf("the server closed the connection after %d of the %d bytes its length prefix announced", e.Got, e.Announced)
}

// udpBufs are the buffers UDP replies are read into: room for the largest
// datagram (a server may answer with more than the EDNS size asked), kept
// for the next query instead of 64 KiB of garbage a query.
var udpBufs = sync.Pool{New: func() any { b := make([]byte, 65535); return &b }}

// failRead classifies a read error: a deadline is NoReply, anything else
// (ECONNREFUSED from an ICMP port unreachable, a reset) is Network.
func failRead(fail func(string, []byte, error) (*dns.Msg, int, error), err error) (*dns.Msg, int, error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fail(NoReply, nil, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fail(Network, nil, errors.New("the server closed the connection before a whole reply"))
	}
	return fail(Network, nil, err)
}
