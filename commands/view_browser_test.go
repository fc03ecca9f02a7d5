package commands

// The live page in a real browser: headless Chromium (Debian's chromium),
// driven by chromedp, loads the page `view` serves while the test runs
// commands in the shell, and reads the page's DOM after each step.
// UPDATE_SCREENSHOT=1 writes docs/view.png from the end of the session.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sockshell/sockshell/commands/classroom"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// browserBound bounds everything one browser test does: a guard against a
// hang, not a timing assertion.
const browserBound = 90 * time.Second

// pageBound bounds one wait for the page to show a change.
const pageBound = 20 * time.Second

// newBrowser starts headless Chromium with a fresh profile and returns a
// context of one tab in it, both ended with the test.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	path := testenv.NeedPeer(t, "chromium", "chromium")
	ctx, cancel := context.WithTimeout(context.Background(), browserBound)
	t.Cleanup(cancel)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(width, height),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// pageSummary is what the page shows, in brief, for a failure message.
const pageSummary = `JSON.stringify({status: document.getElementById('status').textContent,
  rev: document.body.dataset.rev,
  rows: [...document.querySelectorAll('#registry-table tbody tr')].map(r => r.dataset.name + ':' + r.dataset.state),
  machines: [...document.querySelectorAll('.machine')].map(m => m.dataset.name + ':' + m.dataset.state + ' [' + m.dataset.path + ']'),
  arrows: [...document.querySelectorAll('.seq-row.arrow')].map(a => a.dataset.kind),
  rowCount: document.querySelectorAll('#seq .seq-row').length,
  lastRows: [...document.querySelectorAll('#seq .seq-row')].slice(-3).map(r => r.textContent),
  errors: window.pageErrors})`

// waitPage waits until the JavaScript condition holds on the page.
func waitPage(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, pageBound)
	defer cancel()
	if _, err := chromedp.Run(wctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(pageBound))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](pageSummary))
		t.Fatalf("the page never showed %s (%s): %v\npage: %s", what, cond, err, got)
	}
}

// openPage loads url in the tab, and keeps the page's script errors
// where a failure message shows them.
func openPage(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	evalPage[bool](t, ctx, `window.pageErrors = []; addEventListener('error', e => window.pageErrors.push(e.message)); true`)
}

