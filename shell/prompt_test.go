package shell

import (
	"io"
	"testing"
)

// Declared tokens are filled in each time; other braces stay as typed.
func TestPromptText(t *testing.T) {
	tab := NewTable()
	n := 0
	tab.AddPromptTokens(PromptToken{Name: "n", Value: func(*Session) string { n++; return string(rune('0' + n)) }})
	s := NewSession(tab, io.Discard, io.Discard)
	if got := s.PromptText(); got != ">>> " {
		t.Errorf("default prompt %q", got)
	}
	s.Settings.Prompt = "{n} {x} {n}} {"
	if got := s.PromptText(); got != "1 {x} 2} {" {
		t.Errorf("prompt %q", got)
	}
	if got := s.PromptText(); got != "3 {x} 4} {" {
		t.Errorf("drawn again: %q", got)
	}
}
