package dnsrec_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/commands/dnsrec"
	"github.com/sockshell/sockshell/shell/testenv"
)

// udpServer answers each datagram on a loopback UDP socket with what
// answer makes of it (nil: no reply), until the test ends. got is told of
// each query.
func udpServer(t *testing.T, network string, answer func(q *dns.Msg) *dns.Msg) (addr string, got <-chan struct{}) {
	t.Helper()
	pc := testenv.ListenPacket(t, network)
	ch := make(chan struct{}, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			select {
			case ch <- struct{}{}:
			default:
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:n]) != nil {
				continue
			}
			if r := answer(q); r != nil {
				b, _ := r.Pack()
				pc.WriteTo(b, from)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return pc.LocalAddr().String(), ch
}

// anA answers with one A record.
func anA(q *dns.Msg) *dns.Msg {
	r := new(dns.Msg)
	r.SetReply(q)
	r.Answer = append(r.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 7)})
	return r
}

// A numeric server over UDP, IPv4 and IPv6: the reply, who answered, its
// size and the steps a trace is told, in order.
func TestExchangeUDP(t *testing.T) {
	for _, network := range []string{"udp4", "udp6"} {
		t.Run(network, func(t *testing.T) {
			if network == "udp6" {
				if c, err := net.ListenPacket("udp6", "[::1]:0"); err != nil {
					t.Skip("no IPv6 loopback here:", err)
				} else {
					c.Close()
				}
			}
			addr, _ := udpServer(t, network, anA)
			var steps []string
			r, err := dnsrec.Exchange(context.Background(), dnsrec.Question{Name: "www.example.test", Type: dns.TypeA, Server: addr,
				Trace: func(s string) { steps = append(steps, s) }})
			if err != nil {
				t.Fatal(err)
			}
			if r.Net != "udp" || r.Retry || r.Server != addr || len(r.Msg.Answer) != 1 || r.Size == 0 {
				t.Fatalf("reply %+v, answer %v", r, r.Msg.Answer)
			}
			if a, ok := r.Msg.Answer[0].(*dns.A); !ok || a.A.String() != "192.0.2.7" {
				t.Errorf("answer %v", r.Msg.Answer[0])
			}
			packed, _ := dnsrec.NewQuery("www.example.test", dns.TypeA).Pack()
			want := []string{"socket(SOCK_DGRAM), connect(" + addr + ") = 0",
				"send(" + strconv.Itoa(len(packed)) + " bytes: the query id ", "recv() = " + strconv.Itoa(r.Size) + " bytes"}
			if len(steps) != 3 || steps[0] != want[0] || steps[1][:len(want[1])] != want[1] || steps[2] != want[2] {
				t.Errorf("trace %q, want %q", steps, want)
			}
		})
	}
}

// Ctrl-C (the context cancelled) ends a wait for a silent server at once:
// long before the exchange's own 5 s bound, with the cancel as the error.
func TestExchangeCancelEndsTheWait(t *testing.T) {
	addr, got := udpServer(t, "udp4", func(*dns.Msg) *dns.Msg { return nil })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := dnsrec.Exchange(ctx, dnsrec.Question{Name: "www.example.test", Type: dns.TypeA, Server: addr})
		done <- err
	}()
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("the query never came")
	}
	cancelled := time.Now()
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("after the cancel: %v, want context.Canceled", err)
	}
	if waited := time.Since(cancelled); waited >= dnsrec.DefaultTimeout-time.Second {
		t.Errorf("the exchange ended %v after the cancel: it waited for its own timeout", waited)
	}
}

// The context's deadline ends the wait: no reply, after the whole time
// given (never before it), long before the exchange's own bound.
func TestExchangeDeadline(t *testing.T) {
	addr, _ := udpServer(t, "udp4", func(*dns.Msg) *dns.Msg { return nil })
	const given = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), given)
	defer cancel()
	start := time.Now()
	_, err := dnsrec.Exchange(ctx, dnsrec.Question{Name: "www.example.test", Type: dns.TypeA, Server: addr})
	noReplyAfter(t, err, time.Since(start), given)
}

// noReplyAfter checks an exchange that had no answer: a no-reply error
// over UDP, after the whole time given (never before it), and long before
// the exchange's own bound (the time given ended the wait).
func noReplyAfter(t *testing.T, err error, took, given time.Duration) {
	t.Helper()
	var de *dnsrec.Error
	if !errors.As(err, &de) || de.Kind != dnsrec.NoReply || de.Net != "udp" {
		t.Fatalf("err %v, want no reply over udp", err)
	}
	if de.Waited < given || took < given {
		t.Errorf("gave up after %v (waited %v), before the %v given", took, de.Waited, given)
	}
	if took >= dnsrec.DefaultTimeout-time.Second {
		t.Fatalf("ended after %v: the time given did not end the wait", took)
	}
}

// Question.Timeout ends the wait: a runtime timer set for the deadline
// shuts the socket down, which wakes the recv; the test checks the wait
// ends, and never before the whole time given (five tries).
func TestExchangeTimeout(t *testing.T) {
	addr, _ := udpServer(t, "udp4", func(*dns.Msg) *dns.Msg { return nil })
	const given = 50 * time.Millisecond
	for range 5 {
		start := time.Now()
		_, err := dnsrec.Exchange(context.Background(), dnsrec.Question{Name: "www.example.test", Type: dns.TypeA, Server: addr, Timeout: given})
		noReplyAfter(t, err, time.Since(start), given)
	}
}

// A closed UDP port: the kernel's ICMP port unreachable comes back as
// ECONNREFUSED on the recv, a network failure.
func TestExchangeRefused(t *testing.T) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(testenv.ClosedPort(t, "udp")))
	_, err := dnsrec.Exchange(context.Background(), dnsrec.Question{Name: "www.example.test", Type: dns.TypeA, Server: addr})
	var de *dnsrec.Error
	if !errors.As(err, &de) || de.Kind != dnsrec.Network || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err %v, want a network failure with ECONNREFUSED", err)
	}
}

// A truncated UDP reply (TC) is asked again over TCP, of the same server.
func TestExchangeTruncatedAsksOverTCP(t *testing.T) {
	addr, _ := udpServer(t, "udp4", func(q *dns.Msg) *dns.Msg {
		r := new(dns.Msg)
		r.SetReply(q)
		r.Truncated = true
		return r
	})
	_, port, _ := net.SplitHostPort(addr)
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		t.Skip("the UDP server's port is taken for TCP:", err)
	}
	srv := &dns.Server{Listener: l, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) { w.WriteMsg(anA(q)) })}
	go srv.ActivateAndServe()
	defer srv.Shutdown()
	r, err := dnsrec.Exchange(context.Background(), dnsrec.Question{Name: "www.example.test", Type: dns.TypeA, Server: addr})
	if err != nil {
		t.Fatal(err)
	}
	if r.Net != "tcp" || !r.Retry || len(r.Msg.Answer) != 1 {
		t.Errorf("reply %+v, answer %v; want the TCP answer after a retry", r, r.Msg.Answer)
	}
}
