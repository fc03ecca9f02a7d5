package commands

// The explain lines are Python (issue 7, item 10): a whole session runs
// through the shell with explain on, against the shell's own servers; the
// Python lines it shows are written to a file after `import socket` and run
// by python3 while those servers are still up. The file must run to the end,
// and Python's values must be the shell's where they can be the same.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell/testenv"
)

// explainStep is one command of the session and what the test checks of it.
type explainStep struct {
	line string // the command; $NAME is a value learned earlier in the session
	// cmp compares the Python value with the shell's output: "same" (its
	// repr is what the shell printed), "shape" (the same but for the
	// numbers: an ephemeral port), "text" (reply.decode() is the text the
	// shell printed), "file:NAME" (Python wrote the bytes the shell wrote to
	// NAME), "opts" (the getsockopt table's values are Python's dict's, the
	// buffer sizes aside: the kernel tunes them), or "" (not comparable).
	cmp string
	at  int    // with cmp "same"/"shape": which of the step's Python lines gives the value
	err string // the class the shell's error and Python's exception have
	// none: the command has no Python line (sockets, set format, a
	// command the shell refuses).
	none bool
}

var explainSession = []explainStep{
	{line: "explain on"},
	{line: "set format python", none: true},
	{line: "serve echo"},
	{line: "serve echo --udp"},
	{line: "serve gopher $GOPHERHOLE"},
	{line: "socket tcp"},
	{line: "connect s1 127.0.0.1 $PORT_echo1"},
	{line: "sockname s1", cmp: "shape"},
	{line: "peername s1", cmp: "same"},
	{line: `send s1 "hello\r\n"`, cmp: "same"},
	{line: "recv s1", cmp: "same"},
	{line: "sendall s1 world", cmp: "same", at: 1}, // prints the count, by the contract: len(data), as sendall returns None
	{line: "recv s1 100", cmp: "same"},
	{line: "setsockopt s1 TCP_NODELAY on"},
	{line: "getsockopt s1 TCP_NODELAY", cmp: "same"},
	{line: "setsockopt s1 SO_LINGER 1,2"},
	{line: "getsockopt s1 SO_LINGER", cmp: "same"},
	{line: "setsockopt s1 SO_RCVTIMEO 1.5"},
	{line: "getsockopt s1 SO_RCVTIMEO", cmp: "same"},
	{line: "getsockopt s1 SOL_SOCKET SO_TYPE", cmp: "same"},
	{line: "getsockopt s1", cmp: "opts"},
	{line: "settimeout s1 2.5"},
	{line: "settimeout s1 -1", err: "ValueError"},
	{line: "settimeout s1 nan", err: "ValueError"},
	{line: "settimeout s1 1e10", err: "OverflowError"},
	{line: "settimeout s1 1e400", err: "OverflowError"},
	{line: "settimeout s1 9e9"},
	{line: "settimeout s1 1e-10"},
	{line: "settimeout s1 none"},
	{line: "shutdown s1 wr"},
	{line: "recv s1", cmp: "same"},
	{line: "close s1"},
	{line: "connect 127.0.0.1 $PORT_echo1"},
	{line: "peername s2", cmp: "same"},
	{line: "sendfile s2 $FILE", cmp: "same"},
	{line: "recv s2", cmp: "same"},
	{line: "sendall s2 --file $FILE", cmp: "same", at: 2},
	{line: "recv s2", cmp: "same"},
	{line: "send s2 --file $FILE", cmp: "same"},
	{line: "recv s2", cmp: "same"},
	{line: "settimeout s2 0.2"},
	{line: "recv s2", err: "TimeoutError"},
	{line: "settimeout s2 0"},
	{line: "recv s2", err: "BlockingIOError"},
	{line: "connect 127.0.0.1 $CLOSED", err: "ConnectionRefusedError"},
	{line: "connect s2 ::1 80", err: "socket.gaierror"},
	{line: "socket udp"},
	{line: "sendto s3 ping 127.0.0.1 $PORT_echo2", cmp: "same"},
	{line: "recvfrom s3", cmp: "same"},
	{line: "recvfrom s3 -1", err: "ValueError"},
	{line: "recv s3 -1", err: "ValueError"},
	{line: "sendto s3 x 127.0.0.1 70000", err: "OverflowError"},
	{line: "sendto s3 x 127.0.0.1 nosuchservice", err: "OSError"},
	{line: "getsockopt s3", cmp: "opts"},
	{line: "socket udp inet6"},
	{line: "getsockopt s4", cmp: "opts"},
	{line: "bind s4 ::1 0"},
	{line: "socket udp"},
	{line: "bind s5 127.0.0.1 70000", err: "OverflowError"},
	{line: "bind s5 127.0.0.1 0"},
	{line: "sendto s3 hi 127.0.0.1 $PORT_s5", cmp: "same"},
	{line: "recvfrom s5", cmp: "shape"},
	{line: "socket tcp"},
	{line: "bind s6 127.0.0.1 0"},
	{line: "listen s6 5"},
	{line: "socket tcp"},
	{line: "connect s7 127.0.0.1 $PORT_s6"},
	{line: "connect 127.0.0.1 $PORT_s6"},
	{line: "accept s6"}, // s9, s7's peer: the first in the queue
	{line: "accept s6"}, // s10, s8's peer
	{line: "send s7 knock", cmp: "same"},
	{line: "recv s9", cmp: "same"},
	{line: "send s8 knock-knock", cmp: "same"},
	{line: "recv s10", cmp: "same"},
	{line: "peername s10", cmp: "shape"},
	{line: "fromfd $FD_s9"},
	{line: "peername s11", cmp: "shape"},
	{line: "close s11"},
	{line: "close s6 s7 s8"},
	{line: "servport http", cmp: "same"},
	{line: "servport domain udp", cmp: "same"},
	{line: "servport nosuchservice", err: "OSError"},
	{line: "servname 80 tcp", cmp: "same"},
	{line: "servname 53", cmp: "same"},
	{line: "services http"},
	{line: "resolve localhost", cmp: "same"},
	{line: "resolve --all localhost", cmp: "same"},
	{line: "addrinfo localhost 80 tcp", cmp: "same"},
	{line: "addrinfo 127.0.0.1 domain udp inet", cmp: "same"},
	{line: "fqdn localhost", cmp: "same"},
	{line: "fqdn 127.0.0.1", cmp: "same"},
	{line: "hostbyaddr 127.0.0.1", cmp: "same"},
	{line: "hostname", cmp: "same"},
	{line: "gopher 127.0.0.1 / $PORT_gopher1"},
	{line: "go 1", cmp: "text"},
	{line: "back"},
	{line: "gopher gopher://127.0.0.1:$PORT_gopher1/0/gopher.txt", cmp: "text"},
	{line: "gopher gopher://127.0.0.1:$PORT_gopher1/9/tiny.bin --out tiny.bin", cmp: "file:tiny.bin"},
	{line: "gopher 127.0.0.1 /missing.txt $PORT_gopher1", err: "FileNotFoundError"},
	{line: "connect 127.0.0.1 $PORT_gopher1"},
	{line: `sendall s12 "/sockets.txt\r\n"`},
	{line: "recv s12 --out page.txt", cmp: "file:page.txt"},
	{line: "connect 127.0.0.1 $PORT_gopher1"},
	{line: `sendall s13 "/sockets.txt\r\n"`},
	{line: "recv s13 --out head.txt --max 10", cmp: "file:head.txt"},
	{line: "set timeout 0", none: true, err: "UsageError"},
	{line: "set timeout -1", err: "ValueError"},
	{line: "set timeout inf", err: "OverflowError"},
	{line: "set timeout 5"},
	{line: "socket tcp"},
	{line: "set timeout none"},
	{line: "serve discard"},
	{line: "stop discard1"},
	{line: "sockets", none: true},
	{line: "servers", none: true},
	{line: "pair"}, // s15, s16: Unix sockets, and descriptors passed between them
	{line: "sockname s15", cmp: "same"},
	{line: "send s15 over-the-pair", cmp: "same"},
	{line: "recv s16", cmp: "same"},
	{line: "sendfd s15 s3", cmp: "same"},
	{line: "recvfd s16"}, // s17: s3's UDP socket
	{line: "sockname s17", cmp: "shape"},
	{line: "getsockopt s15 SO_PEERCRED"},
	{line: "socket unix dgram"}, // s18
	{line: "bind s18 ''"},
	{line: "pair dgram"}, // s19, s20
	{line: "close s15 s16 s17 s18 s19 s20"},
	{line: "close all"},
}

