package commands

// What `gopher` and `go` make of what they are given: the forms of HOST
// (HOST:PORT as `serve` prints it, a stray '/', another URL scheme, the
// port where the selector goes), menu fields that cannot be followed,
// empty replies, and texts that only look like errors.

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// gopherSandboxDNS points the session's resolver at a dnsmasq the test
// started, which answers only for .test and forwards nothing: a name a
// command looks up by mistake never reaches the machine's DNS server.
func gopherSandboxDNS(t *testing.T, g *gopherSession) {
	t.Helper()
	port := startDNSMasq(t)
	g.MustExec("set dns 127.0.0.1:" + port)
	g.MustExec("set timeout 5")
}

// TestGopherHostForms: HOST:PORT and [IPV6]:PORT are taken as they are
// (the form `serve` prints); a '/' in HOST, a URL of another scheme and a
// port given where the selector goes each get one error and a hint that
// shows the form meant.
func TestGopherHostForms(t *testing.T) {
	g := newGopherSession(t)
	gopherSandboxDNS(t, g)
	port := g.serve(gopherHole)

	// HOST:PORT, as `serve` prints the address.
	for _, line := range []string{"gopher 127.0.0.1:%d", "gopher 127.0.0.1:%d /", "gopher localhost:%d /sockets.txt"} {
		line = fmt.Sprintf(line, port)
		out, errs := g.Exec(line)
		if errs != "" || !(strings.Contains(out, "| What is a socket?") || strings.HasPrefix(out, "What is a socket?")) {
			t.Errorf("%s: %q %q", line, out, errs)
		}
	}
	if out, errs := g.Exec("serve gopher " + gopherHole + " [::1]:0"); errs == "" {
		name, _, _ := strings.Cut(out, " ")
		port6 := serverPort(t, g.Session, name)
		if out, errs := g.Exec(fmt.Sprintf("gopher [::1]:%d /sockets.txt", port6)); errs != "" || !strings.HasPrefix(out, "What is a socket?") {
			t.Errorf("[::1]:PORT: %q %q", out, errs)
		}
	} else {
		t.Logf("no IPv6 loopback (%s): [::1]:PORT not tried", strings.TrimSpace(errs))
	}

	for _, tt := range []struct{ line, err, hint string }{
		{"gopher quux.org/", "UsageError: HOST 'quux.org/' has a '/', which no host name has; usage: ",
			"the selector is a word of its own, after the host: gopher quux.org /"},
		{"gopher quux.org/sockets.txt", "UsageError: HOST 'quux.org/sockets.txt' has a '/'",
			"gopher quux.org /sockets.txt"},
		{"gopher http://[::1]:7071/", "ValueError: 'http://[::1]:7071/' is not a gopher:// URL: its scheme is 'http'",
			"for a gopher server at that address: gopher gopher://[::1]:7071/"},
		{"gopher localhost:", "UsageError: HOST 'localhost:' has no port after its ':'", ""},
		{fmt.Sprintf("gopher 127.0.0.1 %d /", port), "OSError: service/proto not found",
			fmt.Sprintf("the SELECTOR comes second and the PORT third: gopher 127.0.0.1 / %d", port)},
		{fmt.Sprintf("gopher 127.0.0.1:%d / %d", port, port), "UsageError: the port is given twice", ""},
		{"gopher [::1/", "UsageError: HOST '[::1/' has a '/'", ""},
		{"gopher [::1]x", "UsageError: HOST '[::1]x' has 'x' after the IPv6 address", ""},
	} {
		_, errs := g.Exec(tt.line)
		first, hint, _ := strings.Cut(strings.TrimSuffix(errs, "\n"), "\n")
		if !strings.HasPrefix(first, tt.err) || !strings.Contains(hint, tt.hint) || (tt.hint != "" && !strings.HasPrefix(hint, "  hint: ")) {
			t.Errorf("%s:\n%s\nwant %q and a hint with %q", tt.line, errs, tt.err, tt.hint)
		}
		if strings.Contains(errs, "Name or service not known") {
			t.Errorf("%s was looked up as a name: %s", tt.line, errs)
		}
	}

	// The port where the selector goes: it is sent as the selector, to
	// port 70, and the hint says so.
	if c, err := net.DialTimeout("tcp", "127.0.0.1:70", gopherTestBound); err == nil {
		c.Close()
		t.Log("something listens on 127.0.0.1:70: `gopher 127.0.0.1 PORT` not tried")
	} else {
		line := fmt.Sprintf("gopher 127.0.0.1 %d", port)
		_, errs := g.Exec(line)
		want := fmt.Sprintf("'%d' went to port 70 as the SELECTOR: a port comes third (gopher 127.0.0.1 / %d) or after a colon (gopher 127.0.0.1:%d)", port, port, port)
		if !strings.HasPrefix(errs, "ConnectionRefusedError: [Errno 111]") || !strings.Contains(errs, want) {
			t.Errorf("%s:\n%s\nwant a hint with %q", line, errs, want)
		}
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left: %v", s)
	}
}

