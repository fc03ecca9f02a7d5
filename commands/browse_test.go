package commands

// The gopher browsing commands (browse.go): the transcripts of
// testdata/gopher, a menu as JSON, gophernicus as the server, and escape
// sequences a server sends never reaching the terminal. Beside this file:
// what gopher makes of its input (browse_input_test.go), one fetch
// (fetch_test.go), downloads (download_test.go), serve gopher
// (serve_gopher_test.go).

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
