package netdb

// The DNS test: a real dnsmasq on loopback answers for a small .test zone, and
// the Resolver is pointed at it with Server.

import (
	"context"
	"errors"
	"net"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDNSServer(t *testing.T) {
	server := startDNS(t)
	r := &Resolver{Server: server}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// The expected answers are python3's, measured with the same dnsmasq zone as
	// the system's only name server.
	if a, err := r.HostByName(ctx, "withptr.test"); err != nil || a != "192.0.2.1" {
		t.Errorf("HostByName(withptr.test) = %q, %v", a, err)
	}
	if a, err := r.HostByName(ctx, "192.0.2.77"); err != nil || a != "192.0.2.77" {
		t.Errorf("HostByName(literal) = %q, %v", a, err)
	}
	exCases := []struct {
		host    string
		name    string
		aliases []string
		addrs   []string
	}{
		{"withptr.test", "withptr.test", []string{}, []string{"192.0.2.1"}},
		{"alias.test", "withptr.test", []string{"alias.test"}, []string{"192.0.2.1"}},
		{"noptr.test", "noptr.test", []string{}, []string{"192.0.2.2"}},
		{"sub.noptr.test", "sub.noptr.test", []string{}, []string{"192.0.2.2"}},
	}
	for _, c := range exCases {
		n, al, ad, err := r.HostByNameEx(ctx, c.host)
		if err != nil || n != c.name || !reflect.DeepEqual(al, c.aliases) || !reflect.DeepEqual(ad, c.addrs) {
			t.Errorf("HostByNameEx(%s) = %q %q %q %v, want %q %q %q", c.host, n, al, ad, err, c.name, c.aliases, c.addrs)
		}
	}
	if _, a6, err := r.HostAddrs6(ctx, "alias.test"); err != nil || !reflect.DeepEqual(a6, []string{"2001:db8::1"}) {
		t.Errorf("HostAddrs6(alias.test) = %q, %v", a6, err)
	}
	_, _, err := r.HostAddrs6(ctx, "noptr.test")
	wantPyErr(t, "HostAddrs6(noptr.test)", err, ClassGai, EAI_NONAME)

	rows, err := r.AddrInfoFlags(ctx, "alias.test", "80", AF_UNSPEC, SOCK_STREAM, 0, AI_CANONNAME)
	if err != nil || len(rows) != 2 || rows[0].Canonname != "withptr.test" || rows[1].Canonname != "" {
		t.Errorf("AddrInfo(alias.test, AI_CANONNAME) = %+v, %v", rows, err)
	} else {
		got := []string{rows[0].Addr, rows[1].Addr}
		sort.Strings(got)
		if !reflect.DeepEqual(got, []string{"192.0.2.1", "2001:db8::1"}) || rows[0].Port != 80 {
			t.Errorf("AddrInfo(alias.test) addresses = %q", got)
		}
	}
	rows, err = r.AddrInfo(ctx, "noptr.test", "http", 0, AF_INET)
	want := []AddrInfo{{Family: AF_INET, Type: SOCK_STREAM, Proto: 6, Addr: "192.0.2.2", Port: 80}}
	if err != nil || !reflect.DeepEqual(rows, want) {
		t.Errorf("AddrInfo(noptr.test, http) = %+v, %v", rows, err)
	}

	for _, a := range []string{"192.0.2.1", "2001:db8::1", "withptr.test"} {
		n, al, ad, err := r.HostByAddr(ctx, a)
		wantAddr := a
		if a == "withptr.test" {
			wantAddr = "192.0.2.1"
		}
		if err != nil || n != "withptr.test" || len(al) != 0 || !reflect.DeepEqual(ad, []string{wantAddr}) {
			t.Errorf("HostByAddr(%s) = %q %q %q %v", a, n, al, ad, err)
		}
	}
	_, _, _, err = r.HostByAddr(ctx, "192.0.2.2")
	wantPyErr(t, "HostByAddr(192.0.2.2)", err, ClassH, 1)

	if f, why, err := r.FQDN(ctx, "192.0.2.1"); err != nil || f != "withptr.test" || !strings.Contains(why, "containing a dot") {
		t.Errorf("FQDN(192.0.2.1) = %q (%s), %v", f, why, err)
	}
	if f, why, err := r.FQDN(ctx, " 192.0.2.2 "); err != nil || f != "192.0.2.2" || !strings.Contains(why, "unchanged") {
		t.Errorf("FQDN(192.0.2.2) = %q (%s), %v", f, why, err)
	}

	for _, name := range []string{"nx.test", "nothing.here.test"} {
		_, err := r.HostByName(ctx, name)
		wantPyErr(t, "HostByName("+name+")", err, ClassGai, EAI_NONAME)
		_, _, _, err = r.HostByNameEx(ctx, name)
		wantPyErr(t, "HostByNameEx("+name+")", err, ClassGai, EAI_NONAME)
		_, err = r.AddrInfo(ctx, name, "80", 0, 0)
		wantPyErr(t, "AddrInfo("+name+")", err, ClassGai, EAI_NONAME)
	}
}

// TestCancel checks that a lookup gives up at once when its context ends, and
// that the context's error stays reachable.
func TestCancel(t *testing.T) {
	// A UDP socket that never answers plays a DNS server that is down.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	r := &Resolver{Server: pc.LocalAddr().String()}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = r.HostByName(ctx, "slow.test")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("HostByName with a silent server: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := (&Resolver{}).AddrInfo(done, "localhost", "80", 0, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("AddrInfo with a cancelled context: %v", err)
	}
}

