package commands

// probe against ports the test holds on loopback: a listener (open), a
// bound socket that does not listen (refused), a listener whose accept
// queue is full (no answer); nc -z on the same ports must agree. For UDP: a
// socket that replies, one connected to itself (ICMP port unreachable), and
// one that never reads (silence).

import (
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// probeStates reads the table's rows: port → state.
func probeStates(t *testing.T, out string) map[int]string {
	t.Helper()
	states := map[int]string{}
	for _, l := range strings.Split(out, "\n") {
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(l, "| "), " |"), " | ")
		if len(cells) != 4 {
			continue
		}
		var port int
		if _, err := fmt.Sscan(strings.TrimSpace(cells[0]), &port); err == nil {
			states[port] = strings.TrimSpace(cells[2])
		}
	}
	return states
}

func TestProbeTCPAgreesWithNc(t *testing.T) {
	nc := testenv.NeedPeer(t, "netcat-openbsd", "nc")
	open := testenv.Port(testenv.Listen(t, "tcp").Addr())
	refused := testenv.ClosedPort(t, "tcp")
	_, full := testenv.FullListener(t)
	tm := newTerm(t)
	out := tm.MustExec(fmt.Sprintf("probe 127.0.0.1 %d,%d,%d --wait 0.5", open, refused, full))
	states := probeStates(t, out)
	want := map[int]string{open: "open", refused: "refused", full: "no answer"}
	for port, w := range want {
		if states[port] != w {
			t.Errorf("port %d: state %q, want %q\n%s", port, states[port], w, out)
		}
		// nc -z succeeds only where the handshake completes.
		err := exec.Command(nc, "-z", "-w", "1", "127.0.0.1", fmt.Sprint(port)).Run()
		if ncOpen := err == nil; ncOpen != (states[port] == "open") {
			t.Errorf("port %d: nc -z says open=%v, probe says %q", port, ncOpen, states[port])
		}
	}
	for _, note := range []string{"# probed 127.0.0.1: 3 of 3 tcp ports (1 open, 1 refused, 1 no answer), each given 0.5 s, 3 at a time",
		"# no answer: neither SYN-ACK nor RST came back in 0.5 s"} {
		if !strings.Contains(out, note) {
			t.Errorf("want the note %q in\n%s", note, out)
		}
	}
	// A range and a service name; ports in the order given, each once.
	out = tm.MustExec(fmt.Sprintf("probe localhost %d-%d,echo,%d", refused, refused+1, refused))
	if strings.Count(out, fmt.Sprintf("| %d ", refused)) != 1 || len(probeStates(t, out)) != 3 || !strings.Contains(out, "| echo    |") {
		t.Errorf("a range and a service name:\n%s", out)
	}
}

func TestProbeUDP(t *testing.T) {
	answering := testenv.ListenPacket(t, "udp")
	go func() {
		buf := make([]byte, 512)
		for {
			_, from, err := answering.ReadFrom(buf)
			if err != nil {
				return
			}
			answering.WriteTo([]byte("hi\n"), from)
		}
	}()
	silent := testenv.Port(testenv.ListenPacket(t, "udp").LocalAddr())
	closed := testenv.ClosedPort(t, "udp")
	tm := newTerm(t)
	out := tm.MustExec(fmt.Sprintf("probe 127.0.0.1 %d,%d,%d --udp --wait 0.5", testenv.Port(answering.LocalAddr()), silent, closed))
	states := probeStates(t, out)
	want := map[int]string{testenv.Port(answering.LocalAddr()): "open (replied 3 bytes)", silent: "open|filtered", closed: "closed"}
	for port, w := range want {
		if states[port] != w {
			t.Errorf("port %d: state %q, want %q\n%s", port, states[port], w, out)
		}
	}
	if !strings.Contains(out, "# open|filtered: silence proves nothing over UDP") {
		t.Errorf("silence must be said to prove nothing:\n%s", out)
	}
}

