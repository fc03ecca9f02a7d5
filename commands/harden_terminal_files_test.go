package commands

// Issue 14: the terminal is safe from what files hold: file names with
// the attack bytes in every command that takes one, and a hostile
// recording replayed and checked (harden_terminal_more_test.go has the
// peers' paths).

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File names in errors: every command that writes or reads a file, given
// a name holding the attack bytes, for a file that exists (refused without
// --force) and in a directory that does not.
func TestTerminalSafeFileNames(t *testing.T) {
	dir := t.TempDir()
	name := attackLine()
	if len(name) > 200 {
		name = name[len(name)-200:] // NAME_MAX is 255 bytes
	}
	exists := filepath.Join(dir, name)
	if err := os.WriteFile(exists, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, name, name)
	port := sockGoPeer(t, func(c *net.TCPConn) { c.Write([]byte("hi")); c.CloseWrite(); io.Copy(io.Discard, c) })
	ss := newSockSession(t)
	ss.MustExec("set timeout 5")
	shown := ""
	for _, format := range []string{"python", "table", "json"} {
		ss.MustExec("set format " + format)
		ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
		sock := openSockets(ss.Session)[0]
		for _, f := range []string{exists, missing} {
			q := shellQuote(f)
			for _, line := range []string{"recv " + sock + " 100 --out " + q, "export python " + q, "record " + q,
				"view --snapshot " + q, "replay --check " + q, "replay " + q + " --auto 0", "wire save " + q,
				"tls " + sock + " --ca " + q, "source " + q} {
				out, errs := ss.Exec(line)
				checkSafe(t, format+": "+line, out+errs)
				shown += errs
			}
		}
		ss.Exec("close " + sock)
		checkSafe(t, format+": the event lines", strings.Join(ss.Events(), "\n"))
	}
	if !strings.Contains(shown, `\x1b]0;owned\x07`) {
		t.Errorf("no error quotes the file's name:\n%s", shown)
	}
}

// A hostile recording: a real one whose every text (the lines, what they
// printed, the events, the header's fields) has the attack bytes added,
// replayed (--auto) and checked (--check).
func TestTerminalSafeRecording(t *testing.T) {
	port := sockGoPeer(t, func(c *net.TCPConn) { io.WriteString(c, attack()); c.CloseWrite(); io.Copy(io.Discard, c) })
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec.jsonl")
	ss := newSockSession(t)
	ss.MustExec("set timeout 5")
	ss.MustExec("record " + rec)
	ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	ss.MustExec("recv s1 4096")
	ss.Exec("send s9 x")
	ss.MustExec("close s1")
	ss.MustExec("record off")
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	var hostile []string
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var v any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("the recording's line %q: %v", l, err)
		}
		b, _ := json.Marshal(poison(v, ""))
		hostile = append(hostile, string(b))
	}
	evil := filepath.Join(dir, "hostile.jsonl")
	os.WriteFile(evil, []byte(strings.Join(hostile, "\n")+"\n"), 0o600)
	for _, format := range []string{"python", "table", "json"} {
		ss.MustExec("set format " + format)
		for _, line := range []string{"replay --check " + evil, "replay " + evil + " --auto 0", "replay --check " + rec} {
			out, errs := ss.Exec(line)
			checkSafe(t, format+": "+line, out+errs)
		}
		checkSafe(t, format+": the event lines", strings.Join(ss.Events(), "\n"))
	}
}

// poison adds the attack bytes to every string in v but the record's type
// and format (which the reader must know to read on).
func poison(v any, key string) any {
	switch x := v.(type) {
	case string:
		if key == "type" || key == "format" {
			return x
		}
		return x + attack() + "\n>>> close all"
	case []any:
		for i := range x {
			x[i] = poison(x[i], key)
		}
	case map[string]any:
		for k := range x {
			x[k] = poison(x[k], k)
		}
	}
	return v
}
