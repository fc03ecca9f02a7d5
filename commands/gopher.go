// The gopher client commands: gopher, go, back. The connection is a real
// registry socket while the fetch runs, so sockname/peername work on it.
package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/gopher"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

const groupGopher = "Gopher and local servers"

// maxText bounds a text page kept in memory for printing; --out streams any size.
const maxText = 16 << 20

// gopherState is the browsing history of a session.
type gopherState struct {
	history []gopher.Target // pages visited, the current one last
	menu    *gopher.Menu    // the last menu shown
}

func gopherCommands() []*shell.Command {
	flags := []shell.Flag{
		{Name: "raw", Help: "also show the exact bytes sent and received (tabs and CRLF visible)"},
		{Name: "out", Value: true, Meta: "FILE", Help: "save the reply to FILE, streamed in constant memory", Kind: shell.FileArg},
		{Name: "query", Value: true, Meta: "TEXT", Help: "the search string for a type 7 (search) item"},
		forceFlag, keepPartialFlag,
	}
	return []*shell.Command{
		{
			Name: "gopher", Group: groupGopher,
			Usage:   "gopher HOST [SELECTOR] [PORT] | gopher HOST:PORT [SELECTOR] | gopher gopher://HOST[:PORT]/TYPE/SELECTOR",
			Summary: "Fetch a gopher selector (RFC 1436): a menu prints as a numbered table, a text as text.",
			Help: "Port 70 by default; HOST:PORT (or [IPV6]:PORT), the form `serve` prints, gives the port\n" +
				"with the host. Without a URL the item type is guessed from the selector (none or\n" +
				"a trailing / is a menu; a file extension tells the rest). Binary items are saved to a\n" +
				"file named after the selector (made safe: no '/', no leading '.' or '-'; NAME.1 and so on\n" +
				"if NAME exists), or to --out FILE. A download goes to a temporary file renamed at the\n" +
				"end: a failed fetch leaves no half file and never touches an existing one (--force\n" +
				"replaces --out FILE on success). `go N` follows item N of the menu (an item whose\n" +
				"port or host field is not one is marked invalid, and refused); `back` returns.\n" +
				"Errors are classified: name resolution, connection refused, timeout, reset, an error\n" +
				"item from the server, a selector that does not exist.",
			Python:   "s = socket.create_connection((host, 70)); s.sendall(selector.encode() + b'\\r\\n'); reply = b''.join(iter(lambda: s.recv(4096), b''))",
			Examples: []string{"gopher localhost / 7070", "gopher 127.0.0.1:7070 /sockets.txt", "gopher gopher://localhost:7070/0/sockets.txt", "gopher localhost sockets.txt 7070 --raw"},
			MinArgs:  1, MaxArgs: 3,
			Flags:   flags,
			ArgKind: shell.Positional(hostArg),
			Run:     runGopher,
		},
		{
			Name: "go", Group: groupGopher,
			Usage:    "go N [--query TEXT]",
			Summary:  "Follow item N of the last gopher menu.",
			Examples: []string{"go 2", "go 5 --query socket"},
			MinArgs:  1, MaxArgs: 1,
			Flags: flags,
			Run: func(c *shell.Call) (any, error) {
				st := gstate(c)
				if st.menu == nil {
					return nil, shell.Errorf("UsageError", "no gopher menu yet; fetch one with: gopher HOST")
				}
				n, err := strconv.Atoi(c.Arg(0))
				items := selectable(st.menu)
				if len(items) == 0 {
					return nil, shell.Errorf("IndexError", "no item %s: the menu has no items to follow", shell.StrRepr(c.Arg(0)))
				}
				if err != nil || n < 1 || n > len(items) {
					return nil, shell.Errorf("IndexError", "no item %s: the menu has items 1 to %d", shell.StrRepr(c.Arg(0)), len(items))
				}
				if field, value, why := items[n-1].Invalid(); field != "" {
					return nil, shell.Errorf("ValueError", "item %d cannot be followed: %s", n, invalidField(field, value, why))
				}
				return fetchTarget(c, items[n-1].Target(), true)
			},
		},
		{
			Name: "back", Group: groupGopher,
			Usage:    "back",
			Summary:  "Go back to the previous gopher page.",
			Examples: []string{"back"},
			MinArgs:  0, MaxArgs: 0,
			Run: func(c *shell.Call) (any, error) {
				st := gstate(c)
				if len(st.history) < 2 {
					return nil, shell.Errorf("UsageError", "no previous gopher page")
				}
				prev := st.history[len(st.history)-2]
				v, err := fetchTarget(c, prev, false)
				if err == nil {
					// Only a page shown leaves the current one behind: a
					// failed `back` keeps the history for another try.
					st.history = st.history[:len(st.history)-1]
				}
				return v, err
			},
		},
	}
}

