package bsd

import (
	"errors"
	"net/netip"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLifeCycleTCP(t *testing.T) {
	for _, family := range []int{unix.AF_INET, unix.AF_INET6} {
		t.Run(FamilyName(family), func(t *testing.T) {
			l, port := listen(t, family, 4)
			if st := l.State(); st != "LISTEN" {
				t.Errorf("listener state %q, want LISTEN", st)
			}
			ip := lo4
			if family == unix.AF_INET6 {
				ip = lo6
			}
			c := open(t, family, unix.SOCK_STREAM)
			if st := c.State(); st != "CLOSE" {
				t.Errorf("fresh socket state %q, want CLOSE", st)
			}
			if err := c.Connect(ctxT(t), ip, port); err != nil {
				t.Fatal(err)
			}
			srv, from, err := l.Accept(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()

			cname, _ := c.SockName()
			cpeer, _ := c.PeerName()
			sname, _ := srv.SockName()
			speer, _ := srv.PeerName()
			if cpeer.AddrPort != netip.AddrPortFrom(ip, uint16(port)) || sname.AddrPort != cpeer.AddrPort {
				t.Errorf("client peer %v, server name %v, want %v:%d", cpeer, sname, ip, port)
			}
			if speer.AddrPort != cname.AddrPort || from != cname.AddrPort {
				t.Errorf("server peer %v, accept from %v, client name %v", speer, from, cname)
			}
			if family == unix.AF_INET6 && cname.Tuple() != "('::1', "+itoa(int(cname.Port()))+", 0, 0)" {
				t.Errorf("IPv6 tuple %s", cname.Tuple())
			}
			if c.State() != "ESTABLISHED" || srv.State() != "ESTABLISHED" {
				t.Errorf("states %s/%s, want ESTABLISHED", c.State(), srv.State())
			}

			tr := NewTrace()
			c.SetTrace(tr)
			if in := c.Info(); !in.HasLocal || !in.HasRemote || in.Remote != cpeer || in.State != "ESTABLISHED" || in.FD != c.FD() {
				t.Errorf("info %+v", in)
			}
			if len(tr.Lines()) != 0 {
				t.Errorf("Info traced %q", tr.Lines())
			}
			c.SetTrace(nil)
			exchange(t, c, srv, "hello from client")
			exchange(t, srv, c, "hello back")

			if err := c.Shutdown("wr"); err != nil {
				t.Fatal(err)
			}
			got, err := srv.Recv(ctxT(t), 100)
			if err != nil || len(got) != 0 {
				t.Fatalf("recv after peer's shutdown: %q, %v; want EOF", got, err)
			}
			if srv.PeerStatus() != PeerClosed || srv.State() != "CLOSE_WAIT" {
				t.Errorf("server after EOF: %v, %s", srv.PeerStatus(), srv.State())
			}
			exchange(t, srv, c, "still open this way")
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if c.State() != "closed" || c.FD() != -1 {
				t.Errorf("after close: %s fd %d", c.State(), c.FD())
			}
			if err := c.Close(); err != nil {
				t.Errorf("second close: %v", err)
			}
			if _, err := c.Send(ctxT(t), []byte("x")); !errors.Is(err, unix.EBADF) {
				t.Errorf("send on closed: %v, want EBADF", err)
			}
			if c.Sent() != int64(len("hello from client")) || c.Received() != int64(len("hello back")+len("still open this way")) {
				t.Errorf("client counters sent %d received %d", c.Sent(), c.Received())
			}
		})
	}
}

func TestUDP(t *testing.T) {
	for _, family := range []int{unix.AF_INET, unix.AF_INET6} {
		t.Run(FamilyName(family), func(t *testing.T) {
			ip := lo4
			if family == unix.AF_INET6 {
				ip = lo6
			}
			a := open(t, family, unix.SOCK_DGRAM)
			b := open(t, family, unix.SOCK_DGRAM)
			if err := a.Bind(ip, 0); err != nil {
				t.Fatal(err)
			}
			if err := b.Bind(ip, 0); err != nil {
				t.Fatal(err)
			}
			an, _ := a.SockName()
			bn, _ := b.SockName()
			if a.State() != "UNCONN" {
				t.Errorf("state %s", a.State())
			}
			if n, err := a.SendTo(ctxT(t), []byte("ping"), ip, int(bn.Port())); err != nil || n != 4 {
				t.Fatalf("sendto: %d %v", n, err)
			}
			data, from, err := b.RecvFrom(ctxT(t), 100)
			if err != nil || string(data) != "ping" || from != an.AddrPort {
				t.Fatalf("recvfrom: %q %v %v (want from %v)", data, from, err, an)
			}
			if err := b.Connect(ctxT(t), ip, int(an.Port())); err != nil {
				t.Fatal(err)
			}
			if b.State() != "CONNECTED" {
				t.Errorf("state %s", b.State())
			}
			if _, err := b.Send(ctxT(t), []byte("pong")); err != nil {
				t.Fatal(err)
			}
			data, err = a.Recv(ctxT(t), 100)
			if err != nil || string(data) != "pong" {
				t.Fatalf("recv: %q %v", data, err)
			}
		})
	}
}

func TestFromFD(t *testing.T) {
	l, port := listen(t, unix.AF_INET, 4)
	dl, err := FromFD(l.FD(), 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	if dl.FD() == l.FD() || dl.Family() != unix.AF_INET || dl.Type() != unix.SOCK_STREAM || dl.Proto() != unix.IPPROTO_TCP {
		t.Errorf("fromfd: fd %d family %d type %d proto %d", dl.FD(), dl.Family(), dl.Type(), dl.Proto())
	}
	if st := dl.State(); st != "LISTEN" {
		t.Errorf("dup of listener: %s", st)
	}
	c := open(t, unix.AF_INET, unix.SOCK_STREAM)
	if err := c.Connect(ctxT(t), lo4, port); err != nil {
		t.Fatal(err)
	}
	srv, _, err := dl.Accept(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dc, err := FromFD(c.FD(), unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	cn, _ := c.SockName()
	dn, _ := dc.SockName()
	if cn != dn {
		t.Errorf("fromfd sockname %v, want %v", dn, cn)
	}
	exchange(t, dc, srv, "via the duplicate")
	dc.Close()
	exchange(t, c, srv, "original still open")

	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = FromFD(int(f.Fd()), 0, 0, nil)
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno != unix.ENOTSOCK {
		t.Errorf("fromfd of a file: %v, want ENOTSOCK", err)
	}
	if _, err := FromFD(99999, 0, 0, nil); !errors.Is(err, unix.EBADF) {
		t.Errorf("fromfd of a bad fd: %v, want EBADF", err)
	}
}

func TestIPv4MappedOnInet6(t *testing.T) {
	_, port := listen(t, unix.AF_INET, 4)
	c := open(t, unix.AF_INET6, unix.SOCK_STREAM)
	if err := c.Connect(ctxT(t), lo4, port); err != nil {
		t.Fatal(err)
	}
	peer, err := c.PeerName()
	if err != nil || peer.Addr().String() != "::ffff:127.0.0.1" || !peer.IPv6 {
		t.Errorf("peer %v %v", peer, err)
	}
	d := open(t, unix.AF_INET, unix.SOCK_STREAM)
	if err := d.Connect(ctxT(t), lo6, port); !errors.Is(err, unix.EAFNOSUPPORT) {
		t.Errorf("IPv6 address on an inet socket: %v", err)
	}
}
