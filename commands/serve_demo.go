package commands

import (
	"github.com/sockshell/sockshell/shell"
)

// startDemo starts one of the classic demo servers.
func startDemo(c *shell.Call, kind, addr string) (*server, error) {
	return nil, shell.Errorf("NotImplementedError", "serve %s is not built yet", kind)
}
