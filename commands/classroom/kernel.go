// The kernel's TCP table, as the hub asks it (Options.Lookup): where a
// connection is after its socket's TCP_INFO stops telling (the descriptor
// closed, or TCP_INFO reading CLOSE while the kernel holds the connection
// in TIME_WAIT apart from it). The view command answers through netlink
// sock_diag (commands/sockdiag), as the watcher does.
package classroom

import "errors"

// ErrNotInTable: the kernel's table holds no connection with those ends.
var ErrNotInTable = errors.New("not in the kernel's TCP table")
