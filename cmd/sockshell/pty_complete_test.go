package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Issue 7 item 23 on a real terminal: Tab completes a file path (through a
// directory whose name has a space) and the completed line runs.
func TestTabCompletesPathsOnPTY(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "my dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "my dir", "script.sock"), []byte("servport gopher tcp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("source " + dir + "/my\t")
	sc.Expect(regexp.QuoteMeta(`my\ dir/`))
	sc.Type("scr\t")
	sc.Expect(`script\.sock`)
	sc.Type("\r")
	sc.Expect(`\r\n70\r\n`)
	sc.Expect(prompt)

	// A host name from /etc/hosts (localhost is in every hosts file this
	// test runs with; the completion never asks DNS).
	if hosts, _ := os.ReadFile("/etc/hosts"); regexp.MustCompile(`(?m)^\S+\s+(.*\s)?localhost(\s|$)`).Match(hosts) {
		sc.Type("socket tcp\r")
		sc.Expect(`s1  <socket`)
		sc.Expect(prompt)
		sc.Type("connect s1 localh\t")
		sc.Expect(`connect s1 localhost`)
		sc.Type("\x03")
		sc.Expect(`\^C\r\n`)
		sc.Expect(prompt)
	}
	sc.Type("exit\r")
	if code := sc.Exit(); code != 0 {
		t.Errorf("exit: status %d", code)
	}
}
