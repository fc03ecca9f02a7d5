package commands

// Socket sessions as transcripts (testdata/sockets/*.txt), read like the
// notes: against the shell's own echo servers, socat and nc on loopback.
// Descriptor numbers and the ports the kernel picks are normalised.

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// runSockTranscript runs a transcript of testdata/sockets. Descriptor
// numbers depend on what the test process holds, so fd=7 reads fd=N and the
// fd column of `sockets` reads N. Ports the kernel picks are learned after
// each command from the registry and shown as $LOCAL_sN and $REMOTE_sN (a
// port already named keeps its first name).
func runSockTranscript(t *testing.T, path string, vars map[string]string) {
	t.Helper()
	faketerm.RunTranscript(t, Table(), path, vars, sockTranscriptHooks)
}

// sockTranscriptHooks learn ports and hide descriptor numbers.
var sockTranscriptHooks = faketerm.Hooks{After: sockLearnPorts, Stdout: sockNormalizeFDs}

// sockLearnPorts names the ports of the session's servers ($PORT_echo1,
// for a server started on port 0) and the local and remote ports of its
// sockets.
func sockLearnPorts(s *shell.Session, vars map[string]string) {
	learnServerPorts(s, vars)
	known := map[string]bool{}
	for _, v := range vars {
		known[v] = true
	}
	add := func(key string, a bsd.SockAddr, err error) {
		p := strconv.Itoa(int(a.Port()))
		if err == nil && a.Port() >= 1000 && !known[p] {
			vars[key] = p
			known[p] = true
		}
	}
	for _, r := range s.Resources() {
		if so, ok := r.Resource.(*bsd.Socket); ok {
			a, err := so.SockName()
			add("LOCAL_"+r.Name, a, err)
			a, err = so.PeerName()
			add("REMOTE_"+r.Name, a, err)
		}
	}
}

var sockFDRepr = regexp.MustCompile(`\bfd=\d+`)

// sockFDCall is a traced system call's descriptor: "  # sendto(7, ".
var sockFDCall = regexp.MustCompile(`^(\s+# [a-z0-9_]+\()\d+\b`)

// sockNormalizeFDs writes descriptor numbers as N: fd=7 in a socket's repr,
// the first argument of a traced call ("# sendto(N, 5 bytes) = 5") and the
// fd column of a table, keeping the column's width.
func sockNormalizeFDs(lines []string) []string {
	col := -1
	out := make([]string, len(lines))
	for i, l := range lines {
		l = sockFDRepr.ReplaceAllString(l, "fd=N")
		l = sockFDCall.ReplaceAllString(l, "${1}N")
		if strings.HasPrefix(l, "|") {
			cells := strings.Split(l, "|")
			if col < 0 {
				for j, c := range cells {
					if strings.TrimSpace(c) == "fd" {
						col = j
					}
				}
			} else if col < len(cells) {
				c := cells[col]
				if d := strings.TrimSpace(c); d != "" && strings.Trim(d, "0123456789") == "" && len(c) >= 3 {
					cells[col] = " N" + strings.Repeat(" ", len(c)-2)
				}
				l = strings.Join(cells, "|")
			}
		}
		out[i] = l
	}
	return out
}

// The notes' session against the shell's own echo server.
func TestSocketTranscriptEcho(t *testing.T) {
	runSockTranscript(t, "testdata/sockets/echo.txt", nil)
}

// The same session against socat, a TCP echo (PIPE) on loopback.
func TestSocketTranscriptSocatTCP(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	_, port := testenv.ListeningPeer(t, "tcp", socat, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr", port), "PIPE"}
	})
	runSockTranscript(t, "testdata/sockets/socat_tcp.txt", map[string]string{"PORT": strconv.Itoa(port)})
}

// UDP datagrams to socat's UDP echo: sendto, recvfrom.
func TestSocketTranscriptUDP(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	_, port := testenv.ListeningPeer(t, "udp", socat, func(port int) []string {
		return []string{fmt.Sprintf("UDP-RECVFROM:%d,bind=127.0.0.1,fork", port), "PIPE"}
	})
	runSockTranscript(t, "testdata/sockets/udp.txt", map[string]string{"PORT": strconv.Itoa(port)})
}

// bind, listen, accept with nc as the client: the session receives what nc
// sent, and nc prints what the session sent back.
func TestSocketTranscriptNCClient(t *testing.T) {
	nc := testenv.NeedPeer(t, "netcat-openbsd", "nc")
	// The transcript binds port 0; nc starts once the port is known (after
	// bind), before listen, so it retries while refused.
	type result struct {
		stdout string
		err    error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), sockPeerTimeout)
	defer cancel()
	client := func(port string) {
		for {
			var out, errs bytes.Buffer
			// -v: without it nc says nothing when refused, and the retry
			// below could not tell a refused connect from a failure.
			cmd := exec.CommandContext(ctx, nc, "-v", "-N", "-w", "20", "127.0.0.1", port)
			cmd.Stdin = strings.NewReader("hello from nc\n")
			cmd.Stdout, cmd.Stderr = &out, &errs
			cmd.WaitDelay = time.Second
			err := cmd.Run()
			if err != nil && strings.Contains(errs.String(), "refused") && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			if err != nil {
				err = fmt.Errorf("%v: %s", err, errs.String())
			}
			done <- result{out.String(), err}
			return
		}
	}
	started := false
	hooks := sockTranscriptHooks
	hooks.After = func(s *shell.Session, vars map[string]string) {
		sockLearnPorts(s, vars)
		if port, ok := vars["LOCAL_s1"]; ok && !started {
			started = true
			go client(port)
		}
	}
	faketerm.RunTranscript(t, Table(), "testdata/sockets/nc_client.txt", nil, hooks)
	select {
	case r := <-done:
		if r.err != nil {
			t.Errorf("nc: %v", r.err)
		}
		if r.stdout != "hi nc\n" {
			t.Errorf("nc printed %q, want %q", r.stdout, "hi nc\n")
		}
	case <-time.After(sockPeerTimeout + 2*time.Second):
		t.Fatal("nc did not end after the session closed its socket")
	}
}

// IPv6 on ::1, entirely inside one session.
func TestSocketTranscriptIPv6(t *testing.T) {
	testenv.Listen(t, "tcp6") // skips without IPv6 loopback
	runSockTranscript(t, "testdata/sockets/ipv6.txt", nil)
}

// shutdown wr: the peer (socat running wc -c) sees end of file, which is the
// only thing that makes wc print its count.
func TestSocketTranscriptShutdown(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	_, port := testenv.ListeningPeer(t, "tcp", socat, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr", port), "SYSTEM:wc -c"}
	})
	runSockTranscript(t, "testdata/sockets/shutdown.txt", map[string]string{"PORT": strconv.Itoa(port)})
}

// UDP sendto/recvfrom against the shell's own UDP echo server.
func TestSocketTranscriptUDPDemo(t *testing.T) {
	runSockTranscript(t, "testdata/sockets/udp_demo.txt", nil)
}
