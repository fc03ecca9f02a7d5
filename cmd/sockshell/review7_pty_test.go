package main

import (
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
