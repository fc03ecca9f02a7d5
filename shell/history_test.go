package shell

import (
	"context"
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
	_, err := s.openHistory(path, func(string) {})
	if err == nil || err.Error() != path+": a line is over 1 MiB" {
		t.Errorf("error %v", err)
	}
	if len(s.History) != 0 {
		t.Errorf("history half loaded: %d lines", len(s.History))
	}
}

// history N takes a whole number of lines: 1e3 and 10x are refused, not
// read as 1 and 10.
func TestHistoryCountIsAWholeNumber(t *testing.T) {
	s, out, _ := testSession()
	s.History = []string{"a", "b", "c"}
	for _, bad := range []string{"1e3", "10x", "-1", "0x2", "2147483648"} {
		out.Reset()
		err := s.Exec(context.Background(), "history "+bad, "")
		if err == nil || err.Class != "UsageError" || !strings.Contains(err.Msg, "N is a number from 0 to 2147483647") {
			t.Errorf("history %s: error %v, printed %q", bad, err, out.String())
		}
	}
	out.Reset()
	if err := s.Exec(context.Background(), "history 2", ""); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "    2  b\n    3  c\n" {
		t.Errorf("history 2 printed %q", got)
	}
}

// A history line over 64 KiB (bufio.Scanner's default) is loaded, and the
// lines after it too.
func TestHistoryFileWithALongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	long := "send s1 " + strings.Repeat("x", 200<<10)
	if err := os.WriteFile(path, []byte("servport http\n"+long+"\nsockets\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewSession(NewTable(), nil, nil)
	h, err := s.openHistory(path, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	h.close()
	if len(s.History) != 3 || s.History[1] != long || s.History[2] != "sockets" {
		t.Errorf("loaded %d lines", len(s.History))
	}
}
