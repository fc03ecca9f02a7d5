// The classic demo servers (echo, discard, daytime, chargen) as session servers.
package commands

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd/demo"
	"github.com/sockshell/sockshell/shell"
)

// startDemo starts one of the classic demo servers; its connection events
// go through the session's asynchronous output.
func startDemo(c *shell.Call, kind string, ap netip.AddrPort, udp bool) (*server, error) {
	addr := ap.String()
	sess := c.Session
	demoKind, over := kind, "TCP"
	if udp {
		demoKind, over = kind+"/udp", "UDP"
	}
	srv, err := demo.StartWith(demoKind, addr, demo.Options{Log: func(line string) {
		// The command's own result says when it listens and stops.
		if strings.HasSuffix(line, ": listening") || strings.HasSuffix(line, ": stopped") {
			return
		}
		// "echo 127.0.0.1:7: closed …" shows as "[echo 127.0.0.1:7] closed …".
		if who, what, ok := strings.Cut(line, ": "); ok {
			line = "[" + who + "] " + what
		}
		sess.Async("%s", line)
	}})
	if err != nil {
		return nil, err
	}
	rfc := map[string]string{"echo": "RFC 862", "discard": "RFC 863", "daytime": "RFC 867", "chargen": "RFC 864"}[kind]
	s := &server{kind: kind, addr: srv.Addr(), detail: fmt.Sprintf("%s over %s", rfc, over), stop: srv.Stop}
	if udp {
		s.grams = func() int64 { return srv.Stats().Datagrams }
		s.drops = func() int64 { return srv.Stats().Dropped }
	} else {
		s.conns = func() int64 { return srv.Stats().Connections }
	}
	return s, nil
}
