// Saving a reply to a file (gopher --out, a binary item): the file it goes
// to, a safe name, a size limit, and the progress bar.
package commands

import (
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/gopher"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
)

// gopherOutput opens the file a fetch of t saves to, if any: --out FILE,
// or for a binary item a safe name of the selector's, never over a file
// that exists. A menu or a text for the screen gets none (nil).
func gopherOutput(c *shell.Call, t gopher.Target) (*fileio.Output, error) {
	outPath, toFile := c.Flag("out")
	autoName := !toFile && gopher.IsBinary(t.Type)
	if c.Has("force") && !toFile {
		return nil, c.UsageError("--force goes with --out (a download named by the server never replaces a file)")
	}
	if c.Has("keep-partial") && (gopher.IsMenu(t.Type) || !toFile && !autoName) {
		return nil, c.UsageError("--keep-partial goes with a download to a file; a menu or text is shown, not saved")
	}
	if gopher.IsMenu(t.Type) || !toFile && !autoName {
		return nil, nil
	}
	o := fileio.Options{KeepPartial: c.Has("keep-partial"), Timeout: waitLimit(c)}
	switch {
	case autoName:
		// The server chose the name: make it safe, and never overwrite
		// (Commit picks NAME.1, … if NAME exists).
		outPath = safeName(path.Base("/" + t.Selector))
		o.Policy = fileio.Fresh
	case c.Has("force"):
		o.Policy = fileio.Force
	}
	return fileio.Create(c.Ctx, outPath, o)
}

// safeName turns a name a server chose into a plain file name for the
// current directory: letters, digits, '.', '-' and '_' only, no leading
// dot, and no leading '-' (a name like "-rf" would read as an option to
// the next command that is given it).
func safeName(name string) string {
	b := []byte(name)
	for i, ch := range b {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == '_') {
			b[i] = '_'
		}
	}
	clean := strings.TrimLeft(string(b), ".")
	if strings.HasPrefix(clean, "-") {
		clean = "_" + clean[1:]
	}
	if clean == "" {
		return "gopher.out"
	}
	return clean
}

// onTerminal reports whether the session prints to a terminal (and its
// errors too), as main found: only then does a download show a progress bar.
func onTerminal(c *shell.Call) bool { return c.Session.OnTerminal() }

// progressBar passes writes through and shows the bytes so far and the
// rate on one line of a terminal, at most ten times a second.
type progressBar struct {
	w     io.Writer
	to    func(status string)
	start time.Time
	last  time.Time
	n     int64
	shown bool
}

func (p *progressBar) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		rate := float64(p.n) / max(now.Sub(p.start).Seconds(), 0.001)
		p.to(fmt.Sprintf("  %s  (%s/s)", mib(float64(p.n)), mib(rate)))
		p.shown = true
	}
	return n, err
}

// clear erases the progress line, if one was shown; nil is a no-op.
func (p *progressBar) clear() {
	if p != nil && p.shown {
		p.to("")
	}
}

func mib(n float64) string { return fmt.Sprintf("%.1f MiB", n/(1<<20)) }
