package commands

// The view command without a browser: where the page is, what it refuses,
// its snapshot file, its JSON, --open.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell/testenv"
)

// getPage fetches url and returns its status, a header and its body.
func getPage(t *testing.T, url, header string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get(header), string(body)
}

// TestViewWhereAndOff: view says where the page is, again when asked
// while it runs; it refuses to move while running; view off stops it
// (the port no longer answers) and says so when it is not running.
func TestViewWhereAndOff(t *testing.T) {
	tm := faketerm.New(t, Table())
	url := startViewCmd(t, tm, "")
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.Contains(url, "token") {
		t.Fatalf("default page at %q, want loopback without a token", url)
	}
	if again := tm.MustExec("view"); !strings.Contains(again, "already served at "+url) {
		t.Errorf("view while running said %q", again)
	}
	tm.AssertExecError("view 127.0.0.1:0", "UsageError: the page is served already at "+url+"; `view off` first to serve it elsewhere")
	code, csp, body := getPage(t, url, "Content-Security-Policy")
	if code != 200 || !strings.Contains(body, "Sockets and servers") {
		t.Fatalf("GET %s: %d %.200q", url, code, body)
	}
	// Nothing loads from anywhere: only the page's own script and style.
	if !strings.HasPrefix(csp, "default-src 'none'; script-src 'sha256-") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	for _, bad := range []string{"<script src", "<link", "<img", "@import", "url(http"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page loads something (%q)", bad)
		}
	}
	// Read-only: no method but GET and HEAD.
	resp, err := http.Post(url+"state", "text/plain", strings.NewReader("socket tcp"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", resp.Status)
	}
	// A page bound to loopback without a token answers loopback names
	// only: a page of another site rebinding its name here gets nothing.
	req, _ := http.NewRequest("GET", url+"state", nil)
	req.Host = "attacker.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a foreign Host: %s", resp.Status)
	}

	tm.AssertExec("view off", "")
	if _, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")); err == nil {
		t.Error("the page still answers after view off")
	}
	out, _ := tm.Exec("view off")
	if !strings.Contains(out, "the page is not being served; start it with: view") {
		t.Errorf("view off when off said %q", out)
	}
}

// TestViewBadInput: one clear error each.
func TestViewBadInput(t *testing.T) {
	tm := faketerm.New(t, Table())
	taken := testenv.Listen(t, "tcp4")
	for line, want := range map[string]string{
		"view page.html":                 "UsageError: 'page.html' looks like a file: `view --snapshot page.html` writes the page to a file; `view HOST:PORT` serves it",
		"view --force":                   "UsageError: --force goes with --snapshot FILE",
		"view 127.0.0.1":                 "UsageError: 127.0.0.1 is an address without a port: write 127.0.0.1:PORT (0: any free port)",
		"view 127.0.0.1:0 --snapshot x":  "UsageError: --snapshot writes a file: give it no address, --open or --token",
		"view nohost:x:y":                "UsageError: 'nohost:x:y' is not HOST:PORT: view takes HOST:PORT",
		"view " + taken.Addr().String():  "OSError: [Errno 98] Address already in use",
		"view --snapshot " + t.TempDir(): "IsADirectoryError: [Errno 21] Is a directory",
		"view off extra":                 "UsageError",
	} {
		if got := tm.AssertExecError(line, ""); !strings.Contains(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", line, got, want)
		}
	}
	if run := viewKey.Get(tm.Session); run != nil {
		t.Error("a failed view left a page served")
	}
}

// TestViewSnapshotFile: the page as one file, never over an existing one
// without --force, with the session in it and nothing to load.
func TestViewSnapshotFile(t *testing.T) {
	tm := faketerm.New(t, Table())
	tm.MustExec("socket tcp")
	file := filepath.Join(t.TempDir(), "class.html")
	out := tm.MustExec("view --snapshot " + file)
	if !strings.HasPrefix(out, "view  the page as it is now, in "+file) {
		t.Errorf("view --snapshot said %q", out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{`data-mode="snapshot"`, `"name":"s1"`, `"line":"socket tcp"`, "Content-Security-Policy"} {
		if !strings.Contains(page, want) {
			t.Errorf("the snapshot has no %q", want)
		}
	}
	if strings.Contains(page, "<script src") || strings.Contains(page, "<link") {
		t.Error("the snapshot loads something")
	}
	if got := tm.AssertExecError("view --snapshot "+file, ""); !strings.Contains(got, "FileExistsError") {
		t.Errorf("over an existing file: %q", got)
	}
	tm.MustExec("socket udp")
	tm.MustExec("view --snapshot " + file + " --force")
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), `"name":"s2"`) {
		t.Error("--force did not replace the file with the page as it is now")
	}
}

// TestViewJSONAndOpen: the result as JSON; --open hands the URL to the
// browser opener, and says so when there is none.
func TestViewJSONAndOpen(t *testing.T) {
	tm := faketerm.New(t, Table())
	var opened []string
	old := viewOpener
	viewOpener = func(url string) error { opened = append(opened, url); return nil }
	t.Cleanup(func() { viewOpener = old })
	tm.MustExec("set format json")
	out := tm.MustExec("view 127.0.0.1:0 --open --token")
	t.Cleanup(func() { tm.Exec("view off") })
	var doc struct {
		Result struct {
			URL     string `json:"url"`
			Address []any  `json:"address"`
			Token   bool   `json:"token"`
			Network bool   `json:"network"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	r := doc.Result
	if !r.Token || r.Network || !strings.Contains(r.URL, "?token=") || len(r.Address) != 2 || r.Address[0] != "127.0.0.1" {
		t.Errorf("view in json: %s", out)
	}
	if len(opened) != 1 || opened[0] != r.URL {
		t.Errorf("opened %q, want %q", opened, r.URL)
	}
	viewOpener = func(string) error { return fmt.Errorf("no xdg-open") }
	tm.MustExec("set format python")
	if got := tm.AssertExecError("view --open", ""); !strings.Contains(got, "OSError: the page is served at "+r.URL+", but no browser opened: no xdg-open") {
		t.Errorf("--open without a browser: %q", got)
	}
}

// TestViewCompletes: Tab offers the addresses and off, and files after
// --snapshot.
func TestViewCompletes(t *testing.T) {
	tm := faketerm.New(t, Table())
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("class.html", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for line, wants := range map[string][]string{"view ": {"127.0.0.1:0", "off"}, "view --": {"--snapshot", "--open", "--token"}} {
		cands, _ := tm.Session.Complete(line)
		for _, want := range wants {
			if !slices.Contains(cands, want) {
				t.Errorf("%s<Tab>: %q, want %q among them", line, cands, want)
			}
		}
	}
	if cands, _ := tm.Session.Complete("view --snapshot cl"); !slices.Contains(cands, "class.html") {
		t.Errorf("view --snapshot cl<Tab>: %q", cands)
	}
}
