package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// A closed port refuses, for TCP on both loopbacks and for UDP, while the
// test holds it.
func TestClosedPortRefuses(t *testing.T) {
	for _, network := range []string{"tcp", "tcp6"} {
		port := ClosedPort(t, network)
		_, err := net.DialTimeout(network, net.JoinHostPort(loopback(network), strconv.Itoa(port)), 10*time.Second)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s connect to the closed port %d: %v, want ECONNREFUSED", network, port, err)
		}
	}
	port := ClosedPort(t, "udp")
	c, err := net.Dial("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("anyone?"))
	if _, err := c.Read(make([]byte, 16)); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("udp to the closed port %d: %v, want ECONNREFUSED (ICMP port unreachable)", port, err)
	}
}

// ListeningPeer hands over a port its program holds itself: when the
// first port it tries is taken (here by the test, listening there before
// socat starts), socat's bind fails and another port is tried; the
// test's own listener is never taken for the peer.
func TestListeningPeerRetriesATakenPort(t *testing.T) {
	socat := NeedPeer(t, "socat", "socat")
	var tried []int
	var taken net.Listener
	_, port := ListeningPeer(t, "tcp", socat, func(port int) []string {
		tried = append(tried, port)
		if taken == nil {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				t.Fatalf("taking the candidate port %d: %v", port, err)
			}
			t.Cleanup(func() { l.Close() })
			taken = l
		}
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr", port), "PIPE"}
	})
	if len(tried) < 2 || port == tried[0] {
		t.Fatalf("ports tried %v, got %d: the taken first port was not refused", tried, port)
	}
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("echo\n"))
	buf := make([]byte, 5)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "echo\n" {
		t.Errorf("socat's echo: %q %v", buf[:n], err)
	}
}

// Dnsmasq answers for its zone as soon as it returns.
func TestDnsmasqAnswers(t *testing.T) {
	addr := Dnsmasq(t, "192.0.2.7 seven.test\n", "--local=/test/")
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := r.LookupHost(ctx, "seven.test")
	if err != nil || len(got) != 1 || got[0] != "192.0.2.7" {
		t.Errorf("seven.test: %v %v, want [192.0.2.7]", got, err)
	}
}