// silentServer is a UDP socket on loopback that reads queries and never
// answers: a DNS server that is down. It counts what arrives.
type silentServer struct {
	pc      net.PacketConn
	mu      sync.Mutex
	queries int
}

func startSilent(t *testing.T) *silentServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{pc: pc}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			s.mu.Lock()
			s.queries++
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return s
}

func (s *silentServer) addr() string { return s.pc.LocalAddr().String() }

func (s *silentServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// TestCancelEveryLookup cancels each kind of lookup while it waits on a
// silent DNS server, as Ctrl-C does: every one must return at once with the
// cancellation, not when the resolver's own per-try timeout (5 s by
// default) runs out. The 4 s limit is a guard against a hang, not a measure.
func TestCancelEveryLookup(t *testing.T) {
	srv := startSilent(t)
	r := &Resolver{Server: srv.addr()}
	lookups := map[string]func(ctx context.Context) error{
		"gethostbyname": func(ctx context.Context) error { _, err := r.HostByName(ctx, "a.silent.test"); return err },
		"gethostbyname_ex": func(ctx context.Context) error {
			_, _, _, err := r.HostByNameEx(ctx, "b.silent.test")
			return err
		},
		"gethostbyaddr": func(ctx context.Context) error { _, _, _, err := r.HostByAddr(ctx, "192.0.2.1"); return err },
		"getfqdn":       func(ctx context.Context) error { _, _, err := r.FQDN(ctx, "192.0.2.2"); return err },
		"getaddrinfo":   func(ctx context.Context) error { _, err := r.AddrInfo(ctx, "c.silent.test", "80", 0, 0); return err },
		"getaddrinfo AF_INET6": func(ctx context.Context) error {
			_, _, err := r.HostAddrs6(ctx, "d.silent.test")
			return err
		},
	}
	for name, lookup := range lookups {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			before := srv.count()
			done := make(chan error, 1)
			go func() { done <- lookup(ctx) }()
			for deadline := time.Now().Add(20 * time.Second); srv.count() == before; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("no query reached the silent server")
				}
			}
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("after cancel: %v, want context.Canceled", err)
				}
			case <-time.After(4 * time.Second):
				t.Fatal("the lookup did not return after its context was cancelled")
			}
		})
	}
}

// TestNoDataIsEAI_NODATA: a name that exists without an address of the family
// asked for is gaierror -5, "No address associated with hostname", where a
// missing name is -2; Go's resolver says "no such host" for both. python3,
// with this dnsmasq zone as the system's only name server, gives
// gaierror(-5) for gethostbyname('v6only.test'), gethostbyname_ex and
// getaddrinfo('v6only.test', 80, AF_INET), the address for
// getaddrinfo(..., AF_UNSPEC), and gaierror(-2) for nx.test.
func TestNoDataIsEAI_NODATA(t *testing.T) {
	server := startDNS(t)
	r := &Resolver{Server: server}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	_, err := r.HostByName(ctx, "v6only.test")
	wantPyErr(t, "HostByName(v6only.test)", err, ClassGai, EAI_NODATA)
	var pe *Error
	if errors.As(err, &pe) && !strings.Contains(pe.Hint, "NODATA: the name exists, but has no A record") {
		t.Errorf("HostByName(v6only.test) hint = %q, want the NODATA answer named", pe.Hint)
	}
	_, _, _, err = r.HostByNameEx(ctx, "v6only.test")
	wantPyErr(t, "HostByNameEx(v6only.test)", err, ClassGai, EAI_NODATA)
	_, err = r.AddrInfo(ctx, "v6only.test", "80", 0, AF_INET)
	wantPyErr(t, "AddrInfo(v6only.test, AF_INET)", err, ClassGai, EAI_NODATA)
	if !NoAddress(err) {
		t.Errorf("NoAddress(%v) = false: a NODATA answer says only that there is no address", err)
	}
	rows, err := r.AddrInfo(ctx, "v6only.test", "80", SOCK_STREAM, AF_UNSPEC)
	if err != nil || len(rows) != 1 || rows[0].Addr != "2001:db8::6" {
		t.Errorf("AddrInfo(v6only.test) = %+v, %v", rows, err)
	}
	_, err = r.HostByName(ctx, "nx.test")
	wantPyErr(t, "HostByName(nx.test)", err, ClassGai, EAI_NONAME)
	if errors.As(err, &pe) && strings.Contains(pe.Hint, "NODATA") {
		t.Errorf("HostByName(nx.test) hint = %q, says NODATA for a missing name", pe.Hint)
	}
}
