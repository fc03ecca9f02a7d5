package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 7 item 22: a line recalled with Ctrl-R and run with Enter is kept in
// the history as the line that ran, in this session and the next one.
// (readline v1.5.1 saves the recalled entry's edit buffer, which a search
// never fills, instead of the line it is given; see shell/history.go.)
func TestCtrlRRecallIsKeptInHistory(t *testing.T) {
	xdg := t.TempDir()
	hist := filepath.Join(xdg, "sockshell", "history")
	if err := os.MkdirAll(filepath.Dir(hist), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hist, []byte("servport http tcp\nservname 53 udp\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	sc2 := startScreenEnv(t, []string{"NO_COLOR=1", "XDG_STATE_HOME=" + xdg})
	sc2.Expect(prompt)
	sc2.Type("\x12")
	sc2.Expect(`bck-i-search`)
	sc2.Type("servp")
	sc2.Expect(`servport http tcp`)
	sc2.Type("\r")
	sc2.Expect(`\r\n80\r\n`)
	sc2.Expect(prompt)
	// Up in the same session recalls the line that just ran.
	sc2.Type("\x1b[A")
	sc2.Expect(`servport http tcp`)
	sc2.Type("\x03")
	sc2.Expect(`\^C\r\n`)
	sc2.Expect(prompt)
	sc2.Type("exit\r")
	if code := sc2.Exit(); code != 0 {
		t.Fatalf("exit: status %d", code)
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	want := "servport http tcp\nservname 53 udp\nservport http tcp\nexit\n"
	if string(data) != want {
		t.Errorf("history file %q, want %q", data, want)
	}
	if strings.Contains(string(data), "\n\n") {
		t.Errorf("an empty line in the history file: %q", data)
	}

	// The next session's Up gives the last line, then the recalled one.
	sc3 := startScreenEnv(t, []string{"NO_COLOR=1", "XDG_STATE_HOME=" + xdg})
	sc3.Expect(prompt)
	sc3.Type("\x1b[A\x1b[A")
	sc3.Expect(`servport http tcp`)
	sc3.Type("\r")
	sc3.Expect(`\r\n80\r\n`)
	sc3.Expect(prompt)
	// An abandoned edit of a recalled line (Up, typing, Ctrl-C) is not what
	// a later Ctrl-R and Enter of that line stores.
	sc3.Type("\x1b[A")
	sc3.Expect(`servport http tcp`)
	sc3.Type(" udp")
	sc3.Expect(`udp`)
	sc3.Type("\x03")
	sc3.Expect(`\^C\r\n`)
	sc3.Expect(prompt)
	sc3.Type("servname 53 udp\r")
	sc3.Expect(`'domain'`)
	sc3.Expect(prompt)
	sc3.Type("\x12servp")
	sc3.Expect(`servport http tcp`)
	sc3.Type("\r")
	sc3.Expect(`\r\n80\r\n`)
	sc3.Expect(prompt)
	sc3.Type("exit\r")
	sc3.Exit()
	data, err = os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	want += "servport http tcp\nservname 53 udp\nservport http tcp\nexit\n"
	if string(data) != want {
		t.Errorf("history file %q, want %q", data, want)
	}
}

// A history file over the limit is cut to its newest lines and stays 0600
// (readline rewrote it through a file made 0666 less the umask).
func TestLongHistoryStaysPrivate(t *testing.T) {
	xdg := t.TempDir()
	hist := filepath.Join(xdg, "sockshell", "history")
	if err := os.MkdirAll(filepath.Dir(hist), 0o700); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range 5100 {
		fmt.Fprintf(&b, "servport %d\n", i)
	}
	if err := os.WriteFile(hist, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := startScreenEnv(t, []string{"NO_COLOR=1", "XDG_STATE_HOME=" + xdg})
	sc.Expect(prompt)
	sc.Type("\x1b[A")
	sc.Expect(`servport 5099`)
	sc.Type("\x03")
	sc.Expect(`\^C\r\n`)
	sc.Expect(prompt)
	sc.Type("exit\r")
	sc.Exit()
	fi, err := os.Stat(hist)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v after the rewrite, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 5001 || lines[0] != "servport 100" || lines[5000] != "exit" {
		t.Errorf("%d lines, first %q, last %q; want 5001 from servport 100 to exit", len(lines), lines[0], lines[len(lines)-1])
	}
	matches, _ := filepath.Glob(filepath.Join(xdg, "sockshell", "*"))
	if len(matches) != 1 {
		t.Errorf("files left beside the history: %q", matches)
	}
}
