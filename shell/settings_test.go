package shell

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestSettingIsOneDeclaration: a family's setting, declared once, is
// listed, shown, changed with its own check, completed, and described by
// help set, with nothing else to edit.
func TestSettingIsOneDeclaration(t *testing.T) {
	tab := NewTable(Builtins()...)
	greeting := NewStateKey("greeting", func() string { return "hello" })
	tab.AddSettings(&Setting{
		Name: "greeting", Help: "what the test says: hello or bye",
		Values: []string{"hello", "bye"},
		Get:    func(s *Session) (string, any) { g := greeting.Get(s); return g, g },
		Set: func(s *Session, v string) error {
			if v != "hello" && v != "bye" {
				return Usagef("greeting is hello or bye, not %q", v)
			}
			greeting.With(s, func(g *string) { *g = v })
			return nil
		},
	})
	var out, errs bytes.Buffer
	s := NewSession(tab, &out, &errs)
	run := func(line string) string {
		t.Helper()
		out.Reset()
		errs.Reset()
		s.Exec(context.Background(), line, "")
		return out.String() + errs.String()
	}
	if got := run("set greeting"); got != "greeting = hello\n" {
		t.Errorf("set greeting: %q", got)
	}
	if got := run("set greeting bye"); got != "" {
		t.Errorf("set greeting bye: %q", got)
	}
	if got := run("set greeting"); got != "greeting = bye\n" {
		t.Errorf("after set: %q", got)
	}
	if got := run("set greeting hi"); got != "UsageError: greeting is hello or bye, not \"hi\"\n" {
		t.Errorf("a bad value: %q", got)
	}
	if got := run("set"); !strings.Contains(got, "| greeting | bye ") {
		t.Errorf("set lists:\n%s", got)
	}
	if got := run("set nosuch 1"); !strings.HasSuffix(got, "settings are format, timeout, explain, color, timing, prompt, greeting\n") {
		t.Errorf("an unknown setting: %q", got)
	}
	if got := run("help set"); !strings.Contains(got, "\n  greeting  what the test says: hello or bye\n") {
		t.Errorf("help set:\n%s", got)
	}
	if got, _ := s.Complete("set gr"); !reflect.DeepEqual(got, []string{"greeting"}) {
		t.Errorf("complete a name: %q", got)
	}
	if got, _ := s.Complete("set greeting "); !reflect.DeepEqual(got, []string{"bye", "hello"}) && !reflect.DeepEqual(got, []string{"hello", "bye"}) {
		t.Errorf("complete a value: %q", got)
	}
}

// TestTheShellKnowsNoDNS: the dns setting and its address checks belong to
// the name-service commands; the engine alone has no such setting.
func TestTheShellKnowsNoDNS(t *testing.T) {
	s := NewSession(NewTable(Builtins()...), &bytes.Buffer{}, &bytes.Buffer{})
	if err := s.Set("dns", "127.0.0.1"); err == nil || !strings.Contains(err.Error(), `no setting "dns"`) {
		t.Errorf("set dns in the bare shell: %v", err)
	}
}

// TestSettingsAreUnique: two settings of one name are a programming error.
func TestSettingsAreUnique(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a second timeout setting was accepted")
		}
	}()
	NewTable().AddSettings(&Setting{Name: "timeout"})
}
