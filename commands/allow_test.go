package commands

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAllowRefusesOutside: with set allow, every way a socket reaches an
// address outside the list is one PermissionError naming the setting,
// made before any system call (no Python line, no socket event); the
// addresses inside work. The targets refused are loopback addresses
// outside the list, so a broken guard still sends nothing off the machine.
func TestAllowRefusesOutside(t *testing.T) {
	ss := newSockSession(t)
	ss.Session.KeepGoing = true
	_, echo := ss.serve("echo")
	ss.MustExec("set allow 127.0.0.1,::1")
	if got := strings.TrimSpace(ss.MustExec("set allow")); got != "allow = 127.0.0.1,::1" {
		t.Fatalf("set allow shows %q", got)
	}
	ss.MustExec("socket tcp") // s1
	ss.MustExec("socket udp") // s2
	ss.MustExec("socket tcp") // s3
	ss.MustExec("explain on")
	for _, c := range []struct{ line, what string }{
		{"connect s1 127.0.0.3 80", "connect 127.0.0.3:80"},
		{"connect 127.0.0.3 80", "connect 127.0.0.3:80"},
		{"sendto s2 hi 127.0.0.3 9", "sendto 127.0.0.3:9"},
		{"bind s1 0.0.0.0 0", "bind 0.0.0.0:0"},
		{"listen s3", "listen 0.0.0.0:0"}, // unbound: the kernel would bind the wildcard
		{"serve echo 0.0.0.0:0", "serve 0.0.0.0:0"},
		{"gopher 127.0.0.3 / 70", "connect 127.0.0.3:70"},
		{"connect s1 ::ffff:127.0.0.3 80", "connect 127.0.0.3:80"},
		{"probe 127.0.0.3 80,81", "probe 127.0.0.3:80"},
		{"dns localhost --server 127.0.0.3:53", "query 127.0.0.3:53"},
		{"view 127.0.0.3:0", "serve 127.0.0.3:0"},
	} {
		before := lastSeq(ss.Session)
		out, errs := ss.Exec(c.line)
		if !strings.Contains(errs, "PermissionError: "+c.what) || !strings.Contains(errs, "is not allowed: set allow is 127.0.0.1,::1") || strings.Count(errs, "Error") != 1 {
			t.Errorf("%s: error %q, want one PermissionError for %s naming set allow", c.line, errs, c.what)
		}
		if strings.Contains(out, ">>> ") {
			t.Errorf("%s: a Python line for a call that never ran:\n%s", c.line, out)
		}
		for _, e := range eventsSince(ss.Session, before) {
			if e.Kind != "command" {
				t.Errorf("%s: event %s %s after a refusal", c.line, e.Kind, e.Message)
			}
		}
	}
	ss.MustExec("explain off")
	ss.MustExec("connect s1 127.0.0.1 " + strconv.Itoa(echo))
	ss.MustExec("bind s3 127.0.0.1 0")
	ss.MustExec("listen s3")
	ss.MustExec("set allow any")
	ss.MustExec("socket udp") // s4
	if _, errs := ss.Exec("sendto s4 hi 127.0.0.1 " + strconv.Itoa(echo)); errs != "" {
		t.Fatalf("set allow any still refuses: %s", errs)
	}
}

// TestAllowNames: a name in the list allows its addresses; a target name
// is resolved and its address checked, so a name that resolves outside
// is refused (dual.test is 127.0.0.1 and ::1 in the test's DNS server).
func TestAllowNames(t *testing.T) {
	dns := startDNSMasq(t)
	ss := newSockSession(t)
	ss.Session.KeepGoing = true
	ss.MustExec("set dns 127.0.0.1:" + dns)
	_, echo := ss.serve("echo")
	ss.MustExec("set allow dual.test")
	ss.MustExec("connect 127.0.0.1 " + strconv.Itoa(echo))
	ss.AssertExecError("connect 127.0.0.2 "+strconv.Itoa(echo), "PermissionError: connect 127.0.0.2:")
	ss.MustExec("set allow 127.0.0.2")
	ss.AssertExecError("connect dual.test "+strconv.Itoa(echo), "is not allowed: set allow is 127.0.0.2")
	ss.MustExec("socket tcp")
	ss.AssertExecError("connect s2 dual.test "+strconv.Itoa(echo), "PermissionError: connect 127.0.0.1:"+strconv.Itoa(echo)+" is not allowed")
	// Only the allowed of a name's addresses are tried.
	ss.MustExec("set allow ::1")
	ss.MustExec("serve echo [::1]:0")
	port6 := serverPort(t, ss.Session, "echo2")
	if out := ss.MustExec("connect dual.test " + strconv.Itoa(port6)); !strings.Contains(out, "'::1'") {
		t.Fatalf("connect dual.test with ::1 allowed:\n%s", out)
	}
}

