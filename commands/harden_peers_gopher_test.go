package commands

// Issue 14, hostile gopher servers through the gopher command: one line of
// 100 MB (as a text page and as a menu), a menu of a million items, a reset
// mid-reply, and a server that drips. The heap stays bounded, the counts
// shown are exact, and a timeout or Ctrl-C brings the prompt back. The
// 100 MB cases run with SOCKSHELL_HOSTILE_BIG=1; the suite runs them with
// 24 MB, over a cap on what is shown lowered to 1 MiB.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// hostileLine is the long line's size and the bound on the heap's growth
// while it is fetched: with SOCKSHELL_HOSTILE_BIG=1, 100 MB at the real
// cap on what is shown (16 MiB); else 24 MB with the cap lowered to 1 MiB
// (the rendering of 16 MiB is what takes the time, above all under -race).
func hostileLine(t *testing.T) (size int, bound uint64) {
	if os.Getenv("SOCKSHELL_HOSTILE_BIG") == "1" {
		return 100 << 20, 160 << 20
	}
	old := maxText
	maxText = 1 << 20
	t.Cleanup(func() { maxText = old })
	return 24 << 20, 16 << 20
}

// writeLine writes n bytes of 'A' in 1 MiB writes, without a line end.
func writeLine(c net.Conn, n int) error {
	chunk := []byte(strings.Repeat("A", 1<<20))
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := c.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func TestHostileGopherLongLine(t *testing.T) {
	size, bound := hostileLine(t)
	port := gopherFake(t, func(c net.Conn, sel string) {
		if sel == "/menu" {
			c.Write([]byte("i"))
		}
		if writeLine(c, size) != nil {
			return
		}
		if sel == "/menu" {
			c.Write([]byte("\t\th\t1\r\n0After\t/a\th\t70\r\n.\r\n"))
		}
	})
	g := newGopherSession(t)
	for _, format := range []string{"python", "json"} {
		g.MustExec("set format " + format)
		var out string
		boundHeap(t, fmt.Sprintf("a %d MB text line, %s", size>>20, format), bound, func() {
			out = g.MustExec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/0/text", port))
		})
		// What is shown is the cap, and the note counts every byte read.
		if want := fmt.Sprintf("text cut after %d bytes of %d bytes", maxText, size); !strings.Contains(out, want) {
			t.Errorf("%s: no note %q in %.200q", format, want, out[max(0, len(out)-400):])
		}
		if len(out) > maxText+4096 {
			t.Errorf("%s: %d bytes shown, cap %d", format, len(out), maxText)
		}
		boundHeap(t, fmt.Sprintf("a %d MB menu line, %s", size>>20, format), 16<<20, func() {
			out = g.MustExec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/1/menu", port))
		})
		// The line is cut to 64 KiB and the menu goes on after it.
		if !strings.Contains(out, "After") || len(out) > 256<<10 {
			t.Errorf("%s: the menu after a long line: %d bytes, After shown: %v", format, len(out), strings.Contains(out, "After"))
		}
	}
}

func TestHostileGopherMillionItems(t *testing.T) {
	const items = 1000000
	// Items are numbered up to just past the cap; the rest are alike (the
	// client reads no further than the cap).
	menu := func(n int) []byte {
		var b strings.Builder
		for i := 0; i < min(n, 10002); i++ {
			fmt.Fprintf(&b, "0item %d\t/i/%d\th\t70\r\n", i, i)
		}
		if n > 10002 {
			b.WriteString(strings.Repeat("0item\t/i/x\th\t70\r\n", n-10002))
		}
		return []byte(b.String() + ".\r\n")
	}
	pages := map[string][]byte{"/million": menu(items), "/cap": menu(10000), "/over": menu(10001)}
	port := gopherFake(t, func(c net.Conn, sel string) { c.Write(pages[sel]) })
	g := newGopherSession(t)
	g.MustExec("set format json")
	rows := func(out string) int { return strings.Count(out, `"selector":`) }
	var out string
	boundHeap(t, "a menu of a million items", 64<<20, func() {
		out = g.MustExec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/1/million", port))
	})
	if n := rows(out); n != 10000 || !strings.Contains(out, "the menu was cut at 10000 items") {
		t.Errorf("a million items: %d shown, note present: %v", n, strings.Contains(out, "cut at"))
	}
	if !strings.Contains(out, `"/i/9999"`) || strings.Contains(out, `"/i/10000"`) {
		t.Error("the items shown are not the first 10000")
	}
	// At the cap exactly, nothing is said to be cut; one more is.
	out = g.MustExec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/1/cap", port))
	if n := rows(out); n != 10000 || strings.Contains(out, "cut at") {
		t.Errorf("10000 items: %d shown, cut note: %v", n, strings.Contains(out, "cut at"))
	}
	out = g.MustExec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/1/over", port))
	if n := rows(out); n != 10000 || !strings.Contains(out, "cut at 10000") {
		t.Errorf("10001 items: %d shown, cut note: %v", n, strings.Contains(out, "cut at"))
	}
	// `go` follows an item of the cut menu.
	if errs := g.AssertExecError("go 10001", ""); !strings.Contains(errs, "10000") {
		t.Errorf("go past the cut: %q", errs)
	}
}

func TestHostileGopherResetMidReply(t *testing.T) {
	port := gopherFake(t, func(c net.Conn, sel string) {
		c.Write([]byte(strings.Repeat("half a page\r\n", 1000)))
		time.Sleep(50 * time.Millisecond) // the bytes arrive before the RST
		c.(*net.TCPConn).SetLinger(0)
	})
	dir := t.TempDir()
	g := newGopherSession(t)
	g.AssertExecError(fmt.Sprintf("gopher gopher://127.0.0.1:%d/0/t", port), "ConnectionResetError")
	out, errs := g.Exec(fmt.Sprintf("gopher gopher://127.0.0.1:%d/0/t --out %s", port, filepath.Join(dir, "t.txt")))
	if !strings.Contains(errs, "ConnectionResetError") {
		t.Errorf("--out: %q %q", out, errs)
	}
	if names := testenv.DirNames(t, dir); len(names) != 0 {
		t.Errorf("a reset download left %v", names)
	}
	if socks := g.sockets(); len(socks) != 0 {
		t.Errorf("sockets left registered: %v", socks)
	}
	g.AssertExec("servport gopher tcp", "70\n")
}

func TestHostileGopherDrips(t *testing.T) {
	var dripped atomic.Int64
	port := gopherFake(t, func(c net.Conn, sel string) {
		for {
			if _, err := c.Write([]byte("z")); err != nil {
				return
			}
			dripped.Add(1)
			time.Sleep(50 * time.Millisecond)
		}
	})
	dir := t.TempDir()
	g := newGopherSession(t)
	// A page for the screen must come whole within the timeout.
	g.MustExec("set timeout 0.5")
	for _, typ := range []string{"0", "1"} {
		g.AssertExecError(fmt.Sprintf("gopher gopher://127.0.0.1:%d/%s/d", port, typ), "TimeoutError")
	}
	// A download goes on while bytes come; Ctrl-C ends it and leaves no
	// file.
	r := startInterruptible(g.Term, fmt.Sprintf("gopher gopher://127.0.0.1:%d/9/d --out %s", port, filepath.Join(dir, "d.bin")))
	at := dripped.Load()
	filesUntil(t, "ten more bytes dripped", func() bool { return dripped.Load() >= at+10 })
	if errs := r.interrupt(t); !strings.HasPrefix(errs, "KeyboardInterrupt") {
		t.Errorf("Ctrl-C: %q", errs)
	}
	if names := testenv.DirNames(t, dir); len(names) != 0 {
		t.Errorf("an interrupted download left %v", names)
	}
	if socks := g.sockets(); len(socks) != 0 {
		t.Errorf("sockets left registered: %v", socks)
	}
	g.AssertExec("servport gopher tcp", "70\n")
}
