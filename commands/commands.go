// Package commands holds sockshell's commands, one family per file, each
// file declaring its commands in a table. Table assembles them all.
package commands

import (
	"context"
	"fmt"

	"github.com/sockshell/sockshell/commands/lazyctx"
	"github.com/sockshell/sockshell/shell"
)

// The help groups, in the order help and docs/commands.md list them. A
// family's commands name their group; Table refuses a group not here.
const (
	groupNetdb     shell.Group = "Name service"
	groupSockets   shell.Group = "Sockets"
	groupIO        shell.Group = "Data"
	groupGopher    shell.Group = "Gopher and local servers"
	groupClassroom shell.Group = "The classroom"
)

var groups = []shell.Group{groupNetdb, groupSockets, groupIO, groupGopher, groupClassroom, shell.GroupShell}

// Table is the full command table: every family, then the shell's own
// commands; and the families' settings, after the shell's own. Each
// family's commands are made when a lookup first needs them, the families
// in this order (shell.Table.AddLater): the name service's first, so a
// one-shot lookup's start makes only those.
func Table() *shell.Table {
	t := shell.NewTable()
	t.SetGroups(groups...)
	t.AddLater(netdbCommands)
	t.AddLater(dnsCommands)
	t.AddLater(socketCommands)
	t.AddLater(probeCommands)
	t.AddLater(ioCommands)
	t.AddLater(unixCommands)
	t.AddLater(attachCommands)
	t.AddLater(sockoptCommands)
	t.AddLater(gopherCommands)
	t.AddLater(serveCommands)
	t.AddLater(timelineCommands)
	t.AddLater(exportCommands)
	t.AddLater(viewCommands)
	t.AddLater(tlsCommands)
	t.AddLater(lessonCommands)
	t.AddLater(wireCommands)
	t.AddLater(shell.Builtins)
	t.AddLater(shell.RecordCommands)
	t.AddSettings(netdbSettings()...)
	t.AddSettings(allowSettings()...)
	t.AddSettings(lessonSettings()...)
	t.AddAfterCommand(wireAfterCommand) // before the lesson's check: it sees the command's packets
	t.AddAfterCommand(lessonAfter)
	t.AddPromptTokens(promptTokens()...)
	t.AddSettings(noticesSetting())
	t.AddIdleHook(watchSockets)
	return t
}

// bounded returns the call's context bounded by the session's timeout;
// its timer is made only when something waits on it (lazyctx).
func bounded(c *shell.Call) (context.Context, context.CancelFunc) {
	if d, ok := c.Session.Timeout(); ok {
		return lazyctx.WithTimeout(c.Ctx, d)
	}
	return lazyctx.WithCancel(c.Ctx)
}

// protos are the protocols of the services database.
var protos = []string{"tcp", "udp"}

// count spells a count with its unit in the right number: "1 byte",
// "0 bytes", "2 bytes". unit is the singular; the plural adds an s.
func count[N int | int64](n N, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
