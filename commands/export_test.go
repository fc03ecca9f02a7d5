package commands

// export python (export.go): every command that records Python lines
// exports lines that compile.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// A session's steps for every command that records Python lines, in the
// forms that record different lines (success and failure); the export of
// it compiles (py_compile), so each Python line the shell shows is real
// Python in its place.
func TestExportPythonLinesCompile(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	dns := startDNSMasq(t)
	closed := testenv.ClosedPort(t, "tcp")
	closedUDP := testenv.ClosedPort(t, "udp")
	dir := t.TempDir()
	data := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(data, []byte("some bytes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "steps.sock")
	if err := os.WriteFile(src, []byte("servport http\nsocket tcp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gopherRoot := filepath.Join(dir, "gopher")
	if err := os.MkdirAll(gopherRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(gopherRoot, "hello.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ss := newSockSession(t)
	ss.Session.KeepGoing = true
	ss.Session.Stdin = strings.NewReader("")
	ss.MustExec("set dns 127.0.0.1:" + dns)
	_, echo := ss.serve("echo")
	_, discard := ss.serve("discard")
	_, daytime := ss.serve("daytime")
	ss.serve("chargen --udp")
	_, gport := ss.serve("gopher " + shell.StrRepr(gopherRoot))
	_, tlsEcho := ss.serve("echo --tls")
	lines := []string{
		"explain on", "explain off", "set timeout 10", "set timeout none", "set timeout 20", "set timeout -1",
		"servport http", "servport http tcp", "servport nosuch", "servname 80", "servname 53 udp", "servname 9", "servname 65536",
		"services http", "resolve localhost", "resolve withptr.sockshell.test", "resolve --all withptr.sockshell.test",
		"resolve --all v6only.sockshell.test", "resolve nosuch.sockshell.test",
		"addrinfo localhost 80", "addrinfo localhost http tcp inet", "addrinfo localhost", "fqdn", "fqdn localhost",
		"hostbyaddr 127.0.0.1", "hostbyaddr 192.0.2.10", "hostname",
		"dns withptr.sockshell.test", "dns MX withptr.sockshell.test --tcp", "dns 192.0.2.10", "dns ANY withptr.sockshell.test",
		fmt.Sprintf("dns withptr.sockshell.test --server 127.0.0.1:%s", dns),
		fmt.Sprintf("probe 127.0.0.1 %d,http --wait 0.5", closed), fmt.Sprintf("probe 127.0.0.1 %d --udp --wait 0.5", closed),
		"socket tcp", "socket udp", "socket tcp inet6", // s1 s2 s3
		"bind s1 127.0.0.1 0", "listen s1", "listen s1 5",
		"connect 127.0.0.1 s1", // a refused name lookup of 's1': the port is a word
		fmt.Sprintf("connect 127.0.0.1 %d", closed),
		"socket tcp",                // s4
		"connect s4 127.0.0.1 {s1}", // s4 to the listener s1
		"accept s1",                 // s5
		"sockname s4", "peername s4", "peername s2", "sockname s5",
		"settimeout s4 2.5", "settimeout s4 none", "settimeout s4 -1",
		"getsockopt s4 SO_RCVBUF", "getsockopt s4 SOL_SOCKET SO_REUSEADDR", "getsockopt s4", "getsockopt s2",
		"setsockopt s4 SO_KEEPALIVE 1", "setsockopt s4 SO_LINGER 1,0", "setsockopt s4 TCP_NODELAY 1", "setsockopt s4 IP_TTL 300",
		"send s4 hi", "sendall s4 \"GET / HTTP/1.0\\r\\n\\r\\n\"", "sendfile s4 " + data, "recv s5 4", "recv s5",
		"bind s2 127.0.0.1 0", "sendto s2 'hi\\'there' 127.0.0.1 {s2}", "sendto s2 \"two\" 127.0.0.1 {s2}", "recvfrom s2", "recvfrom s2 10",
		fmt.Sprintf("sendto s2 x 127.0.0.1 %d", closedUDP),
		"fromfd 0", "fromfd s4", "fromfd 99999",
		"shutdown s4 wr", "recv s5 --out " + filepath.Join(dir, "out1"), "shutdown s4 rd", "shutdown s5 rdwr",
		fmt.Sprintf("connect 127.0.0.1 %d", echo), // s?
		fmt.Sprintf("connect 127.0.0.1 %d", discard),
		fmt.Sprintf("connect 127.0.0.1 %d", daytime),
		fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure --alpn h2,http/1.1", tlsEcho), "cert {last}", "cert {last} --pem",
		"send {last} hi", "recv {last}", "shutdown {last} wr", "cert s4", "tls s2",
		fmt.Sprintf("connect --tls localhost %d", tlsEcho), // the session's certificate is self-signed: a failure
		"socket tcp", fmt.Sprintf("connect {last} 127.0.0.1 %d", tlsEcho), "tls {last} --sni localhost", // the same, by tls
		fmt.Sprintf("gopher 127.0.0.1 / %d", gport), "go 1", "back",
		fmt.Sprintf("gopher 127.0.0.1 /nosuch %d", gport),
		fmt.Sprintf("gopher 127.0.0.1 /hello.txt %d", gport),
		"attach s4", "attach s4 --crlf", // standard input empty: the half-closed s4 ends at once
		"wire on", "wire", "wire off",
		"close s4", "send s4 x", "recv s4", "close all",
		"servers", "stop echo1", "stop all", "timeline --last 3", "sockets", "help", "history 2",
		"source " + src,
		"record " + filepath.Join(dir, "r.jsonl"), "servport http", "record off",
		"replay --check " + filepath.Join(dir, "r.jsonl"), "replay " + filepath.Join(dir, "r.jsonl") + " --auto 0",
		"view 127.0.0.1:0", "view", "view --snapshot " + filepath.Join(dir, "page.html"), "view off",
		"lesson", "lesson 1", "lesson next", "lesson quit",
	}
	portWord := regexp.MustCompile(`\{s(\d+)\}`)
	for _, l := range lines {
		l = portWord.ReplaceAllStringFunc(l, func(m string) string {
			n, _ := strconv.Atoi(m[2 : len(m)-1])
			return portOf(ss, n)
		})
		l = strings.ReplaceAll(l, "{last}", lastSock(ss))
		start := time.Now()
		ss.Exec(l)
		if d := time.Since(start); d > time.Second {
			t.Logf("%s took %v", l, d)
		}
	}
	// A socket pair and a descriptor passed over it: the names pair gives
	// are read from what it printed.
	pairOut := ss.MustExec("pair")
	var ends []string
	for _, l := range strings.Split(pairOut, "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(f[0], "s") {
			ends = append(ends, f[0])
		}
	}
	if len(ends) != 2 {
		t.Fatalf("pair printed %q", pairOut)
	}
	unixLines := []string{"pair dgram", "sendfd " + ends[0] + " " + ends[1], "recvfd " + ends[1], "recvfd " + ends[1]}
	for _, l := range unixLines {
		ss.Exec(l)
	}
	lines = append(lines, unixLines...)
	// Every command is in this session (the serve lines above aside), so
	// that a new command's Python lines are compiled too.
	covered := map[string]bool{"serve": true, "export": true, "exit": true} // exit would end the session
	for _, l := range lines {
		covered[strings.Fields(l)[0]] = true
	}
	for _, c := range Table().Commands() {
		if !covered[c.Name] {
			t.Errorf("command %s is not in this test's session: add the forms that record Python lines", c.Name)
		}
	}
	file := filepath.Join(dir, "all.py")
	ss.MustExec("export python " + file)
	out, err := exec.Command(py, "-c", "import sys, py_compile; py_compile.compile(sys.argv[1], doraise=True)", file).CombinedOutput()
	if err != nil {
		script, _ := os.ReadFile(file)
		t.Fatalf("the exported script does not compile: %v\n%s\nscript:\n%s", err, out, numbered(string(script)))
	}
	// Every command with Python lines is there, each under its line.
	script, _ := os.ReadFile(file)
	for _, want := range []string{
		"# >>> set dns 127.0.0.1:" + dns + "\n# (no Python equivalent: Python's socket module asks the system's resolver,\n",
		"# >>> send s4 x\n# (it failed in the session with OSError [Errno 9]; the shell recorded no Python for it)\n",
	} {
		if !strings.Contains(string(script), want) {
			t.Errorf("the script has no %q", want)
		}
	}
	if os.Getenv("EXPORT_DEBUG") != "" {
		os.WriteFile("/tmp/export-all.py", script, 0o644)
	}
	entries, _ := ss.Session.Commands()
	for _, e := range entries[:len(entries)-1] { // the last is the export
		line, _ := e.Attr("line")
		if !strings.Contains(string(script), "# >>> "+fmt.Sprint(line)+"\n") {
			t.Errorf("the script has no step for %q", line)
		}
	}
}

// portOf is the port a session's socket sN is bound to.
func portOf(ss *sockSession, n int) string {
	ss.t.Helper()
	a, err := ss.sock(fmt.Sprintf("s%d", n)).SockName()
	if err != nil {
		ss.t.Fatal(err)
	}
	return strconv.Itoa(int(a.Port()))
}

// lastSock is the name of the session's newest open socket.
func lastSock(ss *sockSession) string {
	last, best := "", -1
	for _, n := range ss.Session.ResourceNames(isSocket) {
		if k, err := strconv.Atoi(strings.TrimPrefix(n, "s")); err == nil && k > best {
			last, best = n, k
		}
	}
	return last
}
