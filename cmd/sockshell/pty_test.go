package main

// The interactive prompt, on a real pseudo-terminal: the built binary runs
// with the pty as its controlling terminal, the test types keys and reads the
// screen (the screen harness is in helpers_test.go).

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPromptOnPTY(t *testing.T) {
	sc := startScreen(t)
	sc.Expect(`sockshell \S+: Python's socket module at a prompt`)
	sc.Expect(prompt)

	// Tab on a command prefix lists the commands it could be.
	sc.Type("serv\t")
	sc.Expect(`servport`)
	got := sc.text()
	for _, c := range []string{"servname", "services"} {
		if !strings.Contains(got, c) {
			t.Errorf("completion of serv does not offer %s", c)
		}
	}
	// The first Ctrl-C closes the list, the second clears the line.
	sc.Type("\x03")
	sc.Type("\x03")
	sc.Expect(`\^C`)
	sc.Expect(prompt)

	// Tab completes a service name: "ht" becomes "http".
	sc.Type("servport ht\t")
	sc.Expect(`servport http`)
	sc.Type(" tcp\r")
	sc.Expect(`\r\n80\r\n`)
	sc.Expect(prompt)

	sc.Type("servname 53 udp\r")
	sc.Expect(`'domain'`)
	sc.Expect(prompt)

	// Up arrow recalls the last line; Enter runs it again.
	sc.Type("\x1b[A")
	sc.Expect(`servname 53 udp`)
	sc.Type("\r")
	sc.Expect(`'domain'`)
	sc.Expect(prompt)

	// Ctrl-R searches back for an earlier line.
	sc.Type("\x12")
	sc.Expect(`bck-i-search|reverse-i-search|search`)
	sc.Type("port ht")
	sc.Expect(`servport http tcp`)
	sc.Type("\r")
	sc.Expect(`\r\n80\r\n`)
	sc.Expect(prompt)

	// A line that starts with a space stays out of the history file.
	sc.Type(" servport smtp tcp\r")
	sc.Expect(`\r\n25\r\n`)
	sc.Expect(prompt)

	// Ctrl-C on a half-typed line clears it; the next line runs alone.
	sc.Type("servport nosu")
	sc.Expect(`nosu`)
	sc.Type("\x03")
	sc.Expect(`\^C`)
	sc.Expect(prompt)
	sc.Type("servname 80 tcp\r")
	sc.Expect(`'http'`)
	sc.Expect(prompt)
	if strings.Contains(sc.text(), "OSError") {
		t.Errorf("the cleared line ran:\n%s", sc.text())
	}

	// Ctrl-C during a blocking lookup: KeyboardInterrupt, then a new prompt.
	bh, err := startBlackhole()
	if err != nil {
		t.Fatal(err)
	}
	defer bh.conn.Close()
	sc.Enter(fmt.Sprintf("set dns 127.0.0.1:%d; set timeout none", bh.port()))
	sc.Expect(prompt)
	sc.Type("resolve nosuch.test\r")
	if !bh.waitQuery(20 * time.Second) {
		t.Fatal("the lookup never reached the silent DNS server")
	}
	sc.Type("\x03")
	sc.Expect(`KeyboardInterrupt`)
	sc.Expect(prompt)
	// The same for a reverse lookup, which once waited out the resolver's
	// 5 s try (the limit is a hang guard, not a measure).
	before := bh.queries.Load()
	sc.Type("hostbyaddr 192.0.2.1\r")
	for deadline := time.Now().Add(20 * time.Second); bh.queries.Load() == before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the reverse lookup never reached the silent DNS server")
		}
	}
	sent := time.Now()
	sc.Type("\x03")
	sc.Expect(`KeyboardInterrupt`)
	if d := time.Since(sent); d > interruptGuard {
		t.Errorf("Ctrl-C took %v to end hostbyaddr (guard %v)", d.Round(time.Millisecond), interruptGuard)
	}
	sc.Expect(prompt)
	sc.Type("set dns system; servport http tcp\r")
	sc.Expect(`\r\n80\r\n`)
	sc.Expect(prompt)

	sc.Type("exit\r")
	if code := sc.Exit(); code != 0 {
		t.Errorf("exit: status %d, want 0", code)
	}

	// The history file: mode 0600, the typed lines, not the one with a space.
	hist := filepath.Join(sc.xdg, "sockshell", "history")
	fi, err := os.Stat(hist)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	h := string(data)
	for _, want := range []string{"servport http tcp", "servname 53 udp", "servname 80 tcp", "exit"} {
		if !strings.Contains(h, want+"\n") {
			t.Errorf("history lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "smtp") {
		t.Errorf("a line starting with a space is in the history:\n%s", h)
	}
	if strings.Contains(h, "servport nosu") {
		t.Errorf("a line cleared with Ctrl-C is in the history:\n%s", h)
	}
}

func TestCtrlDOnPTY(t *testing.T) {
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("servport http tcp\r")
	sc.Expect(`\r\n80\r\n`)
	sc.Expect(prompt)
	sc.Type("\x04")
	if code := sc.Exit(); code != 0 {
		t.Errorf("Ctrl-D: status %d, want 0", code)
	}
	// --no-history: no history file is made.
	if _, err := os.Stat(filepath.Join(sc.xdg, "sockshell", "history")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--no-history made a history file (stat: %v)", err)
	}
}

// A prompt set with control bytes reaches the terminal escaped: an OSC
// sequence in it (say from a sourced script) does not set the window title.
func TestPromptControlBytesEscaped(t *testing.T) {
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type(`set prompt '\x1b]0;PWNED\x07X> '` + "\r")
	sc.Expect(`X> `)
	if raw := sc.raw(); strings.Contains(raw, "\x1b]0;PWNED") {
		t.Errorf("the prompt's OSC sequence reached the terminal raw: %q", raw)
	}
	if !strings.Contains(sc.text(), `\x1b]0;PWNED\x07X> `) {
		t.Errorf("the prompt is not shown escaped: %q", sc.text())
	}
	sc.Type("exit\r")
	if code := sc.Exit(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}