func gstate(c *shell.Call) *gopherState {
	return c.Session.State("gopher", func() any { return &gopherState{} }).(*gopherState)
}

// selectable lists the menu items `go N` numbers: every item but info lines.
func selectable(m *gopher.Menu) []gopher.Item {
	var out []gopher.Item
	for _, it := range m.Items {
		if !isInfo(it) {
			out = append(out, it)
		}
	}
	return out
}

func runGopher(c *shell.Call) (any, error) {
	t, err := gopherTarget(c)
	if err != nil {
		return nil, err
	}
	v, err := fetchTarget(c, t, true)
	if err != nil && c.NArg() == 2 && !strings.Contains(c.Arg(0), ":") && looksLikePort(c.Arg(1)) {
		// `gopher HOST 7070`: the port went out as the selector, to port 70.
		e := shell.Classify(err)
		if e.Class != "UsageError" {
			hint := fmt.Sprintf("%s went to port %d as the SELECTOR: a port comes third (gopher %s / %s) or after a colon (gopher %s)",
				shell.StrRepr(c.Arg(1)), t.Port, c.Arg(0), c.Arg(1), net.JoinHostPort(t.Host, c.Arg(1)))
			if e.Hint != "" {
				hint = e.Hint + "; " + hint
			}
			e.Hint = hint
			return nil, e
		}
	}
	return v, err
}

// looksLikePort reports whether s is a port number, 1 to 65535.
func looksLikePort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535 && s[0] != '+' && s[0] != '-'
}

// gopherTarget reads what `gopher` is asked to fetch: a gopher:// URL, or
// HOST [SELECTOR] [PORT] where HOST may carry the port itself, as
// HOST:PORT or [IPV6]:PORT (the form `serve` prints).
func gopherTarget(c *shell.Call) (gopher.Target, error) {
	arg := c.Arg(0)
	if scheme, rest, ok := strings.Cut(arg, "://"); ok {
		if !strings.EqualFold(scheme, "gopher") {
			authority, _, _ := strings.Cut(rest, "/")
			e := shell.Errorf("ValueError", "%s is not a gopher:// URL: its scheme is %s", shell.StrRepr(arg), shell.StrRepr(scheme))
			e.Hint = "this command speaks only gopher; for a gopher server at that address: gopher gopher://" + authority + "/"
			return gopher.Target{}, e
		}
		if c.NArg() > 1 {
			return gopher.Target{}, c.UsageError("a URL says everything; no SELECTOR or PORT after it")
		}
		t, err := gopher.ParseURL(arg)
		if err != nil {
			return gopher.Target{}, shell.Errorf("ValueError", "%v", err)
		}
		return t, nil
	}
	if authority, sel, ok := strings.Cut(arg, "/"); ok {
		e := c.UsageError(fmt.Sprintf("HOST %s has a '/', which no host name has", shell.StrRepr(arg)))
		e.Hint = "the selector is a word of its own, after the host: gopher " + authority + " /" + sel
		return gopher.Target{}, e
	}
	host, portText, hasPort, err := splitGopherHost(arg)
	if err != nil {
		return gopher.Target{}, c.UsageError(err.Error())
	}
	t := gopher.Target{Host: host, Port: gopher.DefaultPort, Selector: c.Arg(1)}
	if c.NArg() == 3 {
		if hasPort {
			return gopher.Target{}, c.UsageError(fmt.Sprintf("the port is given twice, in %s and as %s", shell.StrRepr(arg), shell.StrRepr(c.Arg(2))))
		}
		portText, hasPort = c.Arg(2), true
	}
	if hasPort {
		p, err := resolvePort(c, portText, unix.SOCK_STREAM)
		if err != nil {
			if c.NArg() == 3 && looksLikePort(c.Arg(1)) && !looksLikePort(c.Arg(2)) {
				// `gopher HOST 7070 /`: the two swapped.
				e := shell.Classify(err)
				e.Hint = fmt.Sprintf("the SELECTOR comes second and the PORT third: gopher %s %s %s", arg, c.Arg(2), c.Arg(1))
				return gopher.Target{}, e
			}
			return gopher.Target{}, err
		}
		if p == 0 {
			return gopher.Target{}, c.UsageError("PORT 0 is no server's port")
		}
		t.Port = p
	}
	t.Type = guessType(t.Selector)
	return t, nil
}

