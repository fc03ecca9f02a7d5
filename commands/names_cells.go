package commands

import (
	"sync"

	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
)

// enumCells are a name table's values as table cells and as Python's
// enum reprs, each boxed once (a value in a row is an interface: boxing
// a string or a Repr is an allocation), made the first time a row needs
// them: every row of every getaddrinfo answer shows a family and a kind.
type enumCells struct {
	kind       string
	names      map[int]string
	cell, repr map[int]any
}

func makeEnumCells(kind string, names map[int]string) func() *enumCells {
	return sync.OnceValue(func() *enumCells {
		e := &enumCells{kind: kind, names: names, cell: map[int]any{}, repr: map[int]any{}}
		for v, n := range names {
			e.cell[v] = n
			e.repr[v] = enumRepr(kind, names, v)
		}
		return e
	})
}

var (
	familyCells = makeEnumCells("AddressFamily", familyNames)
	typeCells   = makeEnumCells("SocketKind", typeNames)
)

// cellOf is names[v] as a cell ("" for a value without a name).
func (e *enumCells) cellOf(v int) any {
	if c, ok := e.cell[v]; ok {
		return c
	}
	return ""
}

// reprOf is enumRepr(kind, names, v).
func (e *enumCells) reprOf(v int) any {
	if r, ok := e.repr[v]; ok {
		return r
	}
	return enumRepr(e.kind, e.names, v)
}

// addrinfoRows are getaddrinfo's answer as the table's rows and, for
// `set format python`, Python's list of 5-tuples (the enums' reprs); the
// two share each row's sockaddr tuple.
func addrinfoRows(infos []netdb.AddrInfo) *shell.Rows {
	rows := &shell.Rows{Header: []string{"family", "type", "proto", "canonname", "sockaddr"}}
	rows.Rows = make([][]any, 0, len(infos))
	fams, types := familyCells(), typeCells()
	sockaddrs := make([]any, len(infos))
	for i, ai := range infos {
		sockaddrs[i] = sockaddrTuple(ai)
		rows.Append(fams.cellOf(ai.Family), types.cellOf(ai.Type), ai.Proto, ai.Canonname, sockaddrs[i])
	}
	rows.Py = shell.Lazy(func() any {
		pyList := make(shell.List, 0, len(infos))
		for i, ai := range infos {
			pyList = append(pyList, shell.Tuple{fams.reprOf(ai.Family), types.reprOf(ai.Type), ai.Proto, ai.Canonname, sockaddrs[i]})
		}
		return pyList
	})
	return rows
}
