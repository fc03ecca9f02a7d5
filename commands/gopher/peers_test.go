package gopher

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

func TestCurlAgainstServer(t *testing.T) {
	curl := testenv.NeedPeer(t, "curl", "curl")
	_, port := startServer(t, hole, nil)
	run := func(url string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, curl, "--silent", "--show-error", "--max-time", "15", url)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("curl %s: %v: %s", url, err, stderr.String())
		}
		return out
	}
	base := "gopher://127.0.0.1:" + strconv.Itoa(port)

	// The root menu: curl prints the bytes our server sends.
	menu := run(base + "/")
	if want := testenv.Exchange(t, port, "\r\n", testTimeout); !bytes.Equal(menu, want) {
		t.Errorf("curl root menu differs:\ncurl: %q\nraw:  %q", menu, want)
	}
	if !bytes.HasSuffix(menu, []byte("\r\n.\r\n")) {
		t.Errorf("menu without terminator: %q", menu)
	}
	parsed, err := ParseMenu(bytes.NewReader(menu), Limits{})
	if err != nil || len(parsed.Items) == 0 {
		t.Fatalf("curl's menu does not parse: %v", err)
	}
	// Every file item, fetched by curl from its URL, byte for byte.
	fetched := 0
	for _, it := range parsed.Items {
		if it.Type != '0' && it.Type != '9' {
			continue
		}
		got := run(it.Target().URL())
		want, err := os.ReadFile(filepath.Join(hole, filepath.FromSlash(it.Selector)))
		if err != nil {
			t.Fatal(err)
		}
		if sha(got) != sha(want) {
			t.Errorf("curl %s: %d bytes differ from the file's %d", it.Target().URL(), len(got), len(want))
		}
		fetched++
	}
	if fetched < 3 {
		t.Errorf("only %d files fetched", fetched)
	}
	// A subdirectory from a hand-written URL.
	if got := run(base + "/1/protocols"); !bytes.Contains(got, []byte("0tcp.txt\t/protocols/tcp.txt\t127.0.0.1\t"+strconv.Itoa(port)+"\r\n")) {
		t.Errorf("curl protocols menu: %q", got)
	}
}

func TestClientAgainstGophernicus(t *testing.T) {
	root := testenv.PublicTempDir(t)
	text := "Sockets are file descriptors.\nGopher is port 70.\n"
	bin := []byte{0, 1, 2, 0xff, '\n', 0xfe, '.', '\r', '\n', 0}
	os.WriteFile(filepath.Join(root, "notes.txt"), []byte(text), 0o644)
	os.WriteFile(filepath.Join(root, "blob.bin"), bin, 0o644)
	os.Mkdir(filepath.Join(root, "sub"), 0o755)
	port := testenv.Gophernicus(t, root)

	target := func(typ byte, sel string) Target {
		return Target{Host: "127.0.0.1", Port: port, Type: typ, Selector: sel}
	}

	rep, _, err := fetch(t, target('1', ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]Item{}
	for _, it := range rep.Menu.Items {
		if it.Type != 'i' {
			found[it.Selector] = it
		}
	}
	for sel, typ := range map[string]byte{"/notes.txt": '0', "/blob.bin": '9', "/sub/": '1'} {
		it, ok := found[sel]
		if !ok || it.Type != typ || it.Host != "localhost" || it.Port != port {
			t.Errorf("gophernicus menu item %s: %+v (present %v); menu: %+v", sel, it, ok, rep.Menu.Items)
		}
	}
	if !rep.Menu.Terminated {
		t.Error("gophernicus menu not terminated")
	}

	// gophernicus sends text files as they are but with CRLF line endings,
	// no dot-stuffing and no "." line.
	_, body, err := fetch(t, target('0', "/notes.txt"), nil)
	if want := strings.ReplaceAll(text, "\n", "\r\n"); err != nil || string(body) != want {
		t.Errorf("notes.txt: %q, %v; want %q", body, err, want)
	}

	_, body, err = fetch(t, target('9', "/blob.bin"), nil)
	if err != nil || sha(body) != sha(bin) {
		t.Errorf("blob.bin: %x, %v; want %x", body, err, bin)
	}

	// A missing file: gophernicus answers with text (not an error item),
	//   "Error: File or directory not found! (null)\r\n" and a footer,
	// which is what the client then shows or saves.
	for _, typ := range []byte{'0', '9'} {
		_, body, err := fetch(t, target(typ, "/missing.txt"), &FetchOptions{Verbatim: true})
		if err != nil || !strings.HasPrefix(string(body), "Error: File or directory not found!") {
			t.Errorf("type %c missing file: %q, %v; want gophernicus's text", typ, body, err)
		}
	}
	// A missing directory gets an error item: NotFoundError.
	_, _, err = fetch(t, target('1', "/missing/"), nil)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(nf.Message, "not found") {
		t.Errorf("missing directory: %v, want *NotFoundError", err)
	}
}