// TestGopherMenuInvalidFields: a menu item whose port is out of range (or
// not a number), whose host is empty or not a host, or whose line lacks
// fields is shown with the field marked invalid, and `go` refuses it
// without dialling anything.
func TestGopherMenuInvalidFields(t *testing.T) {
	var conns, own atomic.Int64
	port := gopherFake(t, func(c net.Conn, sel string) {
		conns.Add(1)
		port := strconv.Itoa(int(own.Load()))
		io.WriteString(c, "iA hostile menu\t\tnull.host\t1\r\n"+
			"0Far away\t/far\t127.0.0.1\t70000\r\n"+
			"0Port zero\t/zero\t127.0.0.1\t0\r\n"+
			"0Spelled out\t/word\t127.0.0.1\tseventy\r\n"+
			"0Nowhere\t/nowhere\t\t"+port+"\r\n"+
			"0Short line\t/short\r\n"+
			"0Fine\t/fine.txt\t127.0.0.1\t"+port+"\r\n.\r\n")
	})
	own.Store(int64(port))
	g := newGopherSession(t)
	out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 / %d", port))
	words := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, row := range []string{
		"| 1 | TXT | Far away | /far | 127.0.0.1 | 70000 (invalid) |",
		"| 2 | TXT | Port zero | /zero | 127.0.0.1 | 0 (invalid) |",
		"| 3 | TXT | Spelled out | /word | 127.0.0.1 | seventy (invalid) |",
		fmt.Sprintf("| 4 | TXT | Nowhere | /nowhere | (invalid: empty) | %d |", port),
		"| 5 | TXT | Short line | /short | (invalid: missing) | (invalid: missing) |",
		fmt.Sprintf("| 6 | TXT | Fine | /fine.txt | 127.0.0.1 | %d |", port),
		"# 5 of the items have a field marked invalid: `go` refuses to follow them",
	} {
		if !strings.Contains(words(out), row) {
			t.Errorf("menu lacks %q:\n%s", row, out)
		}
	}
	for n, want := range map[int]string{
		1: "ValueError: item 1 cannot be followed: its port field '70000' is not a port number from 1 to 65535\n",
		2: "ValueError: item 2 cannot be followed: its port field '0' is not a port number from 1 to 65535\n",
		3: "ValueError: item 3 cannot be followed: its port field 'seventy' is not a port number from 1 to 65535\n",
		4: "ValueError: item 4 cannot be followed: its host field '' is empty\n",
		5: "ValueError: item 5 cannot be followed: its line has fewer than the four tab-separated fields of a menu line\n",
	} {
		before := conns.Load()
		if _, errs := g.Exec(fmt.Sprintf("go %d", n)); errs != want {
			t.Errorf("go %d: %q, want %q", n, errs, want)
		}
		if conns.Load() != before || len(g.sockets()) != 0 {
			t.Errorf("go %d dialled", n)
		}
	}
	// In JSON a valid port is a number, an invalid one the marked text.
	out = g.MustExec(fmt.Sprintf("set format json; gopher 127.0.0.1 / %d", port))
	if !strings.Contains(out, `"port":"70000 (invalid)"`) || !strings.Contains(out, fmt.Sprintf(`"port":%d`, port)) {
		t.Errorf("json menu: %s", out)
	}
}

