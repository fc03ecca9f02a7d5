package commands

// Issue 14: the classroom page is safe from what a peer sends. The
// session's events quoting a peer's text (an event's message, a command's
// line with the attack bytes and HTML) reach the page's stream and its
// state as JSON that cannot end the message or the <script> element, the
// browser shows them as text (no element is made, no script runs), and
// the lines view prints in the terminal stay free of control characters.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
)

// htmlAttack is markup that would run script if a page parsed it as HTML.
const htmlAttack = `</script><img src=x onerror="document.title='owned'"><script>document.title='owned'</script><!--`

// classroomSSE is one SSE message: its event, its id, its data on one line.
var classroomSSE = regexp.MustCompile(`\Aevent: (?:snapshot|delta)\nid: \d+\ndata: ([^\r\n]*)\n\n\z`)

// sseUntil reads url's event stream, message by message (the snapshot,
// then deltas), handing each one's data to each, until each says it has
// what it waited for.
func sseUntil(t *testing.T, url string, each func(data []byte) bool) {
	t.Helper()
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	for {
		var msg []byte
		for !bytes.HasSuffix(msg, []byte("\n\n")) {
			line, err := r.ReadBytes('\n')
			msg = append(msg, line...)
			if err != nil {
				t.Fatalf("the stream ended: %v\n%q", err, msg)
			}
		}
		if !bytes.HasPrefix(msg, []byte("event: ")) {
			continue // a "retry:" line comes before the first with data
		}
		m := classroomSSE.FindSubmatch(msg)
		if m == nil {
			t.Fatalf("not one SSE message: %.300q", msg)
		}
		if each(m[1]) {
			return
		}
	}
}

func TestClassroomSafeFromPeerText(t *testing.T) {
	port := sockGoPeer(t, func(c *net.TCPConn) { io.WriteString(c, attack()+htmlAttack); c.CloseWrite(); io.Copy(io.Discard, c) })
	tm := faketerm.New(t, Table())
	tm.MustExec("set timeout 5")
	url := startViewCmd(t, tm, "127.0.0.1:0")
	tm.MustExec(fmt.Sprintf("connect 127.0.0.1 %d", port))
	tm.MustExec("recv s1 4096")
	tm.Exec("send s9 " + shellQuote(attackLine()+htmlAttack)) // a command line the page shows
	tm.Session.Emit(shell.Event{Kind: "notice", Resource: "s1", Message: attack() + htmlAttack, Quiet: true})
	for _, format := range []string{"python", "table", "json"} {
		tm.MustExec("set format " + format)
		out, errs := tm.Exec("view")
		checkSafe(t, format+": view", out+errs)
	}
	snap := filepath.Join(t.TempDir(), "snap.html")
	tm.MustExec("view --snapshot " + snap)

	// The stream: each message one SSE message, its data JSON with no raw
	// <, > or &, until the notice's text is there as it was. The page's
	// model takes the session's events on its own goroutine, so the
	// snapshot a browser gets first may come before the notice, which then
	// comes in a delta.
	found := false
	sseUntil(t, url+"events", func(data []byte) bool {
		if bytes.ContainsAny(data, "<>&\u2028\u2029") {
			t.Errorf("the stream's data holds raw markup: %.300q", data)
		}
		var st struct{ Events []struct{ Message string } }
		if err := json.Unmarshal(data, &st); err != nil {
			t.Fatal(err)
		}
		for _, e := range st.Events {
			found = found || strings.HasSuffix(e.Message, htmlAttack)
		}
		return found
	})
	// The page and the snapshot: the state cannot end its <script>.
	_, _, page := getPage(t, url, "")
	file, _ := os.ReadFile(snap)
	for what, doc := range map[string]string{"the page": page, "the snapshot": string(file)} {
		if strings.Count(doc, "</script>") != 2 || strings.Contains(doc, "<img") {
			t.Errorf("%s has markup from the peer: %d </script>", what, strings.Count(doc, "</script>"))
		}
	}

	// A browser shows the texts as text: no element made, no script run.
	ctx := newBrowser(t, 1280, 900)
	openPage(t, ctx, url)
	waitPage(t, ctx, "the notice", `[...document.querySelectorAll('#seq .seq-row')].some(r => r.textContent.includes("onerror="))`)
	if title := evalPage[string](t, ctx, `document.title`); title == "owned" {
		t.Error("a peer's text ran as script in the page")
	}
	if n := evalPage[int](t, ctx, `document.querySelectorAll('img, #seq script').length`); n != 0 {
		t.Errorf("a peer's text made %d elements in the page", n)
	}
}
