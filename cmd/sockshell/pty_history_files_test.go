package main

// The history file at the real prompt (issue 14, Files): a state directory
// that cannot be written (a read-only file system, so root is refused too)
// costs one warning for the whole session, the lines already there are
// still recalled with Up, and the shell goes on; a history file found
// wider than 0600 is made 0600.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

func TestHistoryUnwritableStateDirOnPTY(t *testing.T) {
	xdg := testenv.ReadOnlyDir(t, map[string]string{"sockshell/history": "servport 5099\n"})
	sc := startScreenEnv(t, []string{"NO_COLOR=1", "XDG_STATE_HOME=" + xdg})
	sc.Expect(`warning: history is not saved from now on \(.*read-only file system\)`)
	sc.Expect(prompt)
	sc.Enter("servport http")
	sc.Expect(`80\r\n`)
	sc.Enter("servname 53 udp")
	sc.Expect(`'domain'`)
	sc.Expect(prompt)
	sc.Type("\x1b[A\x1b[A\x1b[A")
	sc.Expect(`servport 5099`)
	sc.Type("\x03")
	sc.Expect(`\^C\r\n`)
	sc.Enter("exit")
	if code := sc.Exit(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if n := strings.Count(sc.text(), "history is not saved"); n != 1 {
		t.Errorf("%d warnings about the history, want 1", n)
	}
	testenv.WantFile(t, filepath.Join(xdg, "sockshell", "history"), "servport 5099\n")
}

func TestHistoryFileMadePrivateOnPTY(t *testing.T) {
	xdg := t.TempDir()
	hist := filepath.Join(xdg, "sockshell", "history")
	os.MkdirAll(filepath.Dir(hist), 0o700)
	if err := os.WriteFile(hist, []byte("servport 5099\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(hist, 0o644)
	sc := startScreenEnv(t, []string{"NO_COLOR=1", "XDG_STATE_HOME=" + xdg})
	sc.Expect(`note: .*history was mode 0644, which let others read what you typed; it is now 0600`)
	sc.Expect(prompt)
	sc.Enter(" servport http") // a leading space: not saved
	sc.Expect(`80\r\n`)
	sc.Enter("exit")
	sc.Exit()
	st, err := os.Stat(hist)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("history mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	testenv.WantFile(t, hist, "servport 5099\nexit\n")
}