// evalPage evaluates a JavaScript expression on the page.
func evalPage[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// startView runs `view ARGS` and returns the page's URL.
func startViewCmd(t *testing.T, tm *faketerm.Term, args string) string {
	t.Helper()
	out := tm.MustExec(strings.TrimSpace("view " + args))
	_, url, ok := strings.Cut(strings.TrimSpace(out), " served at ")
	if !ok || !strings.HasPrefix(url, "http://") {
		t.Fatalf("view said %q", out)
	}
	t.Cleanup(func() { tm.Exec("view off") })
	return url
}

// arrows is how many arrows the sequence diagram has of that kind.
func arrows(kind string) string {
	return fmt.Sprintf(`document.querySelectorAll('.seq-row.arrow[data-kind="%s"]').length`, kind)
}

// TestViewFollowsSession: the notes' session against serve echo, step by
// step, with the page's registry row, lit TCP state and arrows read after
// each; after close, what the kernel's table says of the connection.
func TestViewFollowsSession(t *testing.T) {
	ctx := newBrowser(t, 1600, 1000)
	tm := faketerm.New(t, Table())
	echo := serveEcho(t, tm)
	url := startViewCmd(t, tm, "127.0.0.1:0")
	openPage(t, ctx, url)
	waitPage(t, ctx, "that it is live", `document.getElementById('status').textContent === 'live'`)
	waitPage(t, ctx, "the echo server", `document.querySelector('#registry-table tr[data-name="echo1"]') !== null`)
	if !evalPage[bool](t, ctx, `document.getElementById('network').hidden`) {
		t.Error("a page on loopback says it is visible to the network")
	}

	tm.MustExec("socket tcp")
	row := `document.querySelector('#registry-table tr[data-name="s1"]')`
	machine := `document.getElementById('tcp-s1')`
	waitPage(t, ctx, "s1 as a new TCP socket", row+` !== null && `+row+`.dataset.state === 'CLOSE' && `+machine+`?.dataset.state === 'CLOSED'`)
	if n := evalPage[int](t, ctx, `document.querySelectorAll('.seq-row.arrow').length`); n != 0 {
		t.Errorf("%d arrows before any socket talked to a peer", n)
	}

	tm.MustExec(fmt.Sprintf("connect s1 %s %d", echo.Addr(), echo.Port()))
	waitPage(t, ctx, "s1 connected", row+`.dataset.state === 'ESTABLISHED' && `+machine+`.dataset.state === 'ESTABLISHED' && `+arrows("connected")+` === 1`)
	// connect() went CLOSED → SYN-SENT → ESTABLISHED: the diagram draws
	// both arrows of the active open as taken.
	if p := evalPage[string](t, ctx, machine+`.dataset.path`); p != "CLOSED SYN_SENT ESTABLISHED" {
		t.Errorf("path after connect: %q", p)
	}
	for _, e := range []string{"CLOSED>SYN_SENT", "SYN_SENT>ESTABLISHED"} {
		from, to, _ := strings.Cut(e, ">")
		sel := fmt.Sprintf(`%s.querySelector('path.edge[data-from="%s"][data-to="%s"]').classList.contains('taken')`, machine, from, to)
		if !evalPage[bool](t, ctx, sel) {
			t.Errorf("the edge %s is not drawn as taken", e)
		}
	}
	local := strings.Trim(strings.NewReplacer("'", "", ", ", ":").Replace(strings.TrimSpace(tm.MustExec("sockname s1"))), "()")
	if got := evalPage[string](t, ctx, row+`.children[4].textContent`); got != local {
		t.Errorf("the row's local address %q, sockname says %q", got, local)
	}

	tm.AssertExec("send s1 hello", "5\n")
	waitPage(t, ctx, "the send as an arrow out", arrows("sent")+` === 1 && `+row+`.children[6].textContent === '5'`)
	if !evalPage[bool](t, ctx, `document.querySelector('.seq-row.arrow[data-kind="sent"]').classList.contains('out')`) {
		t.Error("the send's arrow does not point to the peer")
	}
	got, recvs := "", 0
	for len(got) < 5 && recvs < 5 {
		out := tm.MustExec("recv s1 5")
		recvs++
		got += strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(out), "b'"), "'")
	}
	if got != "hello" {
		t.Fatalf("echo %q", got)
	}
	waitPage(t, ctx, "one arrow in per recv", fmt.Sprintf(`%s === %d && %s.children[7].textContent === '5'`, arrows("received"), recvs, row))
	if !evalPage[bool](t, ctx, `[...document.querySelectorAll('.seq-row.arrow[data-kind="received"]')].every(a => a.classList.contains('in'))`) {
		t.Error("a recv's arrow does not point to this shell")
	}
	// The last command, with its Python line.
	waitPage(t, ctx, "the last command", `document.getElementById('last-line').textContent === '>>> recv s1 5' && document.getElementById('last-python').textContent === 's1.recv(5)'`)

	tm.MustExec("close s1")
	waitPage(t, ctx, "s1 closed", row+`.dataset.state === 'closed' && `+row+`.classList.contains('closed') && `+arrows("closed")+` === 1`)
	// This side closed first: the kernel keeps the connection in
	// FIN-WAIT-2 and then TIME-WAIT, which its table (ss) shows. The page
	// lights what the kernel's table says.
	waitPage(t, ctx, "TIME-WAIT after close", machine+`.dataset.state === 'TIME_WAIT'`)
	if ss := ssState(t, local, fmt.Sprintf("%s:%d", echo.Addr(), echo.Port())); ss != "TIME-WAIT" {
		t.Errorf("the page says TIME_WAIT, ss says %q", ss)
	}
	// Each arrow follows the row of the command that made it.
	for kind, line := range map[string]string{"connected": "connect s1", "sent": "send s1 hello", "closed": "close s1"} {
		cmd := evalPage[string](t, ctx, fmt.Sprintf(`(() => { let r = document.querySelector('.seq-row.arrow[data-kind="%s"]');
			while (r && !r.classList.contains('cmd')) r = r.previousElementSibling;
			return r ? r.querySelector('.gutter').textContent : ''; })()`, kind))
		if !strings.HasPrefix(cmd, line) {
			t.Errorf("the %s arrow follows the command %q, not %q", kind, cmd, line)
		}
	}
	// A command row per command, down the side.
	for _, line := range []string{"socket tcp", "connect s1", "send s1 hello", "close s1"} {
		if !evalPage[bool](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('.seq-row.cmd .gutter')].some(g => g.textContent.startsWith(%q))`, line)) {
			t.Errorf("no command row for %q", line)
		}
	}

	if os.Getenv("UPDATE_SCREENSHOT") == "1" {
		// The viewport as tall as the page, so the picture holds it all.
		h := evalPage[int](t, ctx, `document.documentElement.scrollHeight`)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1600, int64(h))); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", "view.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// ?big: larger type, one column, nothing wider than the screen.
	openPage(t, ctx, url+"?big")
	waitPage(t, ctx, "the big page", `document.body.classList.contains('big') && `+machine+`?.dataset.state === 'TIME_WAIT'`)
	if w := evalPage[[]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth, parseInt(getComputedStyle(document.body).fontSize)]`); w[0] > w[1] || w[2] < 28 {
		t.Errorf("?big: %d px wide in a window of %d, type %d px", w[0], w[1], w[2])
	}

	// The same page as a file, complete in itself: opened from disk it
	// shows the same rows and the same lit state.
	file := filepath.Join(t.TempDir(), "class.html")
	tm.MustExec("view --snapshot " + file)
	openPage(t, ctx, "file://"+file)
	waitPage(t, ctx, "the snapshot's rows", `document.body.dataset.mode === 'snapshot' && `+row+`?.dataset.state === 'closed' && `+machine+`.dataset.state === 'TIME_WAIT' && `+arrows("sent")+` === 1`)

	// A page bound beyond loopback says so, at the top.
	netPage := filepath.Join(t.TempDir(), "net.html")
	st := classroom.NewHub(classroom.Options{Address: "0.0.0.0:8000", Network: true}).State()
	if err := os.WriteFile(netPage, classroom.Page(st, false), 0o644); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, "file://"+netPage)
	waitPage(t, ctx, "the network warning", `!document.getElementById('network').hidden && document.getElementById('network').textContent.includes('visible to the network')`)
}

