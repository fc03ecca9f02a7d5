package commands

// Every command that writes a file, through the command path, with real
// files (issue 14, Files): recv --out, gopher --out, export python, view
// --snapshot, record, wire save and wire SOCK --svg. For each: an existing file is never
// replaced without --force; a symbolic link planted at the target is never
// followed (refused without --force, replaced itself with it, the file it
// names untouched); a write that fails (a full file system: a small tmpfs,
// really full) leaves no file and no temporary file, and an existing file
// as it was. Cancels and resets in the middle of a transfer are in
// files_test.go and download_test.go; the mechanism is shell/fileio.

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// fileWriter is one command that writes a file.
type fileWriter struct {
	name string
	// session makes the session the command runs in (wire save needs
	// the wire on).
	session func(t *testing.T) *sockSession
	// lines are the lines that write path; the last one puts the file in
	// place. Each call may set up what it needs first (a connection).
	lines func(t *testing.T, ss *sockSession, path string) []string
	// wrote checks that path holds what the command writes.
	wrote func(t *testing.T, path string)
}

func fileWriters() []fileWriter {
	startsWith := func(prefix string) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			t.Helper()
			b, err := os.ReadFile(path)
			if err != nil || !bytes.HasPrefix(b, []byte(prefix)) {
				t.Fatalf("%s holds %.40q (%v), want what the command writes (%q…)", path, b, err, prefix)
			}
		}
	}
	return []fileWriter{
		{name: "recv --out", session: newSockSession,
			lines: func(t *testing.T, ss *sockSession, path string) []string {
				_, port := ss.serve("echo 127.0.0.1:0")
				name, _, _ := strings.Cut(ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port)), " ")
				ss.MustExec("sendall " + name + " hello")
				ss.MustExec("shutdown " + name + " wr")
				return []string{"recv " + name + " --out " + path}
			},
			wrote: func(t *testing.T, path string) { testenv.WantFile(t, path, "hello") }},
		{name: "gopher --out", session: newSockSession,
			lines: func(t *testing.T, ss *sockSession, path string) []string {
				port := gopherFake(t, func(c net.Conn, sel string) { c.Write([]byte("the new content")) })
				return []string{fmt.Sprintf("gopher 127.0.0.1 /x.bin %d --out %s", port, path)}
			},
			wrote: func(t *testing.T, path string) { testenv.WantFile(t, path, "the new content") }},
		{name: "export python", session: newSockSession,
			lines: func(t *testing.T, ss *sockSession, path string) []string {
				ss.MustExec("servport http")
				return []string{"export python " + path}
			},
			wrote: startsWith("#!/usr/bin/env python3\n")},
		{name: "view --snapshot", session: newSockSession,
			lines: func(t *testing.T, ss *sockSession, path string) []string {
				return []string{"view --snapshot " + path}
			},
			wrote: startsWith("<!DOCTYPE html>")},
		{name: "record", session: newSockSession,
			lines: func(t *testing.T, ss *sockSession, path string) []string {
				return []string{"record " + path, "servport http", "record off"}
			},
			wrote: startsWith(`{"type":"header"`)},
		{name: "wire save", session: wireSession,
			lines: func(t *testing.T, ss *sockSession, path string) []string {
				_, port := ss.serve("echo 127.0.0.1:0")
				name, _, _ := strings.Cut(ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port)), " ")
				ss.MustExec("sendall " + name + " hello")
				ss.MustExec("recv " + name)
				return []string{"wire save " + path}
			},
			wrote: func(t *testing.T, path string) {
				// The pcap magic in the machine's order (little-endian here).
				startsWith("\xd4\xc3\xb2\xa1")(t, path)
			}},
		{name: "wire --svg", session: wireSession,
			lines: func(t *testing.T, ss *sockSession, path string) []string {
				_, port := ss.serve("echo 127.0.0.1:0")
				name, _, _ := strings.Cut(ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port)), " ")
				ss.MustExec("sendall " + name + " hello")
				ss.MustExec("recv " + name)
				return []string{"wire " + name + " --svg " + path}
			},
			wrote: startsWith("<svg")},
	}
}

// runWriter runs the writer's lines for path with the given extra flags
// on the line that names the file; it returns the errors shown.
func runWriter(t *testing.T, ss *sockSession, w fileWriter, path, flags string) string {
	t.Helper()
	var errs strings.Builder
	for _, line := range w.lines(t, ss, path) {
		if strings.Contains(line, path) {
			line += flags
		}
		_, e := ss.Exec(line)
		errs.WriteString(e)
	}
	return errs.String()
}

// wantOnly fails unless dir holds exactly the names given (no temporary
// file, no partial file).
func wantOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	if got := testenv.DirNames(t, dir); strings.Join(got, " ") != strings.Join(names, " ") {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}

