package commands

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// Probe's ports: the PORTS word read (lists, ranges, service names), and each port tried once.

// probeOne tries one port. A probe cut short by Ctrl-C is not done.
func probeOne(ctx context.Context, ip netip.Addr, port int, udp bool, wait time.Duration) probeRow {
	r := probeRow{port: port}
	addr := net.JoinHostPort(ip.String(), strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	start := time.Now()
	if !udp {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		r.took = time.Since(start)
		switch {
		case err == nil:
			conn.Close()
			r.state = stateOpen
		case errors.Is(err, syscall.ECONNREFUSED):
			r.state = stateRefused
		case errors.Is(ctx.Err(), context.Canceled):
			return r // Ctrl-C
		case probeTimedOut(ctx, err):
			r.state, r.took = stateNoAnswer, 0
		default:
			r.state = probeErrState(err)
		}
		r.done = true
		return r
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		r.state, r.done = probeErrState(err), ctx.Err() == nil
		return r
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := conn.Write(nil); err != nil {
		r.state, r.done = probeErrState(err), ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded)
		return r
	}
	buf := make([]byte, 65535)
	n, err := conn.Read(buf)
	r.took = time.Since(start)
	switch {
	case err == nil:
		r.state, r.replied = stateOpen, n
	case errors.Is(err, syscall.ECONNREFUSED):
		r.state = stateClosed
	case errors.Is(ctx.Err(), context.Canceled):
		return r // Ctrl-C
	case probeTimedOut(ctx, err):
		r.state, r.took = stateOpenFilt, 0
	default:
		r.state = probeErrState(err)
	}
	r.done = true
	return r
}

// probeTimedOut reports whether the wait ran out: the context's deadline,
// or the socket's own deadline set from it, whichever fired first.
func probeTimedOut(ctx context.Context, err error) bool {
	var ne net.Error
	return errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// probeErrState names another failure by its errno: "error EHOSTUNREACH".
func probeErrState(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return "error " + unix.ErrnoName(errno)
	}
	return "error: " + err.Error()
}

// parseProbePorts reads PORTS: numbers, ranges and service names, comma
// separated, in the order given, each port once.
func parseProbePorts(c *shell.Call, spec, proto string) ([]int, error) {
	var ports []int
	seen := map[int]bool{}
	tooMany := c.UsageError(fmt.Sprintf("PORTS names more than %d ports: probe checks the ports you mean, a full sweep is a port scanner's job; split the range into several probes", probeMaxPorts))
	add := func(p int) error {
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
		if len(ports) > probeMaxPorts {
			return tooMany
		}
		return nil
	}
	bad := func(item, why string) error {
		return c.UsageError(fmt.Sprintf("PORTS is a list like 22,80,443 or 8000-8100 or http; %s %s", shell.StrRepr(item), why))
	}
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, bad(spec, "has an empty item")
		}
		if lo, hi, isRange := strings.Cut(item, "-"); isRange && isDigits(lo) && isDigits(hi) {
			a, errA := strconv.Atoi(lo)
			b, errB := strconv.Atoi(hi)
			if errA != nil || errB != nil || a < 1 || b > 65535 || a > b {
				return nil, bad(item, "is not a range of ports from 1 to 65535, low to high")
			}
			if b-a+1 > probeMaxPorts {
				return nil, tooMany
			}
			for p := a; p <= b; p++ {
				if err := add(p); err != nil {
					return nil, err
				}
			}
			continue
		}
		if isDigits(item) {
			p, err := strconv.Atoi(item)
			if err != nil || p < 1 || p > 65535 {
				return nil, bad(item, "is not a port from 1 to 65535")
			}
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		svc, err := netdb.DefaultServices().ByName(item, proto)
		if err != nil {
			return nil, bad(item, "is no "+proto+" service of the services database")
		}
		if err := add(svc.Port); err != nil {
			return nil, err
		}
	}
	return ports, nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
