package commands

// Issue 14, our servers under attack, through the session: many clients
// at once against each demo server (TCP and UDP), and a client that sends
// to echo for ever and never reads. The shell's descriptors and goroutines
// are sampled all along and must come back to where they were.

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/demo"
)

// procSampler samples this process's descriptors and goroutines until
// stopped, keeping the highest of each.
type procSampler struct {
	maxFDs, maxG int
	stop, done   chan struct{}
	mu           sync.Mutex
}

func sampleProc(t *testing.T) *procSampler {
	p := &procSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for {
			f, g := sockOpenFDs(t), runtime.NumGoroutine()
			p.mu.Lock()
			p.maxFDs, p.maxG = max(p.maxFDs, f), max(p.maxG, g)
			p.mu.Unlock()
			select {
			case <-p.stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return p
}

func (p *procSampler) end() (maxFDs, maxG int) {
	close(p.stop)
	<-p.done
	return p.maxFDs, p.maxG
}

// procBaseline is the lowest descriptor and goroutine counts over a moment.
func procBaseline(t *testing.T) (int, int) {
	f, g := sockOpenFDs(t), runtime.NumGoroutine()
	for range 10 {
		time.Sleep(10 * time.Millisecond)
		f, g = min(f, sockOpenFDs(t)), min(g, runtime.NumGoroutine())
	}
	return f, g
}

// procSettle waits (bounded) until the counts are back to fds and gs.
func procSettle(t *testing.T, fds, gs int) (int, int) {
	var f, g int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if f, g = sockOpenFDs(t), runtime.NumGoroutine(); f <= fds && g <= gs {
			break
		}
	}
	return f, g
}

// demoServer is the session's server of that name.
func demoServerOf(t *testing.T, ss *sockSession, name string) *server {
	r, ok := ss.Session.Resource(name)
	if !ok {
		t.Fatalf("no server %s", name)
	}
	return r.(*server)
}

// TestServeManyClientsBounded: each TCP demo server (echo over TLS too,
// its clients held in the handshake) and gopher at its cap of 32, 16 from
// each of two addresses (a 17th from one is refused: one address may hold
// only 16), and 200 clients more one after the other. Each extra client is closed at once
// and reads end of file with nothing sent (gopher: after its "server
// busy" error item); the shell holds at most
// the cap in descriptors and goroutines, and once the clients have gone
// it is back to where it started.
func TestServeManyClientsBounded(t *testing.T) {
	const extra = 200
	for _, kind := range []string{"echo", "discard", "chargen", "daytime", "echo --tls", "gopher"} {
		t.Run(strings.ReplaceAll(kind, " ", ""), func(t *testing.T) {
			ss := newSockSession(t)
			args := kind + " 127.0.0.1:0"
			if kind == "gopher" {
				args = "gopher " + gopherHole + " 127.0.0.1:0"
			}
			name, port := ss.serve(args)
			srv := demoServerOf(t, ss, name)
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			fds0, g0 := procBaseline(t)
			sampler := sampleProc(t)
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			dialFrom := func(from string) net.Conn {
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
				c, err := d.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				c.SetDeadline(time.Now().Add(sockPeerTimeout))
				return c
			}
			dial := func() net.Conn { return dialFrom("127.0.0.1") }
			// A demo server counts those it serves; gopher counts those
			// accepted (it takes them in order: the first take the slots).
			waitServed := func(n int64) {
				for deadline := time.Now().Add(sockPeerTimeout); srv.conns() < n; time.Sleep(time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("%d of %d connections served", srv.conns(), n)
					}
				}
			}
			if kind != "daytime" { // daytime answers and closes: it never fills
				// One address holds at most 16 of the 32: one more from it
				// is refused while the server has room.
				for range servePerAddress {
					held = append(held, dial())
				}
				waitServed(servePerAddress)
				c := dial()
				got, err := io.ReadAll(c)
				c.Close()
				want := ""
				if kind == "gopher" {
					want = "3too many connections from your address, try again later\t\terror.host\t1\r\n.\r\n"
				}
				if err != nil || string(got) != want {
					t.Fatalf("client %d from 127.0.0.1: %q, %v; want end of file after %q", servePerAddress+1, got, err, want)
				}
				accepted := int64(servePerAddress)
				if kind == "gopher" {
					accepted++ // the refused one
				}
				for range demo.DefaultMaxConns - servePerAddress {
					held = append(held, dialFrom("127.0.0.2"))
				}
				waitServed(accepted + demo.DefaultMaxConns - servePerAddress)
			}
			for i := range extra {
				c := dial()
				got, err := io.ReadAll(c)
				c.Close()
				if kind == "daytime" {
					if err != nil || !strings.HasSuffix(string(got), "\r\n") {
						t.Fatalf("daytime client %d: %q, %v", i, got, err)
					}
					continue
				}
				want := ""
				if kind == "gopher" { // gopher says so in an error item
					want = "3server busy, try again later\t\terror.host\t1\r\n.\r\n"
				}
				if err != nil || string(got) != want {
					t.Fatalf("extra client %d: %q, %v; want end of file after %q", i, got, err, want)
				}
			}
			for _, c := range held {
				c.Close()
			}
			held = nil
			maxFDs, maxG := sampler.end()
			fds1, g1 := procSettle(t, fds0, g0)
			t.Logf("%s, %d held + %d more: fds %d before, at most %d, %d after; goroutines %d, at most %d, %d after",
				kind, demo.DefaultMaxConns, extra, fds0, maxFDs, fds1, g0, maxG, g1)
			// The cap's server ends, the test's own client ends, and slack
			// for the sampler and the runtime.
			if maxFDs > fds0+2*demo.DefaultMaxConns+8 {
				t.Errorf("at most %d descriptors from %d: more than the cap of %d allows", maxFDs, fds0, demo.DefaultMaxConns)
			}
			if maxG > g0+demo.DefaultMaxConns+8 {
				t.Errorf("at most %d goroutines from %d: more than the cap of %d allows", maxG, g0, demo.DefaultMaxConns)
			}
			if fds1 > fds0 || g1 > g0 {
				t.Errorf("after the clients left: fds %d -> %d, goroutines %d -> %d", fds0, fds1, g0, g1)
			}
		})
	}
}

