package commands

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// exportBound bounds a python3 run of an exported script: a guard
// against a hang, not a timing assertion.
const exportBound = 90 * time.Second

// exportStep is a line of a session and whether what it prints is a
// result the exported script must print too (a Python value or an error
// caught with its class); a socket's repr, a server's line or a table is
// not.
type exportStep struct {
	line  string
	shown shownAs
}

// shownAs says whether the script prints a step's result, and how it is
// compared.
type shownAs int

const (
	hidden    shownAs = iota // not printed (a socket's repr, a table)
	printed                  // the same, but for ephemeral ports
	timeOfDay                // the same, but for its numbers (a time)
)

// wantLine is a line the script must print, as the session printed it.
type wantLine struct {
	text   string
	digits bool // compare with every number as N (a time of day)
}

// runExportSession runs the steps, each printing what the shell printed,
// and returns the lines the script must print: the results, and the first
// line of each error.
func runExportSession(t *testing.T, ss *sockSession, steps []exportStep) []wantLine {
	t.Helper()
	var want []wantLine
	for _, st := range steps {
		out, errs := ss.Exec(st.line)
		if st.shown == hidden {
			if errs != "" {
				t.Fatalf("%s: %s", st.line, errs)
			}
			continue
		}
		for _, l := range splitLines(out) {
			if !strings.HasPrefix(l, "#") { // a note, for people
				want = append(want, wantLine{l, st.shown == timeOfDay})
			}
		}
		if errs != "" {
			first, _, _ := strings.Cut(errs, "\n")
			want = append(want, wantLine{first, false})
		}
	}
	return want
}

// runPython runs a script with python3 and returns its standard output.
func runPython(t *testing.T, file string) string {
	t.Helper()
	py := testenv.NeedPeer(t, "python3", "python3")
	ctx, cancel := context.WithTimeout(context.Background(), exportBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		script, _ := os.ReadFile(file)
		t.Fatalf("python3 %s: %v\nstderr:\n%s\nscript:\n%s", file, err, stderr.String(), script)
	}
	if stderr.Len() > 0 {
		t.Errorf("python3 %s wrote to stderr:\n%s", file, stderr.String())
	}
	return string(out)
}

// addrTuple is an address as Python prints it: ('127.0.0.1', 41234).
var addrTuple = regexp.MustCompile(`\('([0-9a-f.:]+)', (\d+)((?:, \d+, \d+)?)\)`)

// shapeOf writes a result with its ephemeral ports (which legitimately
// differ between the session and the script) as PORT; every other
// number stays.
func shapeOf(t *testing.T, line string) string {
	lo, hi := ephemeralRange(t)
	return addrTuple.ReplaceAllStringFunc(line, func(m string) string {
		g := addrTuple.FindStringSubmatch(m)
		p, _ := strconv.Atoi(g[2])
		if p >= lo && p <= hi {
			g[2] = "PORT"
		}
		return "('" + g[1] + "', " + g[2] + g[3] + ")"
	})
}

// ephemeralRange is the kernel's range of ports for an unbound socket.
func ephemeralRange(t *testing.T) (int, int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	lo, _ := strconv.Atoi(f[0])
	hi, _ := strconv.Atoi(f[1])
	return lo, hi
}

// compareExport compares the session's results with the script's output
// line for line, by shape where a port is ephemeral or a line a time.
func compareExport(t *testing.T, want []wantLine, got string, file string) {
	t.Helper()
	lines := splitLines(got)
	n := max(len(want), len(lines))
	bad := false
	numbers := regexp.MustCompile(`[0-9]+`)
	for i := 0; i < n; i++ {
		var w wantLine
		var g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(lines) {
			g = lines[i]
		}
		same := w.text == g || shapeOf(t, w.text) == shapeOf(t, g)
		if !same && w.digits {
			same = numbers.ReplaceAllString(w.text, "N") == numbers.ReplaceAllString(g, "N")
		}
		if !same {
			t.Errorf("line %d: the session printed %q, the script %q", i+1, w.text, g)
			bad = true
		}
	}
	if bad {
		script, _ := os.ReadFile(file)
		t.Logf("script:\n%s", script)
	}
}

