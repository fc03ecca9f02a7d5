package shell

// Test helpers shared by this package's test files: a session of a small
// table of test commands with its two output buffers, an error of a library
// that knows its Python class, and a table rendered at a width.

import (
	"bytes"
	"syscall"
	"testing"

	"github.com/sockshell/sockshell/shell/pyerr"
)

func testSession() (*Session, *bytes.Buffer, *bytes.Buffer) {
	t := NewTable(
		&Command{Name: "boom", Summary: "panics", Group: "t",
			Run: func(c *Call) (any, error) {
				var m map[string]int
				//lint:ignore SA5000 a real runtime panic, for the recovery test
				m["x"] = 1
				return nil, nil
			}},
		&Command{Name: "val", Summary: "a tuple", Group: "t", Args: []Arg{Opt("X", nil)},
			Run: func(c *Call) (any, error) { c.Python("f(%s)", StrRepr(c.Arg(0))); return Tuple{c.Arg(0), 80}, nil }},
		&Command{Name: "refused", Summary: "an errno", Group: "t",
			Run: func(c *Call) (any, error) { return nil, syscall.ECONNREFUSED }},
		&Command{Name: "rows", Summary: "a table", Group: "t",
			Run: func(c *Call) (any, error) {
				return &Rows{Header: []string{"name", "port"}, Rows: [][]any{{"http", 80}, {"evil\x1b[2J", 1}}}, nil
			}},
	)
	t.Add(Builtins()...)
	var out, errs bytes.Buffer
	return NewSession(t, &out, &errs), &out, &errs
}

// described is an error of a library that knows its Python class.
type described struct {
	x   pyerr.Exception
	err error
}

func (d *described) Error() string           { return d.x.String() }
func (d *described) Unwrap() error           { return d.err }
func (d *described) Python() pyerr.Exception { return d.x }

func render(t *testing.T, header []string, rows [][]string, width int) string {
	t.Helper()
	var b bytes.Buffer
	if err := renderTable(&b, header, rows, width); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
