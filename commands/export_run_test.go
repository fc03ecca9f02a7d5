package commands

// An exported script run by python3 against the same peers prints what
// the session printed.

import (
	"context"
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
