// The classic demo servers (echo, discard, daytime, chargen) as session servers.
package commands

import (
	"fmt"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd/demo"
	"github.com/sockshell/sockshell/shell"
)

// startDemo starts one of the classic demo servers; its connection events
// go through the session's asynchronous output.
func startDemo(c *shell.Call, kind, addr string) (*server, error) {
	sess := c.Session
	srv, err := demo.StartWith(kind, addr, demo.Options{Log: func(line string) {
		// The command's own result says when it listens and stops.
		if !strings.HasSuffix(line, ": listening") && !strings.HasSuffix(line, ": stopped") {
			sess.Async("[%s] %s", kind, line)
		}
	}})
	if err != nil {
		return nil, err
	}
	rfc := map[string]string{"echo": "RFC 862", "discard": "RFC 863", "daytime": "RFC 867", "chargen": "RFC 864"}[kind]
	return &server{kind: kind, addr: srv.Addr(), detail: fmt.Sprintf("%s over TCP", rfc),
		conns: func() int64 { return srv.Stats().Connections }, stop: srv.Stop}, nil
}