// ssState is the state ss gives the TCP connection from local to remote
// ("" when it lists none).
func ssState(t *testing.T, local, remote string) string {
	t.Helper()
	bin := testenv.NeedPeer(t, "iproute2", "ss")
	out, err := exec.Command(bin, "-tanH", "src", local, "dst", remote).Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	if f := strings.Fields(string(out)); len(f) > 0 {
		return f[0]
	}
	return ""
}

// TestViewReconnectAndManyEvents: a browser whose stream is cut (the page
// stopped and served again at the same address) reconnects by itself and
// gets the whole state back, with what happened while it was away; after
// 1,000 events more the page still follows the session.
func TestViewReconnectAndManyEvents(t *testing.T) {
	ctx := newBrowser(t, 1280, 900)
	tm := faketerm.New(t, Table())
	echo := serveEcho(t, tm)
	url := startViewCmd(t, tm, "127.0.0.1:0")
	openPage(t, ctx, url)
	waitPage(t, ctx, "the first snapshot", `document.getElementById('status').textContent === 'live' && document.body.dataset.connects === '1'`)
	tm.MustExec("socket tcp")
	tm.MustExec(fmt.Sprintf("connect s1 %s %d", echo.Addr(), echo.Port()))
	waitPage(t, ctx, "the connect", arrows("connected")+` === 1`)

	tm.MustExec("view off")
	waitPage(t, ctx, "the stream lost", `document.getElementById('status').textContent.startsWith('reconnecting')`)
	tm.AssertExec("send s1 hello", "5\n") // while no page is served
	startViewCmd(t, tm, strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/"))
	waitPage(t, ctx, "the whole state again, the send made while away in it",
		`document.body.dataset.connects === '2' && document.getElementById('status').textContent === 'live' && `+arrows("sent")+` === 1 && `+arrows("connected")+` === 1`)

	for i := range 1000 {
		tm.Session.Emit(shell.Event{Kind: "notice", Resource: "s1", Message: fmt.Sprintf("notice %d", i), Quiet: true})
	}
	tm.AssertExec("send s1 again", "5\n")
	// The last rows: the last notice, the command after it, its arrow (the
	// first send has left the rows kept).
	waitPage(t, ctx, "the send after 1,000 events", `(() => { const r = [...document.querySelectorAll('#seq .seq-row')].slice(-3);
		return r.length === 3 && r[0].textContent === 's1: notice 999' && r[1].classList.contains('cmd') &&
			r[1].querySelector('.gutter').textContent === 'send s1 again' && r[2].dataset.kind === 'sent'; })()`)
	rows := evalPage[int](t, ctx, `document.querySelectorAll('#seq .seq-row').length`)
	if rows > classroom.KeepEvents {
		t.Errorf("%d rows in the sequence: more than the %d kept", rows, classroom.KeepEvents)
	}
	if !evalPage[bool](t, ctx, `!document.getElementById('seq-earlier').hidden && /earlier events? not shown/.test(document.getElementById('seq-earlier').textContent)`) {
		t.Error("the page does not say it shows only the last events")
	}
	waitPage(t, ctx, "the registry after the burst", `document.querySelector('#registry-table tr[data-name="s1"]').children[6].textContent === '10'`)
}

// TestViewTokenAndMore: with a token, a request without it or with a wrong
// one is refused (403), the page itself too; with it the page is live.
// Then, in that page (one browser for the lot): a UDP socket, a refused
// connect, a listener and what accept() made, and packets once the wire
// view reports them.
func TestViewTokenAndMore(t *testing.T) {
	ctx := newBrowser(t, 1024, 768)
	tm := faketerm.New(t, Table())
	url := startViewCmd(t, tm, "127.0.0.1:0 --token")
	base, token, ok := strings.Cut(url, "?token=")
	if !ok || len(token) != 32 {
		t.Fatalf("no token of 128 bits in %q", url)
	}
	for _, u := range []string{base, base + "?token=" + strings.Repeat("0", 32), base + "events", base + "state?token=" + token[:31]} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: %s, want 403", u, resp.Status)
		}
	}
	openPage(t, ctx, base+"?token=wrong")
	if text := evalPage[string](t, ctx, `document.body.textContent`); !strings.Contains(text, "403") || strings.Contains(text, "Sockets and servers") {
		t.Errorf("the page with a wrong token: %q", text)
	}
	openPage(t, ctx, url)
	waitPage(t, ctx, "the page live with its token", `document.getElementById('status').textContent === 'live'`)
	tm.MustExec("socket udp")
	waitPage(t, ctx, "the UDP socket", `document.querySelector('#registry-table tr[data-name="s1"]')?.dataset.state === 'UNCONN'`)
	// connect() on UDP sends nothing: a line on this side, no arrow.
	closed := testenv.ClosedPort(t, "tcp")
	tm.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", closed))
	waitPage(t, ctx, "the UDP connect, local", `document.querySelector('#registry-table tr[data-name="s1"]').dataset.state === 'CONNECTED' && document.querySelector('.seq-row.note[data-kind="connected"]') !== null`)
	if n := evalPage[int](t, ctx, `document.querySelectorAll('.seq-row.arrow').length`); n != 0 {
		t.Errorf("%d arrows for a UDP connect", n)
	}
	if n := evalPage[int](t, ctx, `document.querySelectorAll('.machine').length`); n != 0 {
		t.Errorf("%d TCP state diagrams for a UDP socket", n)
	}
	// A refused TCP connect: SYN sent, RST back, CLOSED again.
	tm.MustExec("socket tcp")
	tm.AssertExecError(fmt.Sprintf("connect s2 127.0.0.1 %d", closed), "ConnectionRefusedError")
	waitPage(t, ctx, "the refused connect", `document.getElementById('tcp-s2')?.dataset.path === 'CLOSED SYN_SENT CLOSED' && document.getElementById('tcp-s2').dataset.state === 'CLOSED' && `+arrows("connect_failed")+` === 1`)
	if !evalPage[bool](t, ctx, `document.querySelector('#tcp-s2 path.edge[data-from="SYN_SENT"][data-to="CLOSED"]').classList.contains('taken')`) {
		t.Error("SYN-SENT → CLOSED is not drawn as taken")
	}
	// The server side: a listener, and the socket accept() made, which
	// came through the listener's queue.
	tm.MustExec("socket tcp")
	tm.MustExec("bind s3 127.0.0.1 0")
	tm.MustExec("listen s3")
	port := strings.TrimSuffix(strings.TrimSpace(tm.MustExec("sockname s3")), ")")
	port = port[strings.LastIndex(port, " ")+1:]
	tm.MustExec("connect 127.0.0.1 " + port)
	tm.MustExec("accept s3")
	waitPage(t, ctx, "the listener and the accepted socket", `document.getElementById('tcp-s3')?.dataset.state === 'LISTEN' && document.getElementById('tcp-s5')?.dataset.path === 'LISTEN SYN_RECEIVED ESTABLISHED' && document.getElementById('tcp-s4')?.dataset.state === 'ESTABLISHED'`)
	tm.MustExec("close s3")
	waitPage(t, ctx, "the listener closed", `document.getElementById('tcp-s3').dataset.path === 'CLOSED LISTEN CLOSED' && document.getElementById('tcp-s3').dataset.state === 'CLOSED'`)

	// Once the wire view reports packets (kind "packet"), they are the
	// arrows, with their flags, numbers and lengths; the socket events
	// become lines on this side.
	for _, p := range []struct {
		dir, flags string
		seq, ack   int
		n          int
	}{{"out", "SYN", 0, 0, 0}, {"in", "SYN,ACK", 0, 1, 0}, {"out", "ACK", 1, 1, 0}, {"out", "PSH,ACK", 1, 1, 5}} {
		tm.Session.Emit(shell.Event{Kind: "packet", Resource: "s4", Quiet: true, Attrs: []shell.Attr{
			{Key: "dir", Value: p.dir}, {Key: "flags", Value: p.flags}, {Key: "seq", Value: p.seq},
			{Key: "ack", Value: p.ack}, {Key: "len", Value: p.n}}})
	}
	waitPage(t, ctx, "the packets as arrows", arrows("packet")+` === 4 && `+arrows("connect_failed")+` === 0 && document.querySelector('.seq-row.note[data-kind="connect_failed"]') !== null`)
	got := evalPage[[]string](t, ctx, `[...document.querySelectorAll('.seq-row.arrow[data-kind="packet"]')].map(a => a.className.split(' ').pop() + ' ' + a.textContent)`)
	want := []string{"out s4 [SYN] seq 0 ack 0 len 0", "in s4 [SYN,ACK] seq 0 ack 1 len 0", "out s4 [ACK] seq 1 ack 1 len 0", "out s4 [PSH,ACK] seq 1 ack 1 len 5"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("packet arrows:\n got %q\nwant %q", got, want)
	}
}
