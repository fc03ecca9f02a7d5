package gopher

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestServerDemoHole(t *testing.T) {
	_, port := startServer(t, hole, nil)

	var sent, received bytes.Buffer
	rep, _, err := fetch(t, local(port, '1', ""), &FetchOptions{Transcript: func(dir string, b []byte) {
		if dir == Sent {
			sent.Write(b)
		} else {
			received.Write(b)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if sent.String() != "\r\n" {
		t.Errorf("sent %q, want %q", sent.String(), "\r\n")
	}
	if !bytes.HasSuffix(received.Bytes(), []byte("\r\n.\r\n")) {
		t.Errorf("menu does not end with CRLF.CRLF: %q", received.String())
	}
	m := rep.Menu
	if !m.Terminated {
		t.Error("root menu not terminated")
	}
	byDisplay := map[string]Item{}
	for _, it := range m.Items {
		if it.Malformed {
			t.Errorf("malformed item %q", it.Raw)
		}
		byDisplay[it.Display] = it
	}
	if it := byDisplay["Welcome to the sockshell demo gopherhole."]; it.Type != 'i' {
		t.Errorf("info line: %+v", it)
	}
	if _, ok := byDisplay["# Comment lines like this one are not shown."]; ok {
		t.Error("comment line shown")
	}
	want := map[string]Item{
		"What is a socket?":             {Type: '0', Selector: "/sockets.txt"},
		"Protocols, one page each":      {Type: '1', Selector: "/protocols"},
		"Search file names":             {Type: '7', Selector: "/"},
		"A tiny binary file (16 bytes)": {Type: '9', Selector: "/tiny.bin"},
	}
	for display, w := range want {
		it := byDisplay[display]
		if it.Type != w.Type || it.Selector != w.Selector || it.Host != "127.0.0.1" || it.Port != port {
			t.Errorf("%q: got %+v, want type %q selector %q on 127.0.0.1:%d", display, it, w.Type, w.Selector, port)
		}
	}

	// A text file, by following the menu item.
	_, body, err := fetch(t, byDisplay["What is a socket?"].Target(), nil)
	wantText, _ := os.ReadFile(filepath.Join(hole, "sockets.txt"))
	if err != nil || !bytes.Equal(body, wantText) {
		t.Errorf("sockets.txt: %v\n%q", err, body)
	}

	// A subdirectory without a gophermap: a generated listing.
	rep, _, err = fetch(t, byDisplay["Protocols, one page each"].Target(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range rep.Menu.Items {
		names = append(names, string(it.Type)+it.Display+" "+it.Selector)
	}
	if got := strings.Join(names, ","); got != "0tcp.txt /protocols/tcp.txt,0udp.txt /protocols/udp.txt" {
		t.Errorf("protocols listing: %s", got)
	}

	// The binary, byte for byte.
	rep, body, err = fetch(t, byDisplay["A tiny binary file (16 bytes)"].Target(), nil)
	wantBin, _ := os.ReadFile(filepath.Join(hole, "tiny.bin"))
	if err != nil || sha(body) != sha(wantBin) || rep.Bytes != int64(len(wantBin)) {
		t.Errorf("tiny.bin: %v, %d bytes %x", err, len(body), body)
	}

	// A search.
	search := byDisplay["Search file names"].Target()
	search.Query = "UDP"
	rep, _, err = fetch(t, search, nil)
	if err != nil || len(rep.Menu.Items) != 1 || rep.Menu.Items[0].Selector != "/protocols/udp.txt" {
		t.Errorf("search: %+v, %v", rep.Menu, err)
	}
	search.Query = "no such name"
	rep, _, err = fetch(t, search, nil)
	if err != nil || len(rep.Menu.Items) != 1 || rep.Menu.Items[0].Type != 'i' {
		t.Errorf("empty search: %+v, %v", rep.Menu, err)
	}
}

func TestServerRefusals(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret\n"), 0o644)
	os.WriteFile(filepath.Join(root, "ok.txt"), []byte("ok\n"), 0o644)
	os.WriteFile(filepath.Join(root, ".hidden"), []byte("hidden\n"), 0o644)
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "escapedir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ok.txt", filepath.Join(root, "inside.txt")); err != nil {
		t.Fatal(err)
	}
	_, port := startServer(t, root, nil)

	for _, sel := range []string{
		"../etc/passwd", "/../etc/passwd", "/etc/passwd", "../../../../../../etc/passwd",
		"/escape.txt", "/escapedir/secret.txt", "/escapedir", "/.hidden",
		"/ok.txt\x00.png", "\x00", "/missing.txt",
		strings.Repeat("a", MaxSelectorBytes+1),
	} {
		for _, typ := range []byte{'0', '1', '9'} {
			_, body, err := fetch(t, local(port, typ, sel), &FetchOptions{Verbatim: true})
			var se *ServerError
			var nf *NotFoundError
			if !errors.As(err, &se) && !errors.As(err, &nf) {
				t.Errorf("type %c selector %q: got %v, %q; want a refusal", typ, sel, err, body)
			}
			if strings.Contains(string(body), "secret") || (err != nil && strings.Contains(err.Error(), "secret\n")) {
				t.Errorf("selector %q leaked the file", sel)
			}
		}
	}

	var nf *NotFoundError
	if _, _, err := fetch(t, local(port, '0', "/missing.txt"), nil); !errors.As(err, &nf) {
		t.Errorf("missing file: %v, want *NotFoundError", err)
	}
	// A path through a file does not exist either (ENOTDIR): not found,
	// not "access denied"; an escaping link is denied.
	for sel, want := range map[string]string{"/ok.txt/x": "not found: /ok.txt/x", "/escape.txt": "access denied: /escape.txt"} {
		_, _, err := fetch(t, local(port, '0', sel), nil)
		var se *ServerError
		msg := ""
		if errors.As(err, &nf) {
			msg = nf.Message
		} else if errors.As(err, &se) {
			msg = se.Message
		}
		if msg != want {
			t.Errorf("%s: %v, want the error item %q", sel, err, want)
		}
	}

	// The root listing leaves out hidden names and escaping links; a link
	// inside the root is served.
	rep, _, err := fetch(t, local(port, '1', "/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range rep.Menu.Items {
		names = append(names, it.Display)
	}
	if got := strings.Join(names, " "); got != "inside.txt ok.txt" {
		t.Errorf("listing: %q", got)
	}
	if _, body, err := fetch(t, local(port, '0', "inside.txt"), nil); err != nil || string(body) != "ok\n" {
		t.Errorf("inside.txt: %q, %v", body, err)
	}
}

func TestServerSniffAndTypes(t *testing.T) {
	root := t.TempDir()
	files := map[string][]byte{
		"notes":      []byte("plain text without an extension\n"),
		"blob":       {0x7f, 'E', 'L', 'F', 0, 0, 1},
		"pic.gif":    []byte("GIF89a"),
		"pic.PNG":    {0x89, 'P', 'N', 'G'},
		"page.html":  []byte("<p>hi</p>"),
		"prog.go":    []byte("package main\n"),
		"utf8-notes": []byte("caf\xc3\xa9 \xe2\x9c\x93\n"),
	}
	for name, b := range files {
		os.WriteFile(filepath.Join(root, name), b, 0o644)
	}
	os.Mkdir(filepath.Join(root, "sub"), 0o755)
	_, port := startServer(t, root, &ServerOptions{Host: "gopher.example", Port: 7070})
	rep, _, err := fetch(t, local(port, '1', ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]byte{"notes": '0', "blob": '9', "pic.gif": 'g', "pic.PNG": 'I', "page.html": 'h', "prog.go": '0', "utf8-notes": '0', "sub": '1'}
	for _, it := range rep.Menu.Items {
		if it.Type != want[it.Display] {
			t.Errorf("%s: type %c, want %c", it.Display, it.Type, want[it.Display])
		}
		if it.Host != "gopher.example" || it.Port != 7070 {
			t.Errorf("%s: advertised %s:%d", it.Display, it.Host, it.Port)
		}
		delete(want, it.Display)
	}
	if len(want) != 0 {
		t.Errorf("missing from listing: %v", want)
	}
}

func TestGophermap(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "dir", "deeper"), 0o755)
	os.WriteFile(filepath.Join(root, "dir", "a.txt"), []byte("a\n"), 0o644)
	os.WriteFile(filepath.Join(root, "dir", GophermapName), []byte(
		"Info line\r\n"+
			"#comment\n"+
			"0Relative\ta.txt\n"+
			"0Display as selector\t\n"+
			"1Absolute\t/dir/deeper\n"+
			"1Elsewhere\t/x\tother.example\n"+
			"1Elsewhere with port\t/x\tother.example\t7071\n"+
			"hWeb link\tURL:https://example.org/\n"+
			"iTabbed info\t\n"+
			"*\n"+
			"iNot reached\t\n"), 0o644)
	_, port := startServer(t, root, nil)
	rep, _, err := fetch(t, local(port, '1', "/dir"), nil)
	if err != nil {
		t.Fatal(err)
	}
	self := "127.0.0.1:" + strconv.Itoa(port)
	want := []string{
		"i|Info line||null.host:1",
		"0|Relative|/dir/a.txt|" + self,
		"0|Display as selector|/dir/Display as selector|" + self,
		"1|Absolute|/dir/deeper|" + self,
		"1|Elsewhere|/x|other.example:70",
		"1|Elsewhere with port|/x|other.example:7071",
		"h|Web link|URL:https://example.org/|" + self,
		"i|Tabbed info||null.host:1",
		"0|a.txt|/dir/a.txt|" + self,
		"1|deeper|/dir/deeper|" + self,
	}
	var got []string
	for _, it := range rep.Menu.Items {
		got = append(got, string(it.Type)+"|"+it.Display+"|"+it.Selector+"|"+it.Host+":"+strconv.Itoa(it.Port))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gophermap menu:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestServerBusyAndClose(t *testing.T) {
	srv, port := startServer(t, hole, &ServerOptions{MaxConns: 1})
	// Hold the only slot with a connection that sends nothing.
	idle, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// Wait until the server has taken the slot: a second connection is
	// refused as busy. (Retry: the first may not be accepted yet.)
	var serr *ServerError
	for i := 0; ; i++ {
		_, _, err := fetch(t, local(port, '1', ""), nil)
		if errors.As(err, &serr) && strings.Contains(serr.Message, "busy") {
			break
		}
		if i == 1000 {
			t.Fatalf("never busy: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	// Close ends the idle connection and returns.
	srv.Close()
	idle.SetReadDeadline(time.Now().Add(testTimeout))
	if _, err := idle.Read(make([]byte, 1)); err == nil {
		t.Error("idle connection still open after Close")
	}
}

func TestServerIdleTimeout(t *testing.T) {
	_, port := startServer(t, hole, &ServerOptions{IdleTimeout: 50 * time.Millisecond})
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Send nothing: the server says why in an error item and hangs up on
	// its own.
	c.SetReadDeadline(time.Now().Add(testTimeout))
	reply, err := io.ReadAll(c)
	if err != nil || !strings.HasPrefix(string(reply), "3no complete request within 50ms\t") {
		t.Errorf("read after idle timeout: %q, %v; want the error item, then EOF", reply, err)
	}
}

func TestNewServerErrors(t *testing.T) {
	if _, err := NewServer(filepath.Join(t.TempDir(), "missing"), nil); err == nil {
		t.Error("missing root accepted")
	}
	if _, err := NewServer(filepath.Join(hole, "gophermap"), nil); err == nil {
		t.Error("file as root accepted")
	}
	// A FIFO as the root is refused at once, not opened and waited on.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := NewServer(fifo, nil); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("FIFO as root: %v", err)
	}
	// The root given is the name the server reports.
	if srv, err := NewServer(hole, nil); err != nil || srv.Root() != hole {
		t.Errorf("Root() = %v, %v; want %s", srv, err, hole)
	} else {
		srv.Close()
	}
}
