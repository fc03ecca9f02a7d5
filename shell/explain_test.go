package shell

import (
	"context"
	"strings"
	"testing"
)

// A statement of several lines prints as the interpreter shows it, ended
// by a bare "..."; a command the shell refuses shows none of the Python it
// recorded, in text and in json.
func TestExplainPythonStatements(t *testing.T) {
	s, out, errs := testSession()
	s.Table.Add(
		&Command{Name: "block", Summary: "a with block", Group: "t",
			Run: func(c *Call) (any, error) {
				c.Python("with open('f', 'wb') as f:\n    f.write(b'x')")
				return None, nil
			}},
		&Command{Name: "picky", Summary: "refuses", Group: "t",
			Run: func(c *Call) (any, error) {
				c.Python("s1.settimeout(0)")
				return nil, Usagef("not here")
			}},
	)
	s.Exec(context.Background(), "explain on", "")
	out.Reset()
	s.Exec(context.Background(), "block", "")
	if want := ">>> with open('f', 'wb') as f:\n...     f.write(b'x')\n...\n"; out.String() != want {
		t.Errorf("block: %q, want %q", out.String(), want)
	}
	out.Reset()
	s.Exec(context.Background(), "picky", "")
	if out.String() != "" || !strings.HasPrefix(errs.String(), "UsageError: not here") {
		t.Errorf("picky: stdout %q, stderr %q", out.String(), errs.String())
	}
	errs.Reset()
	s.Exec(context.Background(), "set format json; picky", "")
	if strings.Contains(errs.String(), "python") || strings.Contains(out.String(), "settimeout") {
		t.Errorf("picky in json: stdout %q, stderr %q", out.String(), errs.String())
	}
}
