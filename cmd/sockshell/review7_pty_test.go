package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

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

// What set says of NO_COLOR is what the shell does (no-color.org): an empty
// NO_COLOR leaves colour allowed, a non-empty one forbids it, and the words
// say "non-empty" (they said "when NO_COLOR is set").
func TestNoColorWords(t *testing.T) {
	bin := sockshellBinary(t)
	run := func(env string, line string) (string, error) {
		cmd := exec.Command(bin, "--no-history", "-c", line)
		cmd.Env = append(os.Environ(), env)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("NO_COLOR=", "set color on"); err != nil {
		t.Errorf("NO_COLOR= (empty): set color on: %v %s", err, out)
	}
	out, err := run("NO_COLOR=1", "set color on")
	if err == nil || !strings.Contains(out, "NO_COLOR is set to a non-empty value") {
		t.Errorf("NO_COLOR=1: set color on: %v %q", err, out)
	}
	if out, _ := run("NO_COLOR=1", "help set"); !strings.Contains(out, "never on when NO_COLOR is set to a non-empty value") {
		t.Errorf("help set: %q", out)
	}
}