// splitGopherHost splits HOST, HOST:PORT, [IPV6] or [IPV6]:PORT; a bare
// IPv6 address (two colons or more) is a host without a port.
func splitGopherHost(arg string) (host, port string, hasPort bool, err error) {
	switch {
	case strings.HasPrefix(arg, "["):
		end := strings.IndexByte(arg, ']')
		if end < 0 {
			return "", "", false, fmt.Errorf("HOST %s lacks the ']' that closes an IPv6 address", shell.StrRepr(arg))
		}
		host, rest := arg[1:end], arg[end+1:]
		if rest == "" {
			return host, "", false, nil
		}
		if rest[0] != ':' {
			return "", "", false, fmt.Errorf("HOST %s has %s after the IPv6 address, where only :PORT may be", shell.StrRepr(arg), shell.StrRepr(rest))
		}
		port, hasPort = rest[1:], true
		if host == "" {
			return "", "", false, fmt.Errorf("HOST %s has no address between the brackets", shell.StrRepr(arg))
		}
		if port == "" {
			return "", "", false, fmt.Errorf("HOST %s has no port after its ':'", shell.StrRepr(arg))
		}
		return host, port, true, nil
	case strings.Count(arg, ":") == 1:
		host, port, _ = strings.Cut(arg, ":")
		if host == "" {
			return "", "", false, fmt.Errorf("HOST %s has no host before its ':'", shell.StrRepr(arg))
		}
		if port == "" {
			return "", "", false, fmt.Errorf("HOST %s has no port after its ':'", shell.StrRepr(arg))
		}
		return host, port, true, nil
	}
	if arg == "" {
		return "", "", false, errors.New("HOST is empty")
	}
	return arg, "", false, nil
}

// guessType picks an item type for a bare selector.
func guessType(sel string) byte {
	if sel == "" || strings.HasSuffix(sel, "/") {
		return '1'
	}
	if t, ok := gopher.TypeForName(sel); ok {
		return t
	}
	if path.Ext(sel) == "" {
		return '1'
	}
	return '0'
}

// sockConn reads and writes a bsd.Socket under a context, for gopher.Fetch.
type sockConn struct {
	ctx  context.Context
	s    *bsd.Socket
	sent *bool // set once the request was written
}

func (sc sockConn) Read(p []byte) (int, error) {
	b, err := sc.s.Recv(sc.ctx, len(p))
	if err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, io.EOF
	}
	return copy(p, b), nil
}

func (sc sockConn) Write(p []byte) (int, error) {
	if sc.sent != nil {
		*sc.sent = true
	}
	return sc.s.SendAll(sc.ctx, p)
}

// gopherError names gopher-level failures for the renderer.
type gopherError struct {
	class, msg, hint string
	err              error
}

func (e *gopherError) Error() string { return e.class + ": " + e.msg }
func (e *gopherError) Unwrap() error { return e.err }
func (e *gopherError) Hint() string  { return e.hint }
func (e *gopherError) PythonError() (string, int, bool, string) {
	return e.class, 0, false, e.msg
}

func classifyGopher(t gopher.Target, err error) error {
	var se *gopher.ServerError
	var nf *gopher.NotFoundError
	var ut *gopher.UnsupportedTypeError
	switch {
	case errors.As(err, &nf):
		// The server's own words mostly repeat the selector ("not found:
		// /x"); --raw shows them.
		return &gopherError{"FileNotFoundError", fmt.Sprintf("the server has no selector %s", shell.StrRepr(t.Selector)),
			"the server answered with an error item saying so: check the selector (gopher HOST shows the root menu; --raw shows the reply)", err}
	case errors.As(err, &se):
		return &gopherError{"GopherError", "the server sent an error item: " + strings.TrimSpace(se.Message), "", err}
	case errors.As(err, &ut):
		return &gopherError{"GopherError", err.Error(), "info lines, errors and telnet items have nothing to fetch", err}
	}
	return err
}

