// A gopher menu as a table (the gopher family): the selectable items
// numbered for `go`, fields a server got wrong marked.
package commands

import (
	"fmt"
	"strings"

	"github.com/sockshell/sockshell/commands/gopher"
	"github.com/sockshell/sockshell/shell"
)

// isInfo reports whether a menu line is shown as text without a number:
// an info line, or a line without a single tab (plain text where an item
// should be, such as an HTTP reply), which has nothing to follow.
func isInfo(it gopher.Item) bool {
	return it.Type == 'i' || it.Malformed && !strings.Contains(it.Raw, "\t")
}

// menuRows shows a menu as a numbered table; info lines have no number.
func menuRows(m *gopher.Menu) *shell.Rows {
	rows := &shell.Rows{Header: []string{"#", "type", "display", "selector", "host", "port"}}
	n := 0
	for _, it := range m.Items {
		if it.Type == 'i' {
			rows.Append(nil, nil, it.Display, nil, nil, nil) // no number, no place: None
			continue
		}
		if isInfo(it) {
			rows.Append(nil, nil, it.Raw, nil, nil, nil)
			continue
		}
		n++
		var host, port any = it.Host, it.Port
		switch field, value, _ := it.Invalid(); field {
		case "port":
			port = markInvalid(value)
		case "host":
			host = markInvalid(value)
		case "line":
			port = "(invalid: missing)"
			if it.Host == "" {
				host = "(invalid: missing)"
			}
		}
		rows.Append(n, gopher.TypeName(it.Type), it.Display, it.Selector, host, port)
	}
	return rows
}

// countInvalid counts the items of m that cannot be followed.
func countInvalid(m *gopher.Menu) int {
	n := 0
	for _, it := range selectable(m) {
		if field, _, _ := it.Invalid(); field != "" {
			n++
		}
	}
	return n
}

// markInvalid is the cell of a menu field `go` refuses to follow.
func markInvalid(value string) string {
	if value == "" {
		return "(invalid: empty)"
	}
	return value + " (invalid)"
}

// invalidField says in words why a menu item cannot be followed.
func invalidField(field, value, why string) string {
	if field == "line" {
		return "its line " + why
	}
	return fmt.Sprintf("its %s field %s %s", field, shell.StrRepr(value), why)
}
