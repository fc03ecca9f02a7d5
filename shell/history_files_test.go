package shell

// The history file (history.go, issue 14 Files): made 0600, a wider one
// made 0600 with one note, and a history the shell cannot write (a
// read-only file system, a full one) costing one warning, however many
// lines follow, while the session goes on with its lines in memory.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// warnings collects what openHistory warns of.
type warnings []string

func (w *warnings) add(s string) { *w = append(*w, s) }

func TestHistoryFileMadePrivate(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new", "history")
	wide := filepath.Join(dir, "history")
	os.WriteFile(wide, []byte("servport http\n"), 0o644)
	for _, tc := range []struct {
		path  string
		notes int
	}{{fresh, 0}, {wide, 1}, {wide, 0}} {
		var w warnings
		s := NewSession(NewTable(), nil, nil)
		h, err := s.openHistory(tc.path, w.add)
		if err != nil {
			t.Fatal(err)
		}
		h.add("sockets")
		h.close()
		st, err := os.Stat(tc.path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v (%v), want 0600", tc.path, st.Mode().Perm(), err)
		}
		if len(w) != tc.notes || tc.notes == 1 && !strings.Contains(w[0], "was mode 0644") {
			t.Errorf("%s: notes %q, want %d", tc.path, w, tc.notes)
		}
	}
	if st, _ := os.Stat(filepath.Dir(fresh)); st.Mode().Perm() != 0o700 {
		t.Errorf("the state directory made with mode %v, want 0700", st.Mode().Perm())
	}
	testenv.WantFile(t, wide, "servport http\nsockets\nsockets\n")
}

// TestHistoryUnwritable: on a read-only file system the lines there are
// loaded (Up and Ctrl-R still find them) and one warning says new ones are
// not saved; on a full one the first line that does not fit is the one
// warning. Three more lines add none.
func TestHistoryUnwritable(t *testing.T) {
	for _, tc := range []struct {
		name, dir, why string
	}{
		{"read-only", testenv.ReadOnlyDir(t, map[string]string{"sockshell/history": "servport http\n"}), "read-only file system"},
		{"full", testenv.FullDisk(t, map[string]string{"sockshell/history": "servport http\n"}), "no space left on device"},
		{"no directory", filepath.Join(testenv.ReadOnlyDir(t, nil), "state"), "read-only file system"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(tc.dir, "sockshell", "history")
			var w warnings
			s := NewSession(NewTable(), nil, nil)
			h, err := s.openHistory(path, w.add)
			if tc.name == "no directory" {
				// Nothing to read: history off, said once by the prompt.
				if err == nil || !strings.Contains(err.Error(), "read-only file system") {
					t.Fatalf("openHistory: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer h.close()
			if len(s.History) != 1 || s.History[0] != "servport http" {
				t.Errorf("loaded %q", s.History)
			}
			for _, l := range []string{"sockets", "servname 53 udp", strings.Repeat("x", 70<<10), "history"} {
				h.add(l)
			}
			if len(w) != 1 || !strings.Contains(w[0], tc.why) || !strings.Contains(w[0], "not saved from now on") {
				t.Fatalf("warnings %q, want one saying %q", w, tc.why)
			}
			if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "servport http\n") {
				t.Errorf("the file now holds %.60q", b)
			}
		})
	}
}
