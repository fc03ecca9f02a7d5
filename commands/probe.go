// The probe command: which ports of a host answer, as `nc -z` finds out, a
// few at a time, each with its own timeout; a table of port, service, state
// and the time to connect. With --udp, an empty datagram to each port, and
// the caveat that UDP silence proves nothing.

package commands

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

const (
	// probeParallel is how many ports are tried at once: enough that 1024
	// ports of a silent host take 32 waits, few enough to stay far from
	// the descriptor limit and from looking like a flood.
	probeParallel = 32
	// probeMaxPorts bounds one probe. A full 65535-port sweep is a port
	// scanner's job (and many networks treat it as an attack); probe is for
	// checking the ports one means. Split a larger range in several probes.
	probeMaxPorts = 1024
	// probeWait is the default time each port has to answer.
	probeWait = time.Second
)

// EventProbePort is the quiet event of one port probed: fields host,
// port, proto, state and seconds (null for no answer), so the timeline
// and the classroom page can show a probe as it runs.
const EventProbePort shell.EventKind = "probe_port"

// Probe states, as the table prints them.
const (
	stateOpen     = "open"
	stateRefused  = "refused"
	stateNoAnswer = "no answer"
	stateClosed   = "closed"        // UDP: ICMP port unreachable
	stateOpenFilt = "open|filtered" // UDP: silence
)

func probeCommands() []*shell.Command {
	return []*shell.Command{{
		Name: "probe", Group: groupSockets,
		Summary: "Which ports of a host answer: a connect to each, a few at a time, as nc -z does.",
		Help: "PORTS is a list of ports, ranges and service names: 22,80,443 or 8000-8100 or http\n" +
			"or ssh,8000-8010 (at most 1024 ports in one probe: a full sweep is a scanner's job).\n" +
			fmt.Sprintf("%d ports are tried at once, each given --wait SECONDS (1 by default, never more\n", probeParallel) +
			"than `set timeout`) to answer. TCP states: open (the handshake completed; the\n" +
			"connection is closed at once), refused (a RST answered the SYN: nothing listens\n" +
			"there, or a firewall rejects), no answer (neither came back in time: a firewall dropping the SYN,\n" +
			"a full accept queue, a host that is down), or the error the kernel gave.\n" +
			"--udp sends an empty datagram to each port: closed means an ICMP port unreachable\n" +
			"came back; open means a reply came back; open|filtered means silence, which proves\n" +
			"nothing (a service that ignores an empty datagram and a firewall that drops it look\n" +
			"the same; nc's manual warns that `nc -uz` reports success whatever the state).\n" +
			"On a terminal a progress line shows how far a long probe is; Ctrl-C stops it and\n" +
			"prints the ports done so far.",
		Python:   "s.connect_ex((host, port)) for each port",
		Examples: []string{"probe 127.0.0.1 22,80,443", "probe localhost 8000-8100 --wait 0.2", "probe 127.0.0.1 domain --udp"},
		Args:     []shell.Arg{shell.Req("HOST", hostArg), shell.Req("PORTS", probePortsArg), shell.OptFlag("udp")},
		Flags: []shell.Flag{
			{Name: "udp", Help: "send an empty UDP datagram to each port instead of a TCP connect"},
			{Name: "wait", Value: true, Meta: "SECONDS", Help: "how long each port has to answer (default 1)",
				Kind: &shell.ArgKind{Name: "seconds", Complete: func(*shell.Session, string) []string { return []string{"0.2", "1", "3"} }}},
		},
		Run: runProbe,
	}}
}

// probePortsArg is probe's PORTS; it completes service names.
var probePortsArg = &shell.ArgKind{Name: "ports", Complete: serviceArg.Complete}

// probeRow is one port's outcome.
type probeRow struct {
	port    int
	state   string
	took    time.Duration // to the answer; 0 for none
	replied int           // UDP: bytes of the reply
	done    bool
}