func TestExplainLinesRunInPython(t *testing.T) {
	python := testenv.NeedPeer(t, "python3", "python3")
	hole, err := filepath.Abs("../docs/gopherhole")
	if err != nil {
		t.Fatal(err)
	}
	payload := filepath.Join(t.TempDir(), "payload.txt")
	if err := os.WriteFile(payload, []byte("a file of the session\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	shellDir, pyDir := t.TempDir(), t.TempDir()
	t.Chdir(shellDir) // relative --out names land here; Python's in pyDir

	ss := newSockSession(t)
	vars := map[string]string{"GOPHERHOLE": hole, "FILE": payload, "CLOSED": strconv.Itoa(testenv.ClosedPort(t, "tcp"))}
	var script strings.Builder
	script.WriteString("import socket\n_v, _t = {}, {}\n")
	type want struct {
		cmp, shell string
	}
	wants := map[int]want{}
	for i, st := range explainSession {
		line := faketerm.Substitute(st.line, vars)
		out, errs := ss.Exec(line)
		learnSessionVars(ss, vars)
		py, rest := splitExplain(out)
		errLine := firstError(errs)
		switch {
		case st.err == "" && errLine != "":
			t.Fatalf("%s: unexpected error %q", line, errLine)
		case st.err != "" && !strings.HasPrefix(errLine, st.err+":"):
			t.Fatalf("%s: error %q, want %s", line, errLine, st.err)
		case st.none && len(py) > 0:
			t.Fatalf("%s: shows Python %q, want none", line, py)
		case !st.none && len(py) == 0:
			t.Fatalf("%s: shows no Python line:\n%s", line, out)
		}
		if len(py) == 0 {
			continue
		}
		fmt.Fprintf(&script, "# %s\n", strings.ReplaceAll(line, "\n", " "))
		body := py
		switch {
		case st.cmp == "same" || st.cmp == "shape" || st.cmp == "opts":
			body = append([]string(nil), py...)
			body[st.at] = fmt.Sprintf("_v[%d] = %s", i, body[st.at])
			wants[i] = want{st.cmp, strings.Join(rest, "\n")}
		case st.cmp == "text":
			body = append(append([]string(nil), py...), fmt.Sprintf("_t[%d] = reply.decode()", i))
			wants[i] = want{st.cmp, strings.Join(rest, "\n")}
		case strings.HasPrefix(st.cmp, "file:"):
			wants[i] = want{st.cmp, ""}
		}
		if st.err == "" {
			script.WriteString(strings.Join(body, "\n") + "\n")
			continue
		}
		// The command failed: its Python must raise the same exception.
		script.WriteString("try:\n")
		for _, l := range body {
			script.WriteString("    " + l + "\n")
		}
		// The same class, errno and message (the message of a UsageError
		// is the shell's own: it has no Python).
		fmt.Fprintf(&script, "except %s as e:\n", st.err)
		if m := regexp.MustCompile(`\[Errno (-?\d+)\]`).FindStringSubmatch(errLine); m != nil {
			fmt.Fprintf(&script, "    assert e.errno == %s, e\n", m[1])
		}
		fmt.Fprintf(&script, "    assert str(e) == %s, str(e)\n", strconv.Quote(strings.TrimPrefix(errLine, st.err+": ")))
		fmt.Fprintf(&script, "else:\n    raise SystemExit(%q)\n", "no "+st.err+" from: "+line)
	}
	script.WriteString("import json\nprint(json.dumps({'values': {k: repr(v) for k, v in _v.items()}, 'texts': _t}))\n")

	path := filepath.Join(pyDir, "session.py")
	if err := os.WriteFile(path, []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sockPeerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, path)
	cmd.Dir = pyDir
	var stderr testenv.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 on the explain lines: %v\n%s\nthe script:\n%s", err, stderr.String(), numbered(script.String()))
	}
	var got struct {
		Values map[string]string
		Texts  map[string]string
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("python3's output %q: %v", stdout, err)
	}
	digits := regexp.MustCompile(`\d+`)
	for i, w := range wants {
		line, key := explainSession[i].line, strconv.Itoa(i)
		switch {
		case w.cmp == "same" && got.Values[key] != w.shell:
			t.Errorf("%s: Python gives %s, the shell printed %s", line, got.Values[key], w.shell)
		case w.cmp == "shape" && digits.ReplaceAllString(got.Values[key], "N") != digits.ReplaceAllString(w.shell, "N"):
			t.Errorf("%s: Python gives %s, the shell printed %s (numbers aside)", line, got.Values[key], w.shell)
		case w.cmp == "text" && strings.TrimRight(strings.ReplaceAll(got.Texts[key], "\r\n", "\n"), "\n") != strings.TrimRight(w.shell, "\n"):
			t.Errorf("%s: Python's reply:\n%s\nthe shell printed:\n%s", line, got.Texts[key], w.shell)
		case w.cmp == "opts":
			shellOpts := optValues(regexp.MustCompile(`\('(\w+)', '\w+', (-?\d+|None), `), w.shell)
			pyOpts := optValues(regexp.MustCompile(`'(\w+)': (-?\d+)`), got.Values[key])
			if len(shellOpts) < 5 || fmt.Sprint(shellOpts) != fmt.Sprint(pyOpts) {
				t.Errorf("%s: the shell's values %v, Python's %v", line, shellOpts, pyOpts)
			}
		case strings.HasPrefix(w.cmp, "file:"):
			name := strings.TrimPrefix(w.cmp, "file:")
			a, aerr := os.ReadFile(filepath.Join(shellDir, name))
			b, berr := os.ReadFile(filepath.Join(pyDir, name))
			if aerr != nil || berr != nil || string(a) != string(b) || len(a) == 0 {
				t.Errorf("%s: the shell wrote %q (%v), Python %q (%v)", line, a, aerr, b, berr)
			}
		}
	}
}

// optValues collects option=value pairs from a getsockopt table or dict,
// leaving out what the kernel changes as the connection goes: the buffer
// sizes it tunes, and TCP_QUICKACK, which on Linux reads whether the
// connection is out of the kernel's interactive ("pingpong") delayed-ACK
// mode, a mode the kernel enters and leaves as data comes and goes; so
// the shell's read and Python's, moments apart, may differ.
func optValues(re *regexp.Regexp, s string) map[string]string {
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		if m[1] != "SO_RCVBUF" && m[1] != "SO_SNDBUF" && m[1] != "TCP_QUICKACK" {
			out[m[1]] = m[2]
		}
	}
	return out
}

// splitExplain separates a command's output with explain on into its
// Python source (the ">>> " and "... " lines, prompts removed) and what
// follows the system call lines, notes left out.
func splitExplain(out string) (py, rest []string) {
	lines := splitLines(out)
	i := 0
	for ; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, ">>> "), strings.HasPrefix(l, "... "):
			py = append(py, l[4:])
		case l == "...":
			// the end of a compound statement
		default:
			goto syscalls
		}
	}
syscalls:
	for i < len(lines) && strings.HasPrefix(lines[i], "  # ") {
		i++
	}
	rest = lines[i:]
	for len(rest) > 0 && strings.HasPrefix(rest[len(rest)-1], "# ") {
		rest = rest[:len(rest)-1]
	}
	return py, rest
}

// firstError is the first line of standard error (the error; its hint
// follows).
func firstError(errs string) string {
	line, _, _ := strings.Cut(errs, "\n")
	return line
}
