package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A history file the shell cannot read says which file and why, once.
func TestHistoryFileWithAHugeLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(path, []byte("servport http\n"+strings.Repeat("x", 2<<20)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewSession(NewTable(), nil, nil)
	_, err := s.openHistory(path)
	if err == nil || err.Error() != path+": a line is over 1 MiB" {
		t.Errorf("error %v", err)
	}
	if len(s.History) != 0 {
		t.Errorf("history half loaded: %d lines", len(s.History))
	}
}