// TestAllowFixedAndBadValues: FixAllow (sockshell --allow) cannot be
// changed from inside; a bad list is one usage error.
func TestAllowFixedAndBadValues(t *testing.T) {
	ss := newSockSession(t)
	for _, bad := range []string{"10.0.0.0/33", ",", "a_b", "127.0.0.1/x"} {
		ss.AssertExecError("set allow "+bad, "UsageError: allow takes addresses")
	}
	if err := FixAllow(ss.Session, "::1"); err != nil {
		t.Fatal(err)
	}
	ss.AssertExecError("set allow any", "UsageError: allow was fixed when sockshell started (--allow)")
	ss.MustExec("socket tcp")
	ss.AssertExecError("connect s1 127.0.0.1 80", "is not allowed: --allow (fixed when sockshell started) is ::1")
	if err := FixAllow(ss.Session, "300.1.1.1"); err == nil {
		t.Fatal("FixAllow took a bad address")
	}
}

// TestNotesListenBeyondLoopback: listen on an unbound socket (the kernel
// binds it to the wildcard) or on 0.0.0.0 says once that it listens beyond
// this machine; on loopback it says nothing.
func TestNotesListenBeyondLoopback(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("socket tcp")
	out := ss.MustExec("listen s1")
	if strings.Count(out, "listens beyond this machine (0.0.0.0, every address of this machine)") != 1 || !strings.Contains(out, "was not bound") {
		t.Fatalf("listen on an unbound socket:\n%s", out)
	}
	if a := ss.sockRow("s1")["local"]; !strings.Contains(a, "0.0.0.0") {
		t.Fatalf("the note says 0.0.0.0 but the socket is at %s", a)
	}
	ss.MustExec("socket tcp")
	ss.MustExec("bind s2 127.0.0.1 0")
	if out := ss.MustExec("listen s2"); strings.Contains(out, "beyond") {
		t.Fatalf("loopback listener noted:\n%s", out)
	}
	ss.MustExec("socket tcp inet6")
	ss.MustExec("bind s3 :: 0")
	if out := ss.MustExec("listen s3"); strings.Count(out, "listens beyond this machine (::, every address") != 1 || strings.Contains(out, "was not bound") {
		t.Fatalf("listen on [::]:\n%s", out)
	}
}

// TestNotesHiddenFiles: serving a directory with hidden files says so,
// once, naming them; and, as the note says, the server serves none.
func TestNotesHiddenFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.txt", ".secret", ".git/config"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ss := newSockSession(t)
	out := ss.MustExec("serve gopher " + dir)
	if strings.Count(out, "the directory holds hidden files (.git, .secret)") != 1 {
		t.Fatalf("serve gopher:\n%s", out)
	}
	port := serverPort(t, ss.Session, "gopher1")
	for _, sel := range []string{"/.secret", "/.git/config"} {
		ss.AssertExecError("gopher 127.0.0.1 "+sel+" "+strconv.Itoa(port), "Error")
	}
	if menu := ss.MustExec("gopher 127.0.0.1 / " + strconv.Itoa(port)); strings.Contains(menu, "secret") || !strings.Contains(menu, "a.txt") {
		t.Fatalf("the menu:\n%s", menu)
	}
	plain := t.TempDir()
	os.WriteFile(filepath.Join(plain, "b.txt"), []byte("y\n"), 0o644)
	if out := ss.MustExec("serve gopher " + plain); strings.Contains(out, "hidden") {
		t.Fatalf("a directory without hidden files noted:\n%s", out)
	}
}