// fetchTarget fetches t, prints it, and records it in the history.
func fetchTarget(c *shell.Call, t gopher.Target, record bool) (any, error) {
	if q, ok := c.Flag("query"); ok {
		t.Query = q
	}
	if t.Type == '7' && t.Query == "" {
		return nil, c.UsageError("a search item (type 7) needs --query TEXT")
	}
	// The file is settled before the server is asked: an --out FILE that
	// exists is refused without a connection.
	file, err := gopherOutput(c, t)
	if err != nil {
		return nil, err
	}
	if file != nil {
		defer file.Abort() // after Commit, nothing
	}
	toFile := file != nil
	tr := newTrace(c)
	s, name, err := dialRegistered(c, "g", t.Host, t.Port, tr)
	pyConnect := fmt.Sprintf("socket.create_connection((%s, %d))", shell.StrRepr(t.Host), t.Port)
	if err != nil {
		c.Python("%s", pyConnect)
		if tr != nil {
			c.Syscalls(tr.Lines()...)
		}
		return nil, err
	}
	s.SetTrace(tr) // the fetch's own calls belong in this command's trace
	defer func() {
		s.Close()
		c.Session.Remove(name)
		if tr != nil {
			c.Syscalls(tr.Lines()...)
		}
	}()
	c.Python("%s = %s", name, pyConnect)

	var raw bytes.Buffer
	opts := &gopher.FetchOptions{}
	if c.Has("raw") {
		opts.Transcript = func(dir string, b []byte) {
			if raw.Len() > 64<<10 {
				return
			}
			arrow := "<<< "
			if dir == gopher.Sent {
				arrow = ">>> "
			}
			raw.WriteString(arrow + shell.BytesRepr(b) + "\n")
		}
	}
	var out io.Writer
	var text bytes.Buffer
	if file != nil {
		out = file
	} else if !gopher.IsMenu(t.Type) {
		out = &limitWriter{w: &text, n: maxText}
	}
	// The reply is read as it comes; a file is saved byte for byte as the
	// server sent it, a text shown on screen is unframed below.
	opts.Verbatim = true
	ctx := c.Ctx
	if !toFile {
		// A page for the screen must arrive whole within the timeout: each
		// recv waits at most the timeout, so a server dripping a byte at a
		// time would otherwise hold the prompt for ever. A download to a
		// file takes as long as it keeps moving (Ctrl-C stops it).
		if d, ok := c.Session.Timeout(); ok && d > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
	}
	var bar *progressBar
	if toFile && onTerminal(c) {
		now := time.Now()
		bar = &progressBar{w: out, to: c.Session.Status, start: now, last: now}
		out = bar
	}
	var sent bool
	sc := sockConn{ctx: ctx, s: s, sent: &sent}
	reply, err := gopher.Fetch(ctx, sc, t, out, opts)
	// The Python reads into the file the bytes went to (known once saved).
	pyFetch := func(saved string) { pyGopherFetch(c, name, t, saved, toFile, sent) }
	bar.clear()
	if raw.Len() > 0 {
		c.Note("raw exchange with %s:\n%s", t.URL(), strings.TrimSuffix(raw.String(), "\n"))
	}
	if err != nil {
		target := ""
		if file != nil {
			target = file.Name()
			noteAbort(c, file)
		}
		pyFetch(target)
		err = classifyGopher(t, err)
		pyGopherError(c, err)
		return nil, err
	}
	if reply.Received == 0 && !(toFile && reply.Menu == nil) { // a download says "0 bytes saved"
		c.Note("the server closed the connection without a reply: 0 bytes")
	}
	st := gstate(c)
	if record && !(toFile && reply.Menu == nil) {
		st.history = append(st.history, t) // a download is not a page to go back to
	}
	if reply.Menu != nil {
		st.menu = reply.Menu
		if bad := countInvalid(reply.Menu); bad > 0 {
			c.Note("%d of the items have a field marked invalid: `go` refuses to follow them", bad)
		}
		if reply.Menu.Overflow {
			c.Note("the menu was cut at %d items", len(reply.Menu.Items))
		}
		if c.Has("out") {
			c.Note("--out is for files; a menu is shown, not saved")
		}
		pyFetch("")
		return menuRows(reply.Menu), nil
	}
	if toFile {
		saved, err := file.Commit()
		if err != nil {
			pyFetch(file.Name())
			return nil, err
		}
		pyFetch(saved) // NAME.1 when NAME was taken: the Python never replaces it either
		c.Note("%s saved to %s", count(reply.Bytes, "byte"), saved)
		return reply.Bytes, nil
	}
	pyFetch("")
	if lw, ok := out.(*limitWriter); ok && lw.cut {
		c.Note("text cut at %d bytes; use --out FILE for the whole reply", maxText)
	}
	return shell.Text(unframeText(text.Bytes())), nil
}