// TestWritersNeverOverwriteWithoutForce: FileExistsError and the file as
// it was; --force replaces it with the command's output.
func TestWritersNeverOverwriteWithoutForce(t *testing.T) {
	for _, w := range fileWriters() {
		t.Run(w.name, func(t *testing.T) {
			ss := w.session(t)
			dir := t.TempDir()
			file := filepath.Join(dir, "out")
			os.WriteFile(file, []byte("precious"), 0o644)
			errs := runWriter(t, ss, w, file, "")
			if !strings.HasPrefix(errs, "FileExistsError: [Errno 17] File exists: "+shell.StrRepr(file)) {
				t.Fatalf("%s over an existing file: %q, want FileExistsError", w.name, errs)
			}
			testenv.WantFile(t, file, "precious")
			wantOnly(t, dir, "out")
			if errs := runWriter(t, ss, w, file, " --force"); errs != "" {
				t.Fatalf("%s --force: %q", w.name, errs)
			}
			w.wrote(t, file)
			wantOnly(t, dir, "out")
		})
	}
}

// TestWritersNeverFollowALink: a link planted at the target, to a file in
// another directory, is refused without --force (FileExistsError, the hint
// says it is a link); --force replaces the link itself with a regular
// file. The file the link names is never written.
func TestWritersNeverFollowALink(t *testing.T) {
	for _, w := range fileWriters() {
		t.Run(w.name, func(t *testing.T) {
			ss := w.session(t)
			victim := filepath.Join(t.TempDir(), "bashrc")
			os.WriteFile(victim, []byte("precious"), 0o600)
			dir := t.TempDir()
			link := filepath.Join(dir, "out")
			if err := os.Symlink(victim, link); err != nil {
				t.Fatal(err)
			}
			errs := runWriter(t, ss, w, link, "")
			if !strings.HasPrefix(errs, "FileExistsError: [Errno 17] File exists: "+shell.StrRepr(link)) || !strings.Contains(errs, "symbolic link") {
				t.Fatalf("%s over a link: %q, want FileExistsError naming the link", w.name, errs)
			}
			testenv.WantFile(t, victim, "precious")
			if to, err := os.Readlink(link); err != nil || to != victim {
				t.Fatalf("the link became %q (%v)", to, err)
			}
			if errs := runWriter(t, ss, w, link, " --force"); errs != "" {
				t.Fatalf("%s --force over a link: %q", w.name, errs)
			}
			testenv.WantFile(t, victim, "precious")
			if st, err := os.Lstat(link); err != nil || !st.Mode().IsRegular() {
				t.Fatalf("after --force %s is %v (%v), want a regular file in the link's place", link, st.Mode(), err)
			}
			w.wrote(t, link)
			wantOnly(t, dir, "out")
		})
	}
}

// TestWritersLeaveNothingOnAFullDisk: on a file system with no room
// left, the command fails with Python's OSError for ENOSPC, and leaves no
// file and no temporary file; with --force, the existing file as it was.
func TestWritersLeaveNothingOnAFullDisk(t *testing.T) {
	for _, w := range fileWriters() {
		t.Run(w.name, func(t *testing.T) {
			ss := w.session(t)
			dir := testenv.FullDisk(t, map[string]string{"old": "precious"})
			file := filepath.Join(dir, "new")
			errs := runWriter(t, ss, w, file, "")
			if !strings.Contains(errs, "OSError: [Errno 28] No space left on device") {
				t.Fatalf("%s on a full disk: %q, want ENOSPC", w.name, errs)
			}
			wantOnly(t, dir, "filler", "old")
			old := filepath.Join(dir, "old")
			if errs := runWriter(t, ss, w, old, " --force"); !strings.Contains(errs, "[Errno 28]") {
				t.Fatalf("%s --force on a full disk: %q, want ENOSPC", w.name, errs)
			}
			testenv.WantFile(t, old, "precious")
			wantOnly(t, dir, "filler", "old")
		})
	}
}

// TestRecvOutPeerResetLeavesNothing: a peer that sends some bytes and then
// resets the connection: ConnectionResetError, no file and no temporary
// file; with --force over an existing file, the file as it was.
func TestRecvOutPeerResetLeavesNothing(t *testing.T) {
	for _, force := range []bool{false, true} {
		ss := newSockSession(t)
		port := sockGoPeer(t, func(c *net.TCPConn) {
			c.Read(make([]byte, 1)) // the go: after connect has returned
			c.Write([]byte("half of it"))
			c.SetLinger(0)
		})
		dir := t.TempDir()
		file := filepath.Join(dir, "out")
		flags, want := "", []string(nil)
		if force {
			os.WriteFile(file, []byte("precious"), 0o644)
			flags, want = " --force", []string{"out"}
		}
		ss.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
		ss.MustExec("send s1 go")
		_, errs := ss.Exec("recv s1 --out " + file + flags)
		if !strings.HasPrefix(errs, "ConnectionResetError: [Errno 104]") {
			t.Fatalf("recv --out%s from a peer that resets: %q", flags, errs)
		}
		wantOnly(t, dir, want...)
		if force {
			testenv.WantFile(t, file, "precious")
		}
	}
}
