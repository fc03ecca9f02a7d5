package shell

import (
	"io"
	"testing"
)

// TestPromptInput: a Read blocked on the keys returns the wake rune when
// woken; the keys typed meanwhile come next, none lost; many wakes before
// a Read are one; unwake takes a wake back; a short buffer gets the rest
// on the next Read; Close ends it with io.EOF.
func TestPromptInput(t *testing.T) {
	pr, pw := io.Pipe()
	in := newPromptInput(pr)
	buf := make([]byte, 64)
	got := make(chan string)
	read := func() {
		n, err := in.Read(buf)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		got <- string(buf[:n])
	}
	go read()
	in.wake() // the Read is blocked on the keys, or about to be
	if s := <-got; s != string(wakeRune) {
		t.Fatalf("woken Read returned %q", s)
	}
	go pw.Write([]byte("sock"))
	go read()
	if s := <-got; s != "sock" {
		t.Fatalf("the keys after a wake: %q", s)
	}
	in.wake()
	in.wake()
	go read()
	if s := <-got; s != string(wakeRune) {
		t.Fatalf("after two wakes: %q", s)
	}
	in.wake()
	in.unwake()
	go pw.Write([]byte("et"))
	go read()
	if s := <-got; s != "et" {
		t.Fatalf("a wake taken back still came: %q", s)
	}
	go pw.Write([]byte("abc"))
	small := make([]byte, 2)
	if n, err := in.Read(small); err != nil || string(small[:n]) != "ab" {
		t.Fatalf("short buffer: %q, %v", small[:n], err)
	}
	if n, err := in.Read(small); err != nil || string(small[:n]) != "c" {
		t.Fatalf("the rest: %q, %v", small[:n], err)
	}
	in.Close()
	if _, err := in.Read(buf); err != io.EOF {
		t.Errorf("Read after Close: %v, want io.EOF", err)
	}
}
