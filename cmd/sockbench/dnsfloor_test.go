package main

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/commands/dnsrec"
	"github.com/sockshell/sockshell/shell/testenv"
)

// buildDNSFloor builds row 7's exchange floor as sockbench does.
func buildDNSFloor(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dnsfloor")
	if out, err := exec.Command("go", "build", "-o", bin, "../../"+strings.TrimPrefix(dnsFloorPackage, "./")).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// datagram is a query a test server got, and the port it came from.
type datagram struct {
	b    []byte
	port int
}

// echoServer answers each datagram on a loopback UDP socket with the
// datagram itself, QR set (a reply with the query's ID), its ID changed
// by wrongID; it keeps what came.
func echoServer(t *testing.T, wrongID bool) (addr string, got func() []datagram) {
	pc := testenv.ListenPacket(t, "udp")
	var mu sync.Mutex
	var seen []datagram
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			b := bytes.Clone(buf[:n])
			mu.Lock()
			seen = append(seen, datagram{b, from.(*net.UDPAddr).Port})
			mu.Unlock()
			r := bytes.Clone(b)
			if len(r) > 2 {
				r[2] |= 0x80
				if wrongID {
					r[1]++
				}
			}
			pc.WriteTo(r, from)
		}
	}()
	return pc.LocalAddr().String(), func() []datagram {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// runFloor runs the floor, failing the test if it hangs.
func runFloor(t *testing.T, bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("dnsfloor %v hung", args)
	}
	return string(out), err
}

// TestDNSFloorSendsTheDnsCommandsQuery: the floor's queries are the bytes
// the dns command's exchange (dnsrec.Exchange) sends for the same name,
// but for the ID; it goes round the names as row 7's script does; a
// socket a query (new source ports) with -socket each, one with -socket
// one.
func TestDNSFloorSendsTheDnsCommandsQuery(t *testing.T) {
	bin := buildDNSFloor(t)
	addr, got := echoServer(t, false)
	// What the dns command sends, for h0 and h1.
	var want [][]byte
	for _, name := range []string{"h0.bench.test", "h1.bench.test"} {
		before := len(got())
		if _, err := dnsrec.Exchange(t.Context(), dnsrec.Question{Name: name, Type: dns.TypeA, Server: addr}); err != nil {
			t.Fatal(err)
		}
		want = append(want, got()[before].b)
	}
	for _, mode := range []string{"each", "one"} {
		before := len(got())
		if out, err := runFloor(t, bin, "-socket", mode, addr, "6", "2"); err != nil {
			t.Fatalf("-socket %s: %v: %s", mode, err, out)
		}
		sent := got()[before:]
		if len(sent) != 6 {
			t.Fatalf("-socket %s: %d queries came, want 6", mode, len(sent))
		}
		ports := map[int]bool{}
		for i, d := range sent {
			ports[d.port] = true
			if w := want[i%2]; len(d.b) != len(w) || !bytes.Equal(d.b[2:], w[2:]) {
				t.Errorf("-socket %s: query %d is\n%x, want (but for the ID) the dns command's\n%x", mode, i, d.b, w)
			}
		}
		if mode == "one" && len(ports) != 1 {
			t.Errorf("-socket one: the queries came from %d ports, want 1", len(ports))
		}
		if mode == "each" && len(ports) < 2 {
			t.Errorf("-socket each: all 6 queries came from one port: not a socket each")
		}
	}
}

// TestDNSFloorChecksTheReply: a reply that is not to the query (another
// ID) ends the floor with an error, and so does a malformed command line.
func TestDNSFloorChecksTheReply(t *testing.T) {
	bin := buildDNSFloor(t)
	addr, _ := echoServer(t, true)
	if out, err := runFloor(t, bin, addr, "3", "2"); err == nil || !strings.Contains(out, "not the reply to it") {
		t.Errorf("a reply with another ID: %v, %q; want an error", err, out)
	}
	if out, err := runFloor(t, bin, "localhost:53", "3", "2"); err == nil || !strings.Contains(out, "usage") && !strings.Contains(out, "IPv4") {
		t.Errorf("a server that is not an address: %v, %q; want an error", err, out)
	}
}

// TestDNSFloorAgainstDnsmasq: the floor runs against dnsmasq as row 7
// runs it (every reply came).
func TestDNSFloorAgainstDnsmasq(t *testing.T) {
	server := testenv.Dnsmasq(t, "192.0.2.1 h0.bench.test\n192.0.2.2 h1.bench.test\n", "--local=/test/")
	bin := buildDNSFloor(t)
	if out, err := runFloor(t, bin, server, "50", "2"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}
