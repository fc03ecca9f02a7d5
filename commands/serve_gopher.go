// serve gopher: the gopher server as a session server.
package commands

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"

	"github.com/sockshell/sockshell/commands/gopher"
	"github.com/sockshell/sockshell/shell"
)

func startGopher(c *shell.Call, dir string, ap netip.AddrPort, tlsConf *tls.Config) (*server, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err // "[Errno 2] No such file or directory: 'DIR'", as Python words it
	}
	if !st.IsDir() {
		// As Python words it: "[Errno 20] Not a directory: 'DIR'".
		return nil, &os.PathError{Op: "serve", Path: dir, Err: syscall.ENOTDIR}
	}
	l, err := net.Listen(listenNetwork(ap.Addr(), false), ap.String())
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	var conns atomic.Int64
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		// Menus name this server by a host a client can reach.
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	srv := &server{kind: "gopher", addr: l.Addr().String(), detail: dir, conns: conns.Load}
	label := "gopher " + srv.addr
	opts := &gopher.ServerOptions{Host: host, MaxPerPeer: servePerAddress, Report: func(e gopher.ServerEvent) { srv.emit(gopherEvent(label, e)) }}
	fmt.Sscan(port, &opts.Port)
	gs, err := gopher.NewServer(dir, opts)
	if err != nil {
		l.Close()
		return nil, err
	}
	srv.stop = gs.Close
	counting := &countingListener{Listener: l, n: &conns}
	if tlsConf != nil {
		srv.detail += " (gophers: TLS)"
		counting.Listener = tls.NewListener(l, tlsConf)
	}
	go func() {
		if err := gs.Serve(counting); !errors.Is(err, gopher.ErrServerClosed) {
			srv.died(err)
		}
	}()
	return srv, nil
}

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return conn, err
}
