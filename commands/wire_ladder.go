package commands

import "github.com/sockshell/sockshell/shell"

func wireLadder(c *shell.Call, w *wire, name string) (any, error) {
	return nil, shell.Errorf("NotImplementedError", "not yet")
}
