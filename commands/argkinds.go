// The kinds of argument the commands declare for Tab completion beyond the
// shell's own (files, directories): socket and server names, host names.
package commands

import (
	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
)

var (
	// sockArg is a socket's name in the session (s1).
	sockArg = &shell.ArgKind{Name: "socket", Complete: func(s *shell.Session, _ string) []string {
		return s.ResourceNames(isSocket)
	}}
	// hostArg is a host name from the hosts file, or a loopback address.
	// Completion never asks DNS: it must answer at once and offline.
	hostArg = &shell.ArgKind{Name: "host", Complete: func(*shell.Session, string) []string {
		return append(netdb.HostNames(), "127.0.0.1", "::1")
	}}
	// sockOrHostArg is the first argument of `connect`, which may be either.
	sockOrHostArg = &shell.ArgKind{Name: "socket or host", Complete: func(s *shell.Session, p string) []string {
		return append(sockArg.Complete(s, p), hostArg.Complete(s, p)...)
	}}
)

// isSocketName reports whether name is a socket of the session.
func isSocketName(s *shell.Session, name string) bool {
	r, ok := s.Resource(name)
	return ok && isSocket(r)
}