// pyGopherFetch records the Python that sends the request, reads the whole
// reply (into the file a download goes to, else into reply) and closes the
// connection, as the fetch did; a fetch refused before the request was
// sent (a type with nothing to fetch) only closes.
func pyGopherFetch(c *shell.Call, name string, t gopher.Target, outPath string, toFile, sent bool) {
	if !sent {
		c.Python("%s.close()", name)
		return
	}
	c.Python("%s.sendall(%s)", name, shell.BytesRepr([]byte(t.Request())))
	if toFile && !gopher.IsMenu(t.Type) {
		c.Python("with open(%s, 'wb') as f:\n    while chunk := %s.recv(4096):\n        f.write(chunk)", shell.StrRepr(outPath), name)
	} else {
		c.Python("reply = b''")
		c.Python("while chunk := %s.recv(4096):\n    reply += chunk", name)
	}
	c.Python("%s.close()", name)
}

// pyGopherError records the Python for a gopher-level error (one sockshell
// finds in the reply, or a type with nothing to fetch): a statement that
// raises it where Python has the class (FileNotFoundError), else a comment
// naming it.
func pyGopherError(c *shell.Call, err error) {
	var ge *gopherError
	if !errors.As(err, &ge) {
		return // a socket error: the lines above raise it
	}
	if ge.class == "FileNotFoundError" {
		c.Python("raise FileNotFoundError(%s)  # the reply is the server's error item", shell.StrRepr(ge.msg))
		return
	}
	c.Python("# sockshell raises %s, a class Python does not have: %s", ge.class, strings.ReplaceAll(ge.msg, "\n", " "))
}

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

// isInfo reports whether a menu line is shown as text without a number:
// an info line, or a line without a single tab (plain text where an item
// should be, such as an HTTP reply), which has nothing to follow.
func isInfo(it gopher.Item) bool {
	return it.Type == 'i' || it.Malformed && !strings.Contains(it.Raw, "\t")
}

// menuRows shows a menu as a numbered table; info lines have no number.
func menuRows(m *gopher.Menu) *shell.Rows {
	rows := &shell.Rows{Header: []string{"#", "type", "display", "selector", "host", "port"}}
	n := 0
	for _, it := range m.Items {
		if it.Type == 'i' {
			rows.Append(nil, nil, it.Display, nil, nil, nil) // no number, no place: None
			continue
		}
		if isInfo(it) {
			rows.Append(nil, nil, it.Raw, nil, nil, nil)
			continue
		}
		n++
		var host, port any = it.Host, it.Port
		switch field, value, _ := it.Invalid(); field {
		case "port":
			port = markInvalid(value)
		case "host":
			host = markInvalid(value)
		case "line":
			port = "(invalid: missing)"
			if it.Host == "" {
				host = "(invalid: missing)"
			}
		}
		rows.Append(n, gopher.TypeName(it.Type), it.Display, it.Selector, host, port)
	}
	return rows
}

// countInvalid counts the items of m that cannot be followed.
func countInvalid(m *gopher.Menu) int {
	n := 0
	for _, it := range selectable(m) {
		if field, _, _ := it.Invalid(); field != "" {
			n++
		}
	}
	return n
}

// markInvalid is the cell of a menu field `go` refuses to follow.
func markInvalid(value string) string {
	if value == "" {
		return "(invalid: empty)"
	}
	return value + " (invalid)"
}

// invalidField says in words why a menu item cannot be followed.
func invalidField(field, value, why string) string {
	if field == "line" {
		return "its line " + why
	}
	return fmt.Sprintf("its %s field %s %s", field, shell.StrRepr(value), why)
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

// limitWriter keeps at most n bytes and drops the rest, remembering it did.
type limitWriter struct {
	w   io.Writer
	n   int
	cut bool
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		l.cut = true
		l.w.Write(p[:l.n])
		l.n = 0
		return len(p), nil
	}
	l.n -= len(p)
	return l.w.Write(p)
}

// onTerminal reports whether the session prints to a terminal (and its
// errors too): only then does a download show a progress bar.
func onTerminal(c *shell.Call) bool {
	f, ok := c.Session.Stdout().(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && term.IsTerminal(int(os.Stderr.Fd()))
}

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

// unframeText undoes the RFC 1436 text framing (the lone "." line at the
// end, ".." at the start of a line) of a whole reply, but only when the
// reply ends with that "." line: servers that send files verbatim
// (gophernicus, sockshell's own) would otherwise lose everything after a
// line holding a single dot.
func unframeText(b []byte) string {
	framed := bytes.Equal(b, []byte(".\r\n")) || bytes.Equal(b, []byte(".\n")) ||
		bytes.HasSuffix(b, []byte("\n.\r\n")) || bytes.HasSuffix(b, []byte("\n.\n"))
	if !framed {
		return string(b)
	}
	body, _ := io.ReadAll(gopher.TextReader(bytes.NewReader(b)))
	return string(body)
}