// An exported session, run by python3 against the same peers (its demo
// servers from the script itself, a UDP peer the test started), prints
// what the session printed: sockname, peername, send, recv, UDP sendto and
// recvfrom, getsockopt, and a refused connect caught with its class.
func TestExportRunsInPython(t *testing.T) {
	socat := testenv.NeedPeer(t, "socat", "socat")
	testenv.NeedPeer(t, "python3", "python3")
	// A UDP echo peer outside the shell, for the session and the script alike.
	_, udpPort := testenv.ListeningPeer(t, "udp", socat, func(port int) []string {
		// -T: each forked child (one a datagram) ends after 5 s without traffic.
		return []string{"-T", "5", fmt.Sprintf("UDP4-RECVFROM:%d,bind=127.0.0.1,fork", port), "PIPE"}
	})
	closed := testenv.ClosedPort(t, "tcp")
	dir := t.TempDir()
	data, saved, src := filepath.Join(dir, "data.txt"), filepath.Join(dir, "saved.txt"), filepath.Join(dir, "steps.sock")
	if err := os.WriteFile(data, []byte("a file's\nlines\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, []byte("# a script of commands\nsockname s3\nservport http\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ss := newSockSession(t)
	_, echo := ss.serve("echo")
	_, uecho := ss.serve("echo --udp")
	_, chargen := ss.serve("chargen --udp")
	_, daytime := ss.serve("daytime")
	_, discard := ss.serve("discard")
	_, chargenTCP := ss.serve("chargen")
	steps := []exportStep{
		{"socket tcp", hidden},
		{fmt.Sprintf("connect s1 127.0.0.1 %d", echo), printed},
		{"sockname s1", printed},
		{"peername s1", printed},
		{`send s1 "hello\r\n"`, printed},
		{"recv s1 1024", printed},
		{"getsockopt s1 SO_TYPE", printed},
		{"getsockopt s1 SO_RCVBUF", printed},
		{"setsockopt s1 TCP_NODELAY 1", printed},
		{"getsockopt s1 TCP_NODELAY", printed},
		{"socket udp", hidden},
		{fmt.Sprintf("sendto s2 ping 127.0.0.1 %d", udpPort), printed},
		{"recvfrom s2", printed},
		{fmt.Sprintf("sendto s2 'one\\x00two' 127.0.0.1 %d", uecho), printed},
		{"recvfrom s2 100", printed},
		// More than socketserver reads of a datagram by default (8192).
		{fmt.Sprintf("sendto s2 %s 127.0.0.1 %d", strings.Repeat("big.", 2500), uecho), printed},
		{"recvfrom s2 65536", printed},
		{fmt.Sprintf("sendto s2 '' 127.0.0.1 %d", chargen), printed},
		{"recvfrom s2 4096", printed},
		{"getsockopt s2 SO_TYPE", printed},
		{fmt.Sprintf("connect 127.0.0.1 %d", closed), printed},
		{fmt.Sprintf("connect 127.0.0.1 %d", echo), hidden},
		{"peername s3", printed},
		{"help sockname", hidden},
		{fmt.Sprintf("connect 127.0.0.1 %d", daytime), hidden},
		{"recv s4", timeOfDay}, // the date and time, as RFC 867 has them
		{"recv s4", printed},   // b'': daytime closes
		{fmt.Sprintf("connect 127.0.0.1 %d", discard), hidden},
		{"send s5 'into the void'", printed},
		{fmt.Sprintf("connect 127.0.0.1 %d", chargenTCP), hidden},
		{"recv s6 74", printed},                                     // the pattern's first line
		{"export python " + filepath.Join(dir, "first.py"), hidden}, // a later export holds it, and runs
		{"source " + src, printed},
		{"sendall s1 world", printed},
		{"recv s1 5", printed},
		{"sendall s1 --file " + data, printed},
		{"shutdown s1 wr", printed},
		{"recv s1 --out " + saved, printed},
		{"recv s1", printed},
		{"close s1", printed},
	}
	want := runExportSession(t, ss, steps)
	if len(want) < 15 {
		t.Fatalf("the session printed too little to compare: %v", want)
	}
	file := filepath.Join(dir, "session.py")
	out := ss.MustExec("export python " + file)
	if !strings.HasPrefix(out, "wrote "+file) {
		t.Fatalf("export printed %q", out)
	}
	// The script's servers take the session's addresses: the session ends
	// first. The script writes the file the session wrote, where none is.
	ss.Session.CloseAll()
	sessionSaved, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(saved)
	compareExport(t, want, runPython(t, file), file)
	testenv.WantFile(t, saved, string(sessionSaved))
	if os.Getenv("EXPORT_DEBUG") != "" {
		b, _ := os.ReadFile(file)
		t.Logf("want %v\n%s", want, b)
	}
}

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

// Bad input: one clear error each, nothing written, and the shell goes
// on; an existing file is replaced only with --force.
func TestExportBadInput(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.py")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t)
	tm.MustExec("servport http")
	cases := []struct{ line, err string }{
		{"export", "UsageError: missing argument; usage: export python FILE"},
		{"export python", "UsageError: missing argument; usage: export python FILE"},
		{"export html " + filepath.Join(dir, "x.py"), `UsageError: "html" is not python`},
		{"export python ''", "UsageError: FILE is empty"},
		{"export python " + filepath.Join(dir, "no", "such", "x.py"), "FileNotFoundError: [Errno 2]"},
		{"export python " + dir, "IsADirectoryError: [Errno 21]"},
		{"export python " + existing, "FileExistsError: [Errno 17]"},
	}
	for _, c := range cases {
		errs := tm.AssertExecError(c.line, c.err)
		if n := strings.Count(errs, "Error: "); n != 1 {
			t.Errorf("%s: %d errors, want one:\n%s", c.line, n, errs)
		}
		tm.AssertExec("servport http", "80\n") // the shell goes on
	}
	if names := testenv.DirNames(t, dir); !slices.Equal(names, []string{"old.py"}) {
		t.Errorf("the directory holds %q after the refused exports, want only old.py", names)
	}
	testenv.WantFile(t, existing, "keep me\n")
	out := tm.MustExec("export python --force " + existing)
	if !strings.HasPrefix(out, "wrote "+existing) {
		t.Errorf("export --force printed %q", out)
	}
	got, _ := os.ReadFile(existing)
	if !strings.Contains(string(got), "print(repr(socket.getservbyname('http')))\n") {
		t.Errorf("--force did not write the script:\n%s", got)
	}
}

// Tab completes the format word, then a file.
func TestExportCompletes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "demo.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTerm(t).Session
	for _, c := range []struct {
		line string
		want []string
	}{
		{"expo", []string{"export"}},
		{"export ", []string{"python"}},
		{"export py", []string{"python"}},
		{"export python " + dir + "/de", []string{dir + "/demo.py"}},
	} {
		if got, _ := s.Complete(c.line); !slices.Equal(got, c.want) {
			t.Errorf("Complete(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}

// A session longer than the event log's ring (4096 events) exports whole:
// the command log keeps what the ring dropped.
func TestExportOutlivesTheEventRing(t *testing.T) {
	tm := newTerm(t)
	tm.MustExec("socket udp")
	tm.MustExec("bind s1 127.0.0.1 0")
	const n = shell.EventLogSize + 100
	for i := 0; i < n; i++ {
		tm.MustExec("sockname s1")
	}
	for _, e := range tm.Session.Events().Recent(0) {
		if line, _ := e.Attr("line"); line == "socket udp" {
			t.Fatal("the event ring still holds the first command: the test shows nothing")
		}
	}
	file := filepath.Join(t.TempDir(), "long.py")
	tm.MustExec("export python " + file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	if !strings.Contains(script, "# >>> socket udp\ns1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n") {
		t.Error("the script lost the session's first command")
	}
	if got := strings.Count(script, "print(repr(s1.getsockname()))\n"); got != n {
		t.Errorf("the script has %d of the %d sockname calls", got, n)
	}
	if strings.Contains(script, "NOTE") {
		t.Error("the script says commands were dropped; none were")
	}
}

// When the command log has dropped the session's first commands, the
// script says so at the top, with how many.
func TestExportSaysWhatWasDropped(t *testing.T) {
	sc := buildScript(nil, 7, nil, time.Now())
	if !strings.Contains(sc.text, "# NOTE: the session's first 7 commands are not here") {
		t.Errorf("the header does not say what was dropped:\n%s", sc.text)
	}
	if sc = buildScript(nil, 0, nil, time.Now()); strings.Contains(sc.text, "NOTE") {
		t.Errorf("a script that lost nothing says it did:\n%s", sc.text)
	}
}

// A command Ctrl-C interrupted is not run by the script (it would wait
// where the session's user stopped it): its Python stays, as a comment.
func TestExportInterruptedCommand(t *testing.T) {
	tm := newTerm(t)
	tm.MustExec("socket udp")
	tm.MustExec("bind s1 127.0.0.1 0")
	r := tm.Start("recvfrom s1")
	deadline := time.Now().Add(exportBound)
	for !tm.Session.Interrupt() {
		if time.Now().After(deadline) {
			t.Fatal("recvfrom never started")
		}
		time.Sleep(time.Millisecond)
	}
	if errs := <-r.Done(); !strings.Contains(errs, "KeyboardInterrupt") {
		t.Fatalf("recvfrom interrupted: %q", errs)
	}
	file := filepath.Join(t.TempDir(), "int.py")
	tm.MustExec("export python " + file)
	b, _ := os.ReadFile(file)
	want := "# >>> recvfrom s1\n# (Ctrl-C interrupted it in the session; not run here)\n# s1.recvfrom(4096)\n"
	if !strings.Contains(string(b), want) {
		t.Errorf("the script does not have\n%s\nit is:\n%s", want, b)
	}
}

// A gopher server becomes a comment saying how to start it; demo servers
// on IPv6 loopback are Python servers of that family, which the script
// runs: its connect to the echo server on [::1] prints what the session's did.
func TestExportGopherAndIPv6Servers(t *testing.T) {
	testenv.NeedPeer(t, "python3", "python3")
	testenv.ClosedPort(t, "tcp6") // skips without an IPv6 loopback
	root := t.TempDir()
	ss := newSockSession(t)
	_, gport := ss.serve("gopher " + shell.StrRepr(root))
	_, echo6 := ss.serve("echo [::1]:0")
	_, day6 := ss.serve("daytime --udp [::1]:0")
	steps := []exportStep{
		{fmt.Sprintf("connect ::1 %d", echo6), hidden},
		{"peername s1", printed},
		{"send s1 v6", printed},
		{"recv s1", printed},
		{"socket udp inet6", hidden},
		{fmt.Sprintf("sendto s2 '' ::1 %d", day6), printed},
	}
	want := runExportSession(t, ss, steps)
	file := filepath.Join(t.TempDir(), "six.py")
	out := ss.MustExec("export python " + file)
	if !strings.Contains(out, "# gopher1 is a gopher server, with no short Python equivalent") {
		t.Errorf("export does not say the gopher server is left out: %q", out)
	}
	b, _ := os.ReadFile(file)
	wantComment := fmt.Sprintf("# prompt left open: serve gopher %s 127.0.0.1:%d\n", shell.StrRepr(root), gport)
	if !strings.Contains(string(b), wantComment) {
		t.Errorf("the script does not say how to start the gopher server (%q):\n%s", wantComment, b)
	}
	ss.Session.CloseAll()
	compareExport(t, want, runPython(t, file), file)
}

// BenchmarkExport writes the script of a session of 10,000 commands (the
// command log holds up to 65,536): the time per command, and the bytes of
// script per command (script-bytes/cmd).
func BenchmarkExport(b *testing.B) {
	tm := faketerm.New(b, Table())
	tm.MustExec("serve echo")
	tm.MustExec("socket udp")
	tm.MustExec("bind s1 127.0.0.1 0")
	for i := 0; i < 10000; i++ {
		tm.MustExec([]string{"sockname s1", "getsockopt s1 SO_RCVBUF", "sendto s1 hello 127.0.0.1 9"}[i%3])
	}
	entries, dropped := tm.Session.Commands()
	servers := exportServers.Get(tm.Session)
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		size = len(buildScript(entries, dropped, servers, time.Now()).text)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(entries)), "ns/cmd")
	b.ReportMetric(float64(size)/float64(len(entries)), "script-bytes/cmd")
}

// Which Python lines are expressions (their value is the result the
// script prints), and where a line's comment starts, outside strings.
func TestExportReadsPythonLines(t *testing.T) {
	for _, c := range []struct {
		line, code, comment string
		expr                bool
	}{
		{"s1.recv(10)", "s1.recv(10)", "", true},
		{"s2, addr = s1.accept()", "s2, addr = s1.accept()", "", false},
		{"n += f.write(chunk)", "n += f.write(chunk)", "", false},
		{"f(a=1) == (b <= 2) != (c >= 3)", "f(a=1) == (b <= 2) != (c >= 3)", "", true},
		{"(n := 5)", "(n := 5)", "", true},
		{"s1.send(b'a=b # not a comment')", "s1.send(b'a=b # not a comment')", "", true},
		{`s1.send(b"it's = \" #")  # sent`, `s1.send(b"it's = \" #")`, "  # sent", true},
		{"len(b'x')  # sendall returns None", "len(b'x')", "  # sendall returns None", true},
		{"import struct", "import struct", "", false},
		{"# serve echo: the shell's own", "", "  # serve echo: the shell's own", false},
		{"with open('f', 'xb') as f:\n    f.write(b'')", "with open('f', 'xb') as f:\n    f.write(b'')", "", false},
	} {
		if got := isExpression(c.line); got != c.expr {
			t.Errorf("isExpression(%q) = %v, want %v", c.line, got, c.expr)
		}
		if code, comment := splitComment(c.line); code != c.code || comment != c.comment {
			t.Errorf("splitComment(%q) = %q, %q; want %q, %q", c.line, code, comment, c.code, c.comment)
		}
	}
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
