// Command floor is row 1's floor: the least a sockshell start can cost.
// It links what sockshell must link to answer `-c 'servport http tcp'` as
// Python would, and does nothing else: it prints 80.
//
//   - net, with cgo: the resolver is the C library's (commands/netdb calls
//     glibc's getaddrinfo, as CPython does), so the binary is linked
//     dynamically against libc and starts through runtime/cgo (its
//     threads, its signal handlers installed through C, the loader);
//   - tablewriter: the design card's table library, whose initialisers
//     (its width cache among them) run at every start of any binary that
//     links it.
//
// The line editor (chzyer/readline) is not linked: -c, scripts and pipes
// never read a terminal, only the interactive prompt edits lines, so it is
// not part of what the first command needs (and its initialisers cost
// nothing measurable: GODEBUG=inittrace=1 shows 0 ms, 0 allocations).
//
// sockbench builds it as it builds sockshell and times it in row 1's
// hyperfine run; its figures are the floor's, never a target.
package main

import (
	"net"
	"os"

	"github.com/olekukonko/tablewriter"
)

// Referenced, so that neither package is only an import for its
// initialisers: the floor links what a use of them links.
var (
	_ = net.ParseIP
	_ = tablewriter.NewTable
)

func main() {
	os.Stdout.Write([]byte("80\n"))
}