// TestGopherEmptyAndErrorReplies: an empty reply says so (0 bytes); a
// missing selector is one sentence, naming the selector once; a short text
// that starts with "Error" is a text, even from sockshell's own server.
func TestGopherEmptyAndErrorReplies(t *testing.T) {
	empty := gopherFake(t, func(c net.Conn, sel string) {})
	g := newGopherSession(t)
	for _, sel := range []string{"/empty.txt", "/"} {
		line := fmt.Sprintf("gopher 127.0.0.1 %s %d", sel, empty)
		out, errs := g.Exec(line)
		if errs != "" || !strings.HasSuffix(out, "# the server closed the connection without a reply: 0 bytes\n") {
			t.Errorf("%s: %q %q", line, out, errs)
		}
	}

	// A download of nothing says it once.
	dst := filepath.Join(t.TempDir(), "empty.bin")
	if out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /empty.bin %d --out %s", empty, dst)); out != "0\n# 0 bytes saved to "+dst+"\n" {
		t.Errorf("empty download: %q", out)
	}

	dir := t.TempDir()
	texts := map[string]string{
		"errors.txt": "Error handling in socket programs\n=================================\n\nEvery call can fail.\n",
		"short.txt":  "Error\n",
		"item.txt":   "3Looks like an error item\t\terror.host\t1\r\n",
	}
	for name, text := range texts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	port := g.serve(dir)
	for _, name := range []string{"errors.txt", "short.txt"} {
		out, errs := g.Exec(fmt.Sprintf("gopher 127.0.0.1 /%s %d", name, port))
		if errs != "" || out != texts[name] {
			t.Errorf("%s: %q %q, want the text", name, out, errs)
		}
	}
	// A file whose first line is a whole error item is still taken for
	// one: that is what an error reply looks like.
	if _, errs := g.Exec(fmt.Sprintf("gopher 127.0.0.1 /item.txt %d", port)); !strings.HasPrefix(errs, "GopherError: the server sent an error item: Looks like an error item\n") {
		t.Errorf("item.txt: %q", errs)
	}

	_, errs := g.Exec(fmt.Sprintf("gopher 127.0.0.1 /missing.txt %d", port))
	first, hint, _ := strings.Cut(errs, "\n")
	if first != "FileNotFoundError: the server has no selector '/missing.txt'" || strings.Count(errs, "missing.txt") != 1 || !strings.HasPrefix(hint, "  hint: ") {
		t.Errorf("missing selector: %q", errs)
	}
}

// One invalid menu item is "1 of the items has …: `go` refuses to follow it"
// (it said "1 of the items have … them").
func TestGopherOneInvalidItemNote(t *testing.T) {
	port := gopherFake(t, func(c net.Conn, sel string) {
		io.WriteString(c, "0Far away\t/far\t127.0.0.1\t70000\r\n0Near\t/near\t127.0.0.1\t70\r\n.\r\n")
	})
	g := newGopherSession(t)
	out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 / %d", port))
	if want := "# 1 of the items has a field marked invalid: `go` refuses to follow it\n"; !strings.Contains(out, want) {
		t.Errorf("menu with one invalid item: want %q in\n%s", want, out)
	}
}

// HOST:PORT/1/ looks like a URL without its scheme: the hint offers the URL
// too, and says that there the first character after the '/' is the item
// type (it offered only the selector '/1/', which is not what the URL means).
func TestGopherSlashHintOffersTheURL(t *testing.T) {
	ss := newSockSession(t)
	_, errs := ss.Exec("gopher 127.0.0.1:7070/1/")
	if !strings.Contains(errs, "or write the URL gopher://127.0.0.1:7070/1/, where the first character after the '/' is the item type") {
		t.Errorf("gopher 127.0.0.1:7070/1/: %q", errs)
	}
}
