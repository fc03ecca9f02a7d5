package commands

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// Where a server listens: the HOST:PORT word read and checked, and the errors of a listen.

// listenAddr reads where a server listens: HOST:PORT, [IPv6]:PORT, :PORT
// or PORT; HOST is an address, or a name the session's resolver turns into
// its first address, and 127.0.0.1 when left out. PORT is a number or a
// service name (for udp, a UDP one).
func listenAddr(c *shell.Call, arg string, udp bool) (netip.AddrPort, error) {
	forms := c.Cmd.Name + " takes HOST:PORT (127.0.0.1:7007, [::1]:7007), :PORT or PORT (0: any free port)"
	if arg == "" {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0), nil
	}
	if strings.ContainsRune(arg, '/') {
		// Only gopher comes here with a path: a demo server takes one (runServeUnix).
		return netip.AddrPort{}, c.UsageError(fmt.Sprintf("%s looks like a file path; serve gopher listens on TCP at HOST:PORT, not on a Unix socket (the demo servers do: serve echo PATH)", shell.StrRepr(arg)))
	}
	host, port, err := net.SplitHostPort(arg)
	if err != nil {
		if ip, perr := netip.ParseAddr(arg); perr == nil {
			example := ip.String() + ":PORT"
			if ip.Is6() {
				example = "[" + ip.String() + "]:PORT"
			}
			return netip.AddrPort{}, c.UsageError(fmt.Sprintf("%s is an address without a port: write %s (0: any free port)", arg, example))
		}
		if strings.Contains(arg, ":") {
			return netip.AddrPort{}, c.UsageError(fmt.Sprintf("%s is not HOST:PORT: %s", shell.StrRepr(arg), forms))
		}
		host, port = "", arg // a bare port or service name
	}
	sotype := unix.SOCK_STREAM
	if udp {
		sotype = unix.SOCK_DGRAM
	}
	p, err := resolvePort(c, port, sotype)
	if err != nil {
		if host == "" && strings.Trim(port, "0123456789") != "" {
			e := shell.Classify(err)
			e.Hint = fmt.Sprintf("%s is neither a port number nor a service name; for a host, add the port (%s:PORT): %s", shell.StrRepr(port), port, forms)
			return netip.AddrPort{}, e
		}
		return netip.AddrPort{}, err
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ip, err := resolveAddr(c, host, 0)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if err := allowTarget(c, "serve", ip.Unmap(), p); err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(ip.Unmap(), uint16(p)), nil
}

// listenNetwork is the network that listens exactly at ip: "tcp4" for an
// IPv4 address (Go's "tcp" would listen on [::] for 0.0.0.0, every IPv6
// address too), "tcp6" for IPv6 (IPV6_V6ONLY, so [::] is IPv6 alone).
func listenNetwork(ip netip.Addr, udp bool) string {
	n := "tcp"
	if udp {
		n = "udp"
	}
	if ip.Is4() {
		return n + "4"
	}
	return n + "6"
}

// hostPortValue is a server's HOST:PORT as Python's server_address, a
// (host, port) tuple.
func hostPortValue(addr string) any {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil {
		return addr
	}
	return shell.Tuple{host, n}
}

// listenError adds a hint to a failed listen, as bind's errors have.
func listenError(addr string, err error) error {
	e := shell.Classify(err)
	switch {
	case errors.Is(err, unix.EADDRINUSE):
		e.Hint = addr + " is taken by another socket: pick another port, or 0 for any free one"
	case errors.Is(err, unix.EACCES):
		if ap, perr := netip.ParseAddrPort(addr); perr == nil {
			e.Hint = bsd.PortPolicy(int(ap.Port())).Refused()
		}
	case errors.Is(err, unix.EADDRNOTAVAIL):
		e.Hint = "that address is not one of this machine's"
	}
	return e
}