// TestServeUDPFloodBounded: 1,000 datagrams from 100 client sockets at
// each UDP demo server. A UDP server is one goroutine and one descriptor
// whatever comes; each datagram is counted, and answered or dropped by the
// rate guard (50 a second per address after a burst of 50): the clients
// receive exactly the replies the server counts as sent.
func TestServeUDPFloodBounded(t *testing.T) {
	for _, kind := range []string{"echo", "discard", "chargen", "daytime"} {
		t.Run(kind, func(t *testing.T) {
			ss := newSockSession(t)
			name, port := ss.serve(kind + " 127.0.0.1:0 --udp")
			srv := demoServerOf(t, ss, name)
			to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
			fds0, g0 := procBaseline(t)
			sampler := sampleProc(t)
			var clients []*net.UDPConn
			for range 100 {
				c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				clients = append(clients, c)
			}
			const perClient = 10
			for round := range perClient {
				for _, c := range clients {
					if _, err := c.WriteToUDP([]byte("ping"), to); err != nil {
						t.Fatal(err)
					}
				}
				// Let the server take each round before the next, so the
				// kernel's buffer never overflows: every datagram counts.
				want := int64((round + 1) * len(clients))
				for deadline := time.Now().Add(sockPeerTimeout); srv.grams() < want; time.Sleep(time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("the server took %d of %d datagrams", srv.grams(), want)
					}
				}
			}
			// Each datagram's event comes once it is answered or dropped.
			handled := func() int {
				n := 0
				for _, e := range ss.Session.Events().Recent(4096) {
					if e.Kind == eventDatagram && e.Resource == name {
						n++
					}
				}
				return n
			}
			for deadline := time.Now().Add(sockPeerTimeout); handled() < perClient*len(clients) && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			total, dropped := srv.grams(), srv.drops()
			wantReplies := total - dropped
			if kind == "discard" {
				wantReplies = 0
			}
			// Read until the replies counted have come, then once more
			// round for any beyond them.
			replies := int64(0)
			buf := make([]byte, 1024)
			readRound := func() {
				for _, c := range clients {
					for {
						c.SetReadDeadline(time.Now().Add(time.Millisecond))
						if _, _, err := c.ReadFromUDP(buf); err != nil {
							if !errors.Is(err, os.ErrDeadlineExceeded) {
								t.Fatal(err)
							}
							break
						}
						replies++
					}
				}
			}
			for deadline := time.Now().Add(sockPeerTimeout); replies < wantReplies && time.Now().Before(deadline); {
				readRound()
			}
			readRound()
			maxFDs, maxG := sampler.end()
			t.Logf("%s/udp, %d datagrams: %d dropped, %d replies; fds %d before, at most %d; goroutines %d, at most %d",
				kind, total, dropped, replies, fds0, maxFDs, g0, maxG)
			if total != perClient*int64(len(clients)) {
				t.Errorf("%d datagrams counted, want %d", total, perClient*len(clients))
			}
			if replies != wantReplies {
				t.Errorf("%d replies received, the server counts %d answered", replies, wantReplies)
			}
			if kind != "discard" && (dropped == 0 || replies < demo.DefaultReplyBurst) {
				t.Errorf("%d dropped, %d replies: want the burst of %d answered and the rest held to the rate", dropped, replies, demo.DefaultReplyBurst)
			}
			if maxFDs > fds0+len(clients)+4 || maxG > g0+4 {
				t.Errorf("fds at most %d from %d (%d clients), goroutines at most %d from %d: the flood cost the server", maxFDs, fds0, len(clients), maxG, g0)
			}
		})
	}
}

