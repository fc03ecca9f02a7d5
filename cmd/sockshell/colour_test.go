package main

// Colour: only on a terminal, never with a non-empty NO_COLOR, and what
// set says of NO_COLOR is what the shell does.

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Colour only on a terminal, and never with NO_COLOR set.
func TestColourOnATerminal(t *testing.T) {
	const red = "\x1b[31mOSError"
	sc := startScreenEnv(t, nil)
	sc.Expect(">>> ")
	sc.Type("servport nosuch\r")
	sc.Expect("service/proto not found")
	if !strings.Contains(sc.raw(), red) {
		t.Errorf("no red error on a terminal: %q", sc.raw())
	}
	sc.Type("set color\r")
	sc.Expect("color = on")

	nc := startScreen(t) // NO_COLOR=1
	nc.Expect(">>> ")
	nc.Type("servport nosuch\r")
	nc.Expect("service/proto not found")
	nc.Type("set color on\r")
	nc.Expect("colour is off for good")
	if strings.Contains(nc.raw(), "\x1b[31m") {
		t.Errorf("colour with NO_COLOR set: %q", nc.raw())
	}

	// NO_COLOR with an empty value is not set (no-color.org): colour stays on.
	empty := startScreenEnv(t, []string{"NO_COLOR="})
	empty.Expect(">>> ")
	empty.Type("servport nosuch\r")
	empty.Expect("service/proto not found")
	empty.Type("set color\r")
	empty.Expect("color = on")
	if !strings.Contains(empty.raw(), red) {
		t.Errorf("no colour with NO_COLOR empty: %q", empty.raw())
	}

	// Piped output is never coloured, NO_COLOR or not.
	cmd := exec.Command(sockshellBinary(t), "-c", "servport nosuch")
	cmd.Env = append(filteredEnv(), "HOME="+t.TempDir())
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "\x1b") {
		t.Errorf("colour in a pipe: %q", out)
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
