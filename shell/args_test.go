package shell

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

// A command is one declaration: its usage, its arity check, its Tab
// completion, the parsing of its words, help and the reference all come
// from its Args (here Forms) and nothing else.
func TestArgsOneDeclaration(t *testing.T) {
	var got []any // the values Run read
	var form int
	sock := &ArgKind{Name: "sock", Complete: func(*Session, string) []string { return []string{"s1", "s2"} },
		Match: func(_ *Session, w string) bool { return w == "s1" || w == "s2" },
		Parse: func(c *Call, name string, w Word) (any, error) {
			if w.Text != "s1" && w.Text != "s2" {
				return nil, Errorf("NameError", "name '%s' is not defined", w.Text)
			}
			return "socket " + w.Text, nil
		}}
	probe := &Command{Name: "probe", Group: "t", Summary: "t",
		Forms: [][]Arg{
			{Req("SOCK", sock), Opt("", Choices("how", "rd", "wr")), Opt("N", Int(1, 9, "1", "5")), OptFlag("hex")},
			{Lit("all")},
		},
		Flags: []Flag{{Name: "hex"}},
		Run: func(c *Call) (any, error) {
			got, form = nil, c.Form()
			for i := range c.NArg() {
				got = append(got, c.Value(i))
			}
			return None, nil
		}}
	tab := NewTable(probe)
	tab.Add(Builtins()...)
	var out, errs bytes.Buffer
	s := NewSession(tab, &out, &errs)

	const usage = "probe SOCK [rd|wr] [N] [--hex] | probe all"
	if u := probe.Usage(); u != usage {
		t.Errorf("usage %q, want %q", u, usage)
	}
	if lo, hi := probe.Arity(); lo != 1 || hi != 3 {
		t.Errorf("arity %d..%d, want 1..3", lo, hi)
	}
	run := func(line string) string {
		t.Helper()
		out.Reset()
		errs.Reset()
		got = nil
		s.Exec(context.Background(), line, "")
		return strings.TrimSpace(errs.String())
	}
	for line, want := range map[string]string{
		"probe":            "UsageError: missing argument; usage: " + usage,
		"probe s1 rd 1 2":  "UsageError: too many arguments; usage: " + usage,
		"probe s1 up":      `UsageError: "up" is not rd or wr; usage: ` + usage,
		"probe s1 rd 10":   "UsageError: N is a number from 1 to 9, not '10'; usage: " + usage,
		"probe s3":         "NameError: name 's3' is not defined",
		"probe s1 --bogus": "UsageError: unknown option --bogus; usage: " + usage,
	} {
		if e := run(line); e != want {
			t.Errorf("%s: error %q, want %q", line, e, want)
		}
		if got != nil {
			t.Errorf("%s: Run ran on words it refused: %v", line, got)
		}
	}
	// Words are parsed by their kinds; an optional argument the word cannot
	// be (N for a number is not rd|wr) is left out.
	for line, want := range map[string][]any{
		"probe s2":      {"socket s2"},
		"probe s1 WR 3": {"socket s1", "wr", 3},
		"probe s1 4":    {"socket s1", 4},
	} {
		if e := run(line); e != "" || !reflect.DeepEqual(got, want) || form != 0 {
			t.Errorf("%s: error %q, values %#v (form %d); want %#v in form 0", line, e, got, form, want)
		}
	}
	if e := run("probe all"); e != "" || form != 1 {
		t.Errorf("probe all: error %q, form %d; want form 1", e, form)
	}
	// Completion follows the same declaration.
	for line, want := range map[string][]string{
		"probe ":       {"all", "s1", "s2"},
		"probe s1 ":    {"1", "5", "rd", "wr"},
		"probe s1 r":   {"rd"},
		"probe s1 rd ": {"1", "5"},
		"probe all ":   nil,
	} {
		if c, _ := s.Complete(line); !reflect.DeepEqual(c, want) {
			t.Errorf("Complete(%q) = %q, want %q", line, c, want)
		}
	}
	// Help and the reference show the derived usage.
	if h := HelpText(probe); !strings.HasPrefix(h, "usage: "+usage+"\n") {
		t.Errorf("help: %q", h)
	}
	if md := tab.Markdown(); !strings.Contains(md, "### probe\n\n    "+usage+"\n") {
		t.Errorf("reference lacks the usage:\n%s", md)
	}
}

// Nested brackets and repeated arguments render as usage writes them.
func TestArgsUsageShapes(t *testing.T) {
	for _, c := range []struct {
		args []Arg
		want string
	}{
		{[]Arg{Req("SOCK", nil), Opt("LEVEL", nil).Nested(InNext), Opt("OPTION", nil)}, "x SOCK [[LEVEL] OPTION]"},
		{[]Arg{Opt("NAME", nil), Opt("VALUE", nil).Nested(InPrev)}, "x [NAME [VALUE]]"},
		{[]Arg{Many("SOCK", nil)}, "x SOCK..."},
		{[]Arg{Req("SOCK", nil), FlagHere("file"), Req("HOST", nil)}, "x SOCK --file FILE HOST"},
	} {
		cmd := &Command{Name: "x", Args: c.args, Flags: []Flag{{Name: "file", Value: true}}}
		if u := cmd.Usage(); u != c.want {
			t.Errorf("usage %q, want %q", u, c.want)
		}
	}
	if lo, hi := (&Command{Args: []Arg{Many("SOCK", nil)}}).Arity(); lo != 1 || hi != -1 {
		t.Errorf("SOCK...: arity %d..%d, want 1..no limit", lo, hi)
	}
}

// A group not declared by SetGroups is a programming error, found at once;
// help lists the groups in the declared order.
func TestGroupsDeclared(t *testing.T) {
	tab := NewTable()
	tab.SetGroups("B", "A")
	tab.Add(&Command{Name: "a", Group: "A"}, &Command{Name: "b", Group: "B"})
	if g := tab.Groups(); !reflect.DeepEqual(g, []Group{"B", "A"}) {
		t.Errorf("groups %q, want B then A", g)
	}
	defer func() {
		if recover() == nil {
			t.Error("a command of an undeclared group was added")
		}
	}()
	tab.Add(&Command{Name: "c", Group: "C"})
}
