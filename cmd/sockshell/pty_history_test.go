package main

import (
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