// TestServeEchoSenderNeverReads: a client sends to echo as fast as it can
// and never reads. The server reads only as fast as it can write back, so
// once the kernel's buffers are full it stops reading and the client's
// sends block: the shell holds one 16 KiB buffer for it, not what it sent.
// Another client is served all the while.
func TestServeEchoSenderNeverReads(t *testing.T) {
	ss := newSockSession(t)
	name, port := ss.serve("echo 127.0.0.1:0")
	srv := demoServerOf(t, ss, name)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	flooder, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer flooder.Close()
	chunk := make([]byte, 64<<10)
	sent := 0
	for {
		// A send that makes no progress for 2 s: the server has stopped
		// reading (a hang guard bounds the whole: 1 GiB).
		flooder.SetWriteDeadline(time.Now().Add(2 * time.Second))
		n, err := flooder.Write(chunk)
		sent += n
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
		if sent > 1<<30 {
			t.Fatalf("the server took 1 GiB from a client that never reads")
		}
	}
	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	st := srv.demo.Stats()
	held := st.BytesIn - st.BytesOut
	t.Logf("a client that never reads sent %d bytes before its sends blocked; the server read %d, wrote back %d (%d held in the shell); heap in use %d KiB -> %d KiB",
		sent, st.BytesIn, st.BytesOut, held, m0.HeapInuse>>10, m1.HeapInuse>>10)
	if held > 16<<10 {
		t.Errorf("the shell holds %d bytes read and not yet written back, more than its 16 KiB buffer", held)
	}
	if grew := int64(m1.HeapInuse) - int64(m0.HeapInuse); grew > 8<<20 {
		t.Errorf("the heap grew %d KiB while the client flooded", grew>>10)
	}
	// Another client is served.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(sockPeerTimeout))
	c.Write([]byte("hello"))
	if got, err := io.ReadAll(io.LimitReader(c, 5)); err != nil || string(got) != "hello" {
		t.Errorf("another client beside the flooder: %q, %v", got, err)
	}
}
