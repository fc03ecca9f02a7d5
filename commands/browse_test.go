package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/testenv"
)

// TestGopherTranscripts runs testdata/gopher/*.txt, each with a fresh free
// $PORT and temporary directory $TMP.
func TestGopherTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/gopher/*.txt")
	if len(files) == 0 {
		t.Fatal("no gopher transcripts")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			runTranscript(t, f, map[string]string{"TMP": t.TempDir()})
		})
	}
}

// TestGopherMenuJSON: with `set format json` a menu is data: one object a
// row, numbered items with integer ports, info lines without a number.
func TestGopherMenuJSON(t *testing.T) {
	g := newGopherSession(t)
	port := g.serve(gopherHole)
	g.MustExec("set format json")
	out := g.MustExec(fmt.Sprintf("gopher localhost / %d", port))
	var doc struct {
		Command string           `json:"command"`
		Python  []string         `json:"python"`
		Result  []map[string]any `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	var items, info int
	for _, row := range doc.Result {
		if row["#"] == nil { // an info line: no number
			info++
			continue
		}
		items++
		if n, ok := row["#"].(float64); !ok || int(n) != items {
			t.Errorf("item %d numbered %v", items, row["#"])
		}
		if p, ok := row["port"].(float64); !ok || int(p) != port {
			t.Errorf("item %d port %v, want %d", items, row["port"], port)
		}
	}
	if items != 5 || info == 0 {
		t.Errorf("%d items and %d info lines in %s", items, info, out)
	}
	want := map[string]any{"#": 1.0, "type": "TXT", "display": "What is a socket?", "selector": "/sockets.txt", "host": "127.0.0.1", "port": float64(port)}
	var first map[string]any
	for _, row := range doc.Result {
		if row["#"] != nil {
			first = row
			break
		}
	}
	if fmt.Sprint(first) != fmt.Sprint(want) {
		t.Errorf("first item %v, want %v", first, want)
	}
	if len(doc.Python) == 0 || !strings.Contains(strings.Join(doc.Python, "\n"), "create_connection(('localhost', "+strconv.Itoa(port)+"))") {
		t.Errorf("python equivalent: %q", doc.Python)
	}
	// An error is a JSON document on standard error.
	_, errs := g.Exec(fmt.Sprintf("gopher localhost /missing.txt %d", port))
	var e struct {
		Error struct{ Class, Message, Hint string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(errs), &e); err != nil || e.Error.Class != "FileNotFoundError" || e.Error.Hint == "" {
		t.Errorf("missing selector in json: %v %q", err, errs)
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left open: %v", s)
	}
}

func TestGopherCommandsAgainstGophernicus(t *testing.T) {
	root := testenv.PublicTempDir(t)
	text := "Sockets are file descriptors.\nGopher is port 70.\n"
	blob := gopherBlob(300 << 10)
	for name, data := range map[string][]byte{"notes.txt": []byte(text), "blob.bin": blob} {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "sub", "inner.txt"), []byte("inside\n"), 0o644)
	// The root has a gophermap (stable display strings); sub/ is listed by
	// gophernicus itself.
	gophermap := "Test hole\n0Notes on sockets\tnotes.txt\n9A blob\tblob.bin\n1A directory\tsub/\n"
	os.WriteFile(filepath.Join(root, "gophermap"), []byte(gophermap), 0o644)
	port := testenv.Gophernicus(t, root)
	g := newGopherSession(t)

	// The menu as a numbered table.
	// (gophernicus's footer sets the column widths: compare words.)
	out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 / %d", port))
	words := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, row := range []string{
		"| | | Test hole | | | |",
		fmt.Sprintf("| 1 | TXT | Notes on sockets | /notes.txt | localhost | %d |", port),
		fmt.Sprintf("| 2 | BIN | A blob | /blob.bin | localhost | %d |", port),
		fmt.Sprintf("| 3 | MENU | A directory | /sub/ | localhost | %d |", port),
	} {
		if !strings.Contains(words(out), row) {
			t.Errorf("gophernicus menu lacks %q:\n%s", row, out)
		}
	}

	// The text file by number: gophernicus sends CRLF, shown as lines.
	if got := g.MustExec("go 1"); got != text {
		t.Errorf("go 1: %q, want %q", got, text)
	}
	// The generated listing of sub/.
	if out := g.MustExec("back; go 3"); !strings.Contains(out, fmt.Sprintf("| /sub/inner.txt | localhost | %d |", port)) {
		t.Errorf("sub/ listing:\n%s", out)
	}
	if len(g.sockets()) != 0 {
		t.Errorf("sockets left open: %v", g.sockets())
	}

	// A missing directory: gophernicus answers with an error item.
	_, errs := g.Exec(fmt.Sprintf("gopher 127.0.0.1 /missing/ %d", port))
	if !strings.HasPrefix(errs, "FileNotFoundError: the server has no selector '/missing/'") || !strings.Contains(errs, "hint: ") {
		t.Errorf("/missing/: %q", errs)
	}
	// A missing file: gophernicus answers with a text, "Error: File or
	// directory not found!" and a footer, not with an error item: that
	// text is what the server sent, shown or saved as it is.
	if out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /missing.txt %d", port)); !strings.HasPrefix(out, "Error: File or directory not found!") {
		t.Errorf("/missing.txt: %q", out)
	}
	missing := filepath.Join(t.TempDir(), "missing.bin")
	g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /missing.bin %d --out %s", port, missing))
	if b, _ := os.ReadFile(missing); !strings.HasPrefix(string(b), "Error: File or directory not found!") {
		t.Errorf("/missing.bin saved %q", b)
	}

	// The binary file with --out, byte for byte.
	dst := filepath.Join(t.TempDir(), "blob.bin")
	out = g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /blob.bin %d --out %s", port, dst))
	if want := fmt.Sprintf("%d\n# %d bytes saved to %s\n", len(blob), len(blob), dst); out != want {
		t.Errorf("download said %q, want %q", out, want)
	}
	if sum, n := fileSHA(t, dst); sum != bytesSHA(blob) || n != int64(len(blob)) {
		t.Errorf("blob.bin: %d bytes, sha256 %s; want %d, %s", n, sum, len(blob), bytesSHA(blob))
	}
	// A text file saved with --out is the bytes gophernicus sent (CRLF).
	dst = filepath.Join(t.TempDir(), "notes.txt")
	g.MustExec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/0/notes.txt --out %s", port, dst))
	if got, _ := os.ReadFile(dst); string(got) != strings.ReplaceAll(text, "\n", "\r\n") {
		t.Errorf("notes.txt saved as %q", got)
	}
}

// gopherRaw sends request to 127.0.0.1:port and returns the whole reply.
func gopherRaw(t *testing.T, port int, request string) []byte {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(gopherTestBound))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCurlAgainstServeGopher: curl's gopher client against a server the
// session started with `serve gopher`.
func TestCurlAgainstServeGopher(t *testing.T) {
	curl := testenv.NeedPeer(t, "curl", "curl")
	dir := t.TempDir()
	blob := gopherBlob(100 << 10)
	files := map[string][]byte{
		"notes.txt":     []byte("Line one.\n.\n..two dots\nlast line without LF"),
		"blob.bin":      blob,
		"sub/inner.txt": []byte("inside\r\n"),
	}
	for name, data := range files {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g := newGopherSession(t)
	port := g.serve(dir)

	run := func(url string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), gopherTestBound)
		defer cancel()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, curl, "--silent", "--show-error", "--max-time", "20", url)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("curl %s: %v: %s", url, err, stderr.String())
		}
		return out
	}
	base := fmt.Sprintf("gopher://127.0.0.1:%d", port)
	for url, request := range map[string]string{base + "/": "\r\n", base + "/1/sub": "/sub\r\n"} {
		got, want := run(url), gopherRaw(t, port, request)
		if !bytes.Equal(got, want) || !bytes.HasSuffix(got, []byte("\r\n.\r\n")) {
			t.Errorf("curl %s:\n%q\nthe server sends:\n%q", url, got, want)
		}
	}
	for name, want := range files {
		typ := "0"
		if strings.HasSuffix(name, ".bin") {
			typ = "9"
		}
		if got := run(base + "/" + typ + "/" + name); bytesSHA(got) != bytesSHA(want) {
			t.Errorf("curl %s: %d bytes, not the file's %d", name, len(got), len(want))
		}
		// Our client with --out saves the same bytes.
		dst := filepath.Join(t.TempDir(), "out")
		g.MustExec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/%s/%s --out %s", port, typ, name, dst))
		if sum, _ := fileSHA(t, dst); sum != bytesSHA(want) {
			t.Errorf("gopher --out %s differs from the file", name)
		}
	}
	// curl's connections are counted by `servers`.
	if out := g.MustExec("set format json; servers"); !strings.Contains(out, `"connections":`) {
		t.Errorf("servers: %s", out)
	}
}

// TestGopherBigDownload: a 1 GiB binary (64 MiB with -short) through
// `serve gopher` and `gopher --out`, in constant memory.
func TestGopherBigDownload(t *testing.T) {
	size := int64(1 << 30)
	if testing.Short() {
		size = 64 << 20
	}
	dir := t.TempDir()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	if free := int64(st.Bavail) * int64(st.Bsize); free < 3<<30 {
		t.Skipf("only %d MiB free in %s; the download needs 3 GiB", free>>20, dir)
	}
	src := filepath.Join(dir, "srv")
	os.Mkdir(src, 0o755)
	// A sparse file of zeros with a few marked bytes along it.
	f, err := os.Create(filepath.Join(src, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 4095, 4096, size / 3, size - 1} {
		f.WriteAt([]byte{0xa5}, off)
	}
	f.Close()
	wantSum, _ := fileSHA(t, filepath.Join(src, "big.bin"))

	g := newGopherSession(t)
	port := g.serve(src)
	// The whole download is bounded by the session's timeout: 30 s is not
	// enough for 1 GiB under -race on a loaded machine (it took 28 s alone),
	// so give it a generous bound that only a hang reaches.
	g.MustExec("set timeout 300")
	dst := filepath.Join(dir, "got.bin")

	// Sample the heap while the download runs.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	out, errs := g.Exec(fmt.Sprintf("gopher localhost /big.bin %d --out %s", port, dst))
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	if errs != "" {
		t.Fatal(errs)
	}
	if want := fmt.Sprintf("%d\n# %d bytes saved to %s\n", size, size, dst); out != want {
		t.Errorf("said %q, want %q", out, want)
	}
	sum, n := fileSHA(t, dst)
	if n != size || sum != wantSum {
		t.Errorf("got %d bytes, sha256 %s; want %d, %s", n, sum, size, wantSum)
	}
	growth := int64(peak) - int64(base)
	t.Logf("%d MiB in %v (%.0f MiB/s); peak heap growth %.1f MiB", size>>20, elapsed.Round(time.Millisecond),
		float64(size>>20)/elapsed.Seconds(), float64(growth)/(1<<20))
	if growth > 64<<20 {
		t.Errorf("heap grew by %d MiB during the download; want constant memory (< 64 MiB)", growth>>20)
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left open: %v", s)
	}
}

// waitSocket waits (bounded) until the session holds a socket and returns
// its name.
func (g *gopherSession) waitSocket() string {
	g.t.Helper()
	deadline := time.Now().Add(gopherTestBound)
	for time.Now().Before(deadline) {
		if s := g.sockets(); len(s) > 0 {
			return s[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.t.Fatal("no registry socket appeared during the fetch")
	return ""
}

// TestGopherFetchSocketInRegistry: while a fetch waits for its reply, its
// connection is a registry socket (sockname/peername work on it); once the
// fetch ends, by the server's reply or by Ctrl-C, it is gone.
func TestGopherFetchSocketInRegistry(t *testing.T) {
	release := make(chan struct{})
	var relOnce sync.Once
	t.Cleanup(func() { relOnce.Do(func() { close(release) }) })
	selectors := make(chan string, 4)
	port := gopherFake(t, func(c net.Conn, sel string) {
		selectors <- sel
		select {
		case <-release:
			io.WriteString(c, "slow but here\r\n.\r\n")
		case <-time.After(gopherTestBound):
		}
	})
	g := newGopherSession(t)

	done := g.async(fmt.Sprintf("gopher 127.0.0.1 /slow.txt %d", port))
	name := g.waitSocket()
	if sel := <-selectors; sel != "/slow.txt" {
		t.Errorf("the server got selector %q", sel)
	}
	r, _ := g.Session.Resource(name)
	sock := r.(*bsd.Socket)
	if peer, err := sock.PeerName(); err != nil || !strings.Contains(peer.String(), strconv.Itoa(port)) {
		t.Errorf("peername %s: %v, %v", name, peer, err)
	}
	if local, err := sock.SockName(); err != nil || !strings.Contains(local.String(), "127.0.0.1") {
		t.Errorf("sockname %s: %v, %v", name, local, err)
	}
	relOnce.Do(func() { close(release) })
	if errs := waitDone(t, done); errs != "" {
		t.Fatal(errs)
	}
	if got := g.running.Output(); got != "slow but here\n" {
		t.Errorf("printed %q", got)
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left after the fetch: %v", s)
	}
	if _, ok := g.Session.Resource(name); ok {
		t.Errorf("%s still registered", name)
	}

	// Cancelled (Ctrl-C) while waiting: KeyboardInterrupt, socket gone.
	port2 := gopherFake(t, func(c net.Conn, sel string) {
		io.Copy(io.Discard, c) // until the client goes
	})
	done = g.async(fmt.Sprintf("gopher 127.0.0.1 / %d", port2))
	g.waitSocket()
	for !g.Session.Interrupt() {
		time.Sleep(time.Millisecond)
	}
	if errs := waitDone(t, done); !strings.HasPrefix(errs, "KeyboardInterrupt") {
		t.Errorf("cancelled fetch: %q", errs)
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left after cancel: %v", s)
	}
}

// TestGopherDripTimesOut: a server sending one byte every 200 ms never
// lets a single recv time out; with `set timeout 0.5` the page as a whole
// does: TimeoutError, no hang.
func TestGopherDripTimesOut(t *testing.T) {
	port := gopherFake(t, func(c net.Conn, sel string) {
		reply := "iDripping slowly\t\tnull.host\t1\r\n"
		for i := 0; ; i++ {
			if _, err := c.Write([]byte{reply[i%len(reply)]}); err != nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	g := newGopherSession(t)
	g.MustExec("set timeout 0.5")
	for _, sel := range []string{"/", "/drip.txt"} {
		errs := waitDone(t, g.async(fmt.Sprintf("gopher 127.0.0.1 %s %d", sel, port)))
		if !strings.HasPrefix(errs, "TimeoutError") {
			t.Errorf("%s from a dripping server: %q, want TimeoutError", sel, errs)
		}
		if s := g.sockets(); len(s) != 0 {
			t.Errorf("sockets left: %v", s)
		}
	}
}

// TestGopherEscapesNeutralised: escape sequences a server puts in menu
// display strings, texts and error items never reach the terminal raw.
func TestGopherEscapesNeutralised(t *testing.T) {
	// Raw bytes (ESC, BEL, a lone 0x9b), and characters: CSI as UTF-8
	// (U+009B), DEL, bidirectional overrides and invisible characters
	// (issue 7, items 34 and 36).
	const chars = "\u009b\x7f\u202e\u2066\u200b\ufeff\u2028"
	evil := "\x1b[2J\x1b]0;owned\x07\x1b[31mred\x9b31m" + chars
	port := gopherFake(t, func(c net.Conn, sel string) {
		switch sel {
		case "", "/":
			io.WriteString(c, "i"+evil+"\t\tnull.host\t1\r\n0"+evil+"\t/x"+evil+"\tlocalhost\t70\r\n.\r\n")
		case "/err":
			io.WriteString(c, "3"+evil+"\t\terror.host\t1\r\n.\r\n")
		default:
			io.WriteString(c, "text "+evil+"\r\n.\r\n")
		}
	})
	g := newGopherSession(t)
	for _, format := range []string{"table", "python", "json"} {
		g.MustExec("set format " + format)
		for _, line := range []string{"gopher 127.0.0.1 / %d", "gopher 127.0.0.1 /t.txt %d", "gopher 127.0.0.1 /err %d", "gopher 127.0.0.1 / %d --raw"} {
			out, errs := g.Exec(fmt.Sprintf(line, port))
			if strings.ContainsAny(out+errs, "\x1b\x07"+chars) {
				t.Errorf("%s (format %s) printed a raw escape:\n%q\n%q", line, format, out, errs)
			}
			if out+errs == "" {
				t.Errorf("%s printed nothing", line)
			}
		}
	}
}

// TestGopherProgressBar: the bar is for terminals only; a session printing
// into a buffer never gets one, and the bar itself rewrites one line.
func TestGopherProgressBar(t *testing.T) {
	g := newGopherSession(t)
	port := g.serve(gopherHole)
	out, errs := g.Exec(fmt.Sprintf("gopher localhost /tiny.bin %d --out %s", port, filepath.Join(t.TempDir(), "t")))
	if strings.ContainsAny(out+errs, "\r\x1b") || errs != "" {
		t.Errorf("progress outside a terminal: %q %q", out, errs)
	}

	var file, term bytes.Buffer
	status := shell.NewSession(Table(), io.Discard, &term).Status
	bar := &progressBar{w: &file, to: status, start: time.Now().Add(-time.Second)}
	bar.Write(make([]byte, 3<<20)) // last is zero: shown at once
	bar.last = time.Now().Add(time.Hour)
	bar.Write(make([]byte, 1<<20)) // within 100 ms of the last: not shown
	bar.clear()
	if file.Len() != 4<<20 {
		t.Errorf("the bar passed %d bytes on", file.Len())
	}
	shown := term.String()
	if !strings.HasPrefix(shown, "\r\x1b[K  3.0 MiB  (") || !strings.HasSuffix(shown, "MiB/s)\r\x1b[K") || strings.Count(shown, "\r") != 2 {
		t.Errorf("bar drew %q", shown)
	}
	var nilBar *progressBar
	nilBar.clear() // no bar: nothing to clear
}

// TestGopherTextFraming: an RFC 1436 text reply (dot-stuffed, "."
// terminated) is shown unframed; a file sent verbatim (as sockshell's own
// server and gophernicus do) is shown whole, even with a "." line in it;
// --out saves the bytes as sent either way.
func TestGopherTextFraming(t *testing.T) {
	framed := "first\r\n..stuffed\r\n.\r\n"
	port := gopherFake(t, func(c net.Conn, sel string) { io.WriteString(c, framed) })
	g := newGopherSession(t)
	if out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /framed.txt %d", port)); out != "first\n.stuffed\n" {
		t.Errorf("framed text shown as %q", out)
	}
	dst := filepath.Join(t.TempDir(), "framed")
	g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /framed.txt %d --out %s", port, dst))
	if b, _ := os.ReadFile(dst); string(b) != framed {
		t.Errorf("--out saved %q", b)
	}

	dir := t.TempDir()
	verbatim := "Line one.\n.\n..two dots\nlast\n"
	os.WriteFile(filepath.Join(dir, "dots.txt"), []byte(verbatim), 0o644)
	sport := g.serve(dir)
	if out := g.MustExec(fmt.Sprintf("gopher localhost /dots.txt %d", sport)); out != verbatim {
		t.Errorf("verbatim text shown as %q, want %q", out, verbatim)
	}
}

// TestServeGopherConfined: `serve gopher DIR` serves nothing outside DIR
// (dot-dot, hidden names, symbolic links out of it) and caps its
// connections: beyond the cap a client gets an error item, not a hang.
func TestServeGopherConfined(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.txt"), []byte("hidden\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("ok\n"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "secret.txt")); err != nil {
		t.Fatal(err)
	}
	g := newGopherSession(t)
	port := g.serve(dir)
	out := g.MustExec(fmt.Sprintf("gopher localhost / %d", port))
	if strings.Contains(out, "secret") || strings.Contains(out, "hidden") || strings.Contains(out, "| out") || !strings.Contains(out, "/ok.txt") {
		t.Errorf("root listing shows what it should not (or lacks ok.txt):\n%s", out)
	}
	for _, sel := range []string{"../" + filepath.Base(outside) + "/secret.txt", "/out/secret.txt", "/secret.txt", "/.hidden.txt", "/ok.txt/../../x", "/%2e%2e/etc/passwd"} {
		out, errs := g.Exec(fmt.Sprintf("gopher localhost '%s' %d", sel, port))
		if out != "" || !strings.Contains(errs, "Error: ") || strings.Contains(errs, "secret\n") {
			t.Errorf("%s: %q %q, want a refusal", sel, out, errs)
		}
	}

	// The connection cap (32), on a fresh server: a handler of the fetches
	// above may still be ending, and a slot it frees after the flood would
	// let the next client in.
	g.MustExec("stop all")
	port = g.serve(dir)
	// Hold 40 connections open without a request
	// (more than the cap, so that the slots are taken whichever handlers
	// run first); the next client is told the server is busy.
	conns := func() int {
		var doc struct{ Result []struct{ Connections int } }
		out := g.MustExec("set format json; servers")
		// The last document is the table of servers.
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &doc); err != nil || len(doc.Result) != 1 {
			t.Fatalf("servers: %v %s", err, out)
		}
		return doc.Result[0].Connections
	}
	before := conns()
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 40 {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// Wait (bounded) until the server has accepted them all.
	deadline := time.Now().Add(gopherTestBound)
	for conns() < before+40 {
		if time.Now().After(deadline) {
			t.Fatal("the server did not accept 40 connections")
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.MustExec("set format table")
	_, errs := g.Exec(fmt.Sprintf("gopher localhost / %d", port))
	if !strings.Contains(errs, "server busy") {
		t.Errorf("beyond the cap: %q", errs)
	}
	for _, c := range held {
		c.Close()
	}
	held = nil
	// Once they are gone the server answers again (bounded retry: the
	// handlers notice the closed connections asynchronously).
	for {
		_, errs = g.Exec(fmt.Sprintf("gopher localhost /ok.txt %d", port))
		if errs == "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if errs != "" {
		t.Errorf("after the flood: %q", errs)
	}
}

// TestGopherBadPeers: a reset mid-reply and a server that is not a gopher
// server (an HTTP reply) are named, each with its line of explanation.
func TestGopherBadPeers(t *testing.T) {
	port := gopherFake(t, func(c net.Conn, sel string) {
		switch sel {
		case "/http":
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
		default:
			io.WriteString(c, "partial")
			c.(*net.TCPConn).SetLinger(0) // the close sends a reset

		}
	})
	g := newGopherSession(t)
	partial := filepath.Join(t.TempDir(), "r")
	for _, sel := range []string{"/reset.txt", "/reset/", "/reset.bin --out " + partial} {
		_, errs := g.Exec(fmt.Sprintf("gopher 127.0.0.1 %s %d", sel, port))
		if !strings.HasPrefix(errs, "ConnectionResetError: [Errno 104]") || !strings.Contains(errs, "\n  hint: ") {
			t.Errorf("%s: %q", sel, errs)
		}
	}
	// A partial download is not left behind.
	if _, err := os.Stat(partial); err == nil {
		t.Error("partial download kept")
	}
	out := g.MustExec(fmt.Sprintf("gopher 127.0.0.1 /http %d", port))
	if !strings.Contains(out, "|   |      | HTTP/1.1 400 Bad Request |") || strings.Contains(out, "| 1 |") {
		t.Errorf("HTTP reply as a menu:\n%s", out)
	}
	if _, errs := g.Exec("go 1"); !strings.HasPrefix(errs, "IndexError: no item '1': the menu has no items to follow") {
		t.Errorf("go 1 on a menu without items: %q", errs)
	}
	if s := g.sockets(); len(s) != 0 {
		t.Errorf("sockets left: %v", s)
	}
}

// TestGopherBinaryDefaultName: a binary item without --out is saved in the
// current directory under the selector's name, never over an existing file.
func TestGopherBinaryDefaultName(t *testing.T) {
	hole, err := filepath.Abs(gopherHole)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := fileSHA(t, filepath.Join(hole, "tiny.bin"))
	t.Chdir(t.TempDir())
	g := newGopherSession(t)
	port := g.serve(hole)
	g.MustExec(fmt.Sprintf("gopher localhost / %d", port))
	for _, name := range []string{"tiny.bin", "tiny.bin.1"} {
		if out := g.MustExec("go 5"); out != "16\n# 16 bytes saved to "+name+"\n" {
			t.Errorf("go 5: %q", out)
		}
		if sum, _ := fileSHA(t, name); sum != want {
			t.Errorf("%s differs from the served file", name)
		}
	}
}
