package gopher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requirePeer returns the path of a program a test talks to. When it is
// missing the test is skipped, or fails when SOCKSHELL_REQUIRE_PEERS=1 (as
// in CI).
func requirePeer(t *testing.T, path, pkg string) string {
	t.Helper()
	if _, err := exec.LookPath(path); err == nil {
		return path
	}
	msg := fmt.Sprintf("%s not found: install %s (apt-get install -y %s)", path, pkg, pkg)
	if os.Getenv("SOCKSHELL_REQUIRE_PEERS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// rawExchange sends request to 127.0.0.1:port and returns every byte of
// the reply.
func rawExchange(t *testing.T, port int, request string) []byte {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCurlAgainstServer(t *testing.T) {
	curl := requirePeer(t, "/usr/bin/curl", "curl")
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
	if want := rawExchange(t, port, "\r\n"); !bytes.Equal(menu, want) {
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

// startGophernicus serves root with gophernicus behind socat on 127.0.0.1
// and returns the port.
func startGophernicus(t *testing.T, root string) int {
	t.Helper()
	socat := requirePeer(t, "/usr/bin/socat", "socat")
	gophernicus := requirePeer(t, "/usr/sbin/gophernicus", "gophernicus")

	// A free port: gophernicus writes it into its menus, so it must be
	// known before socat starts.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	listen := fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port)
	if os.Geteuid() == 0 {
		// gophernicus refuses to run as root.
		listen += ",su=nobody"
	}
	// -nv: no virtual hosts; -nm: no shared memory; -ns: no syslog;
	// -nx: execute nothing; -nu: no ~user spaces.
	//
	// SYSTEM with "exit 0" rather than EXEC: gophernicus exits with status 1
	// after an error reply ("File or directory not found"), and socat treats
	// a child's failure as fatal, sometimes before it has passed the reply
	// on; the client then sees an empty reply.
	server := fmt.Sprintf("SYSTEM:%s -h localhost -p %d -r %s -nv -nm -ns -nx -nu; exit 0", gophernicus, port, root)
	cmd := exec.Command(socat, listen, server)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	// Wait for socat to listen (bounded).
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("socat exited: %s", stderr.String())
		default:
		}
		if i == 1000 {
			t.Fatalf("socat does not listen on %d: %v", port, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return port
}

// publicTempDir is a temporary directory that the unprivileged user
// gophernicus runs as can read.
func publicTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sockshell-gopher-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestClientAgainstGophernicus(t *testing.T) {
	root := publicTempDir(t)
	text := "Sockets are file descriptors.\nGopher is port 70.\n"
	bin := []byte{0, 1, 2, 0xff, '\n', 0xfe, '.', '\r', '\n', 0}
	os.WriteFile(filepath.Join(root, "notes.txt"), []byte(text), 0o644)
	os.WriteFile(filepath.Join(root, "blob.bin"), bin, 0o644)
	os.Mkdir(filepath.Join(root, "sub"), 0o755)
	port := startGophernicus(t, root)

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