// TestProbeCtrlC: Ctrl-C stops a long probe and the ports done so far print.
func TestProbeCtrlC(t *testing.T) {
	closed := testenv.ClosedPort(t, "udp")
	var ports []string
	ports = append(ports, fmt.Sprint(closed))
	for range 40 {
		ports = append(ports, fmt.Sprint(testenv.Port(testenv.ListenPacket(t, "udp").LocalAddr())))
	}
	tm := newTerm(t)
	sub := tm.Session.Events().Subscribe(64, func(e shell.Event) bool { return e.Kind == EventProbePort })
	defer sub.Close()
	run := tm.Start("probe 127.0.0.1 " + strings.Join(ports, ",") + " --udp --wait 60")
	select {
	case e := <-sub.C():
		if p, _ := e.Attr("port"); p != closed {
			t.Fatalf("first port done: %v, want %d", p, closed)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the closed port was not probed")
	}
	tm.Session.Interrupt()
	select {
	case errs := <-run.Done():
		if errs != "" {
			t.Errorf("a stopped probe is no error: %q", errs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ctrl-C did not stop the probe")
	}
	out := run.Output()
	states := probeStates(t, out)
	if len(states) != 1 || states[closed] != "closed" {
		t.Errorf("want only the closed port's row:\n%s", out)
	}
	if !strings.Contains(out, "# stopped by Ctrl-C: 40 of 41 ports were not tried or not finished") {
		t.Errorf("the note should say how far the probe got:\n%s", out)
	}
}

func TestProbeInputAndJSON(t *testing.T) {
	tm := newTerm(t)
	for _, c := range []struct{ line, want string }{
		{"probe", "UsageError: missing argument; usage: probe HOST PORTS [--udp]"},
		{"probe 127.0.0.1", "UsageError: missing argument"},
		{"probe 127.0.0.1 1-2000", "UsageError: PORTS names more than 1024 ports"},
		{"probe 127.0.0.1 80-70", "'80-70' is not a range of ports from 1 to 65535, low to high"},
		{"probe 127.0.0.1 0", "'0' is not a port from 1 to 65535"},
		{"probe 127.0.0.1 nosuchservice", "'nosuchservice' is no tcp service of the services database"},
		{"probe 127.0.0.1 80,,81", "has an empty item"},
		{"probe 127.0.0.1 80 --wait x", "UsageError: --wait is a number of seconds above 0"},
		{"probe 127.0.0.1 80 --wait 0", "UsageError: --wait is a number of seconds above 0"},
	} {
		tm.AssertExecError(c.line, c.want)
	}
	refused := testenv.ClosedPort(t, "tcp")
	tm.MustExec("explain on")
	out := tm.MustExec(fmt.Sprintf("probe 127.0.0.1 %d", refused))
	if !strings.Contains(out, fmt.Sprintf(">>> for port in [%d]:\n...     s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(1.0)\n...     print(port, s.connect_ex(('127.0.0.1', port))); s.close()\n...\n", refused)) {
		t.Errorf("explain shows the Python loop:\n%s", out)
	}
	if want := fmt.Sprintf("  # 127.0.0.1:%d: socket(AF_INET, SOCK_STREAM), connect() = -1 ECONNREFUSED (the SYN drew a RST)\n", refused); !strings.Contains(out, want) {
		t.Errorf("explain shows each port's system calls: want %q in\n%s", want, out)
	}
	tm.MustExec("explain off")
	tm.MustExec("set format json")
	var doc struct {
		Result struct {
			Host, Proto   string
			Ports, Probed int
			Results       []struct {
				Port    int
				Service *string
				State   string
				Seconds *float64
			}
		}
	}
	out = tm.MustExec(fmt.Sprintf("probe 127.0.0.1 %d", refused))
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	r := doc.Result
	if r.Host != "127.0.0.1" || r.Proto != "tcp" || r.Probed != 1 || len(r.Results) != 1 || r.Results[0].Port != refused ||
		r.Results[0].State != "refused" || r.Results[0].Seconds == nil {
		t.Errorf("json: %+v\n%s", r, out)
	}
	if _, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", refused)); err == nil {
		t.Fatal("the refused port accepted a connection")
	}
}

func TestProbeAndAttachComplete(t *testing.T) {
	tm := newTerm(t)
	if got, _ := tm.Session.Complete("probe 127.0.0.1 ht"); !strings.Contains(strings.Join(got, " "), "http") {
		t.Errorf("probe's PORTS completes service names: %q", got)
	}
	if got, _ := tm.Session.Complete("probe 127.0.0.1 80 --u"); !strings.Contains(strings.Join(got, " "), "--udp") {
		t.Errorf("probe completes --udp: %q", got)
	}
	tm.MustExec("socket tcp")
	if got, _ := tm.Session.Complete("attach "); !strings.Contains(strings.Join(got, " "), "s1") {
		t.Errorf("attach completes socket names: %q", got)
	}
	if got, _ := tm.Session.Complete("attach s1 --c"); !strings.Contains(strings.Join(got, " "), "--crlf") {
		t.Errorf("attach completes --crlf: %q", got)
	}
}