func runProbe(c *shell.Call) (any, error) {
	udp := c.Has("udp")
	sotype, proto := unix.SOCK_STREAM, "tcp"
	if udp {
		sotype, proto = unix.SOCK_DGRAM, "udp"
	}
	ports, err := parseProbePorts(c, c.Arg(1), proto)
	if err != nil {
		return nil, err
	}
	wait := probeWait
	if v, ok := c.Flag("wait"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 3600 {
			return nil, c.UsageError(fmt.Sprintf("--wait is a number of seconds above 0 (at most 3600), not %s", shell.StrRepr(v)))
		}
		wait = time.Duration(f * float64(time.Second))
	}
	if d, ok := c.Session.Timeout(); ok && d < wait {
		wait = d
	}
	ip, err := resolveAddr(c, c.Arg(0), unix.AF_UNSPEC)
	if err != nil {
		c.Python("socket.getaddrinfo(%s, None)", shell.StrRepr(c.Arg(0))) // raises the same
		return nil, err
	}
	for _, p := range ports {
		if err := allowTarget(c, "probe", ip, p); err != nil {
			return nil, err // refused by set allow: nothing sent
		}
	}
	probePython(c, c.Arg(0), ip, ports, udp, wait)
	rows := make([]probeRow, len(ports))
	var mu sync.Mutex
	doneCount, openCount := 0, 0
	progress := c.Session.OnTerminal() && len(ports) > probeParallel
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		// The status line, looked at ten times a second while the probe
		// runs and drawn again when it has changed.
		defer close(progressDone)
		if !progress {
			return
		}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		last := ""
		for {
			mu.Lock()
			line := fmt.Sprintf("probe %s: %d of %d ports, %d open (Ctrl-C stops and shows them)", ip, doneCount, len(ports), openCount)
			mu.Unlock()
			if line != last {
				c.Session.Status(line)
				last = line
			}
			select {
			case <-tick.C:
			case <-stopProgress:
				return
			}
		}
	}()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(probeParallel, len(ports)) {
		wg.Go(func() {
			for i := range jobs {
				r := probeOne(c.Ctx, ip, ports[i], udp, wait)
				if r.done {
					probeEvent(c.Session, ip, r, udp)
				}
				mu.Lock()
				if r.done {
					rows[i] = r
					doneCount++
					if r.state == stateOpen {
						openCount++
					}
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range ports {
		select {
		case jobs <- i:
		case <-c.Ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(stopProgress)
	<-progressDone
	if progress {
		c.Session.Status("")
	}
	if c.Explaining() {
		probeSyscalls(c, ip, rows, udp, wait)
	}
	return probeResult(c, ip, sotype, rows, len(ports), wait), nil
}

// probeSyscalls says, for explain, what each port's system calls did.
func probeSyscalls(c *shell.Call, ip netip.Addr, rows []probeRow, udp bool, wait time.Duration) {
	family := "AF_INET"
	if ip.Is6() {
		family = "AF_INET6"
	}
	for _, r := range rows {
		if !r.done {
			continue
		}
		addr := net.JoinHostPort(ip.String(), strconv.Itoa(r.port))
		var what string
		switch {
		case !udp && r.state == stateOpen:
			what = "connect() = 0 (SYN, SYN-ACK, ACK), close()"
		case !udp && r.state == stateRefused:
			what = "connect() = -1 ECONNREFUSED (the SYN drew a RST)"
		case !udp && r.state == stateNoAnswer:
			what = fmt.Sprintf("connect() still in progress after %s (no SYN-ACK, no RST), close()", seconds(wait))
		case udp && r.state == stateOpen:
			what = fmt.Sprintf("connect(), send(b'') = 0, recv() = %s", count(r.replied, "byte"))
		case udp && r.state == stateClosed:
			what = "connect(), send(b'') = 0, recv() = -1 ECONNREFUSED (ICMP port unreachable came back)"
		case udp && r.state == stateOpenFilt:
			what = fmt.Sprintf("connect(), send(b'') = 0, recv() nothing within %s", seconds(wait))
		default:
			what = r.state
		}
		sotype := "SOCK_STREAM"
		if udp {
			sotype = "SOCK_DGRAM"
		}
		c.Syscalls(fmt.Sprintf("%s: socket(%s, %s), %s", addr, family, sotype, what))
	}
}

// probeEvent reports one port's outcome to the session's log.
func probeEvent(s *shell.Session, ip netip.Addr, r probeRow, udp bool) {
	proto := "tcp"
	if udp {
		proto = "udp"
	}
	var secs any
	if r.took > 0 {
		secs = r.took.Seconds()
	}
	s.Emit(shell.Event{Kind: EventProbePort, Label: "probe " + ip.String(), Quiet: true,
		Message: fmt.Sprintf("%s port %d: %s", proto, r.port, r.state),
		Attrs: []shell.Attr{{Key: "host", Value: ip.String()}, {Key: "port", Value: r.port},
			{Key: "proto", Value: proto}, {Key: "state", Value: r.state}, {Key: "seconds", Value: secs}}})
}

// probePython is the loop Python would run: connect_ex per port (or a
// datagram and a recv), each with the wait as its timeout.
func probePython(c *shell.Call, host string, ip netip.Addr, ports []int, udp bool, wait time.Duration) {
	family := "AF_INET"
	if ip.Is6() {
		family = "AF_INET6"
	}
	list := probePortsPython(ports)
	t := strconv.FormatFloat(wait.Seconds(), 'f', -1, 64)
	if strings.Trim(t, "0123456789") == "" {
		t += ".0"
	}
	if !udp {
		c.Python("for port in %s:\n    s = socket.socket(socket.%s, socket.SOCK_STREAM); s.settimeout(%s)\n"+
			"    print(port, s.connect_ex((%s, port))); s.close()", list, family, t, shell.StrRepr(host))
		return
	}
	c.Python("for port in %s:\n    s = socket.socket(socket.%s, socket.SOCK_DGRAM); s.settimeout(%s)\n"+
		"    s.connect((%s, port)); s.send(b'')\n"+
		"    try: print(port, 'open', s.recv(65535))\n"+
		"    except ConnectionRefusedError: print(port, 'closed')\n"+
		"    except TimeoutError: print(port, 'open|filtered')\n"+
		"    s.close()", list, family, t, shell.StrRepr(host))
}

// probePortsPython is the ports as Python: range(a, b + 1) for a run, else a list.
func probePortsPython(ports []int) string {
	run := len(ports) > 2
	for i := 1; i < len(ports) && run; i++ {
		run = ports[i] == ports[i-1]+1
	}
	if run {
		return fmt.Sprintf("range(%d, %d)", ports[0], ports[len(ports)-1]+1)
	}
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = strconv.Itoa(p)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// probeResult is the table, its JSON, and the notes: the counts, what
// silence means, and how far a stopped probe got.
func probeResult(c *shell.Call, ip netip.Addr, sotype int, rows []probeRow, total int, wait time.Duration) *shell.Rows {
	proto := "tcp"
	if sotype == unix.SOCK_DGRAM {
		proto = "udp"
	}
	t := &shell.Rows{Header: []string{"port", "service", "state", "time"}}
	var js shell.List
	counts := map[string]int{}
	done := 0
	db := netdb.DefaultServices()
	for _, r := range rows {
		if !r.done {
			continue
		}
		done++
		counts[r.state]++
		service := ""
		if svc, err := db.ByPort(r.port, proto); err == nil {
			service = svc.Name
		}
		took, secs := "", any(nil)
		if r.took > 0 {
			took, secs = probeTime(r.took), r.took.Seconds()
		}
		state := r.state
		if r.replied > 0 {
			state = fmt.Sprintf("%s (replied %s)", r.state, count(r.replied, "byte"))
		}
		t.Append(r.port, service, state, took)
		obj := map[string]any{"port": r.port, "service": service, "state": r.state, "seconds": secs}
		if service == "" {
			obj["service"] = nil
		}
		js = append(js, obj)
	}
	if js == nil {
		js = shell.List{}
	}
	t.JSON = map[string]any{"host": ip.String(), "proto": proto, "ports": total, "probed": done, "wait": wait.Seconds(), "results": js}
	known := []string{stateOpen, stateRefused, stateNoAnswer, stateClosed, stateOpenFilt}
	var parts, others []string
	for _, s := range known {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	for s, n := range counts {
		if !slices.Contains(known, s) {
			others = append(others, fmt.Sprintf("%d %s", n, s))
		}
	}
	slices.Sort(others)
	parts = append(parts, others...)
	summary := strings.Join(parts, ", ")
	if summary == "" {
		summary = "none finished"
	}
	c.Note("probed %s: %d of %d %s ports (%s), each given %s, %d at a time", ip, done, total, proto, summary, seconds(wait), min(probeParallel, total))
	if done < total {
		c.Note("stopped by Ctrl-C: %d of %d ports were not tried or not finished", total-done, total)
	}
	if counts[stateNoAnswer] > 0 {
		c.Note("no answer: neither SYN-ACK nor RST came back in %s (a firewall dropping the SYN, a full accept queue, a host that is down); it does not say the port is closed", seconds(wait))
	}
	if counts[stateOpenFilt] > 0 {
		c.Note("open|filtered: silence proves nothing over UDP: a service that ignores an empty datagram and a firewall that drops it look the same (nc -uz reports success whatever the state, its manual warns)")
	}
	return t
}

// seconds formats a duration as Python's seconds: "1 s", "0.25 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// probeTime is a time to connect: "0.05 ms", "1.2 ms", "1.204 s".
func probeTime(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.2f ms", d.Seconds()*1000)
	}
	return dnsSeconds(d)
}
