package commands

// The lessons' progress file (lesson_state.go): mode 0600 whatever the
// umask, a link there replaced and never followed, and a state directory
// that cannot be written said once a session, with the lesson going on.

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

func TestLessonStateFileIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	file := filepath.Join(dir, "lessons.json")
	victim := filepath.Join(t.TempDir(), "bashrc")
	os.WriteFile(victim, []byte("precious"), 0o600)
	os.Symlink(victim, file)
	tm := newTerm(t)
	if err := SetupLessons(tm.Session, LessonOptions{StateFile: file}); err != nil {
		t.Fatal(err)
	}
	tm.MustExec("lesson 1")
	tm.MustExec("socket tcp")
	testenv.WantFile(t, victim, "precious")
	st, err := os.Lstat(file)
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v (%v), want a regular file with mode 0600", file, st.Mode(), err)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), `"step":1`) {
		t.Errorf("state file %q", b)
	}
	if names := testenv.DirNames(t, dir); len(names) != 1 {
		t.Errorf("state directory holds %v", names)
	}
}

func TestLessonStateUnwritableSaidOnce(t *testing.T) {
	file := filepath.Join(testenv.ReadOnlyDir(t, nil), "sockshell", "lessons.json")
	tm := newTerm(t)
	if err := SetupLessons(tm.Session, LessonOptions{StateFile: file}); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, line := range []string{"lesson 1", "socket tcp", "close all", "lesson 1"} {
		out := tm.MustExec(line)
		all.WriteString(out)
	}
	if n := strings.Count(all.String(), "progress is not saved"); n != 1 || !strings.Contains(all.String(), "Read-only file system") {
		t.Fatalf("%d notes of the unsaved progress, want 1:\n%s", n, all.String())
	}
}

// TestLessonStateReadByTheFirstLesson: the progress file is read when the
// lessons are first used, not at the start (a one-shot -c run never reads
// it): progress saved after the session started, and before its first
// lesson command, is what that command shows; once read, it is not read
// again.
func TestLessonStateReadByTheFirstLesson(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lessons.json")
	tm := newTerm(t)
	if err := SetupLessons(tm.Session, LessonOptions{StateFile: file}); err != nil {
		t.Fatal(err)
	}
	tm.MustExec("servport http tcp")
	if err := os.WriteFile(file, []byte(`{"lesson":1,"step":1}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if list := tm.MustExec("lesson"); !strings.Contains(list, "at step 2") {
		t.Fatalf("the list does not show the progress saved before the first lesson command:\n%s", list)
	}
	if err := os.WriteFile(file, []byte(`{"lesson":2,"step":0}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if list := tm.MustExec("lesson"); !strings.Contains(list, "at step 2") || strings.Count(list, "at step") != 1 {
		t.Fatalf("the progress was read again, or lost:\n%s", list)
	}
}
