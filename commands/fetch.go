// Fetching a gopher page (the gopher family): the request on a registry
// socket, the reply as a menu, text or a file, the Python lines it stands
// for, and gopher errors as Python classes.
package commands

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/gopher"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/pyerr"
)

// maxText bounds what a text page shows once escaped (a control byte counts
// as its escape, as shell.TextCap counts); --out streams any size.
var maxText = 16 << 20 // a var: tests lower it

// sockConn reads and writes a bsd.Socket under a context, for gopher.Fetch:
// each Read is one recv into Fetch's buffer (r, a bsd.Reader, makes them
// without allocating), each Write one sendall.
type sockConn struct {
	ctx  context.Context
	s    *bsd.Socket
	r    *bsd.Reader
	sent *bool // set once the request was written
}

func (sc sockConn) Read(p []byte) (int, error) { return sc.r.Read(p) }

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

func (e *gopherError) Python() pyerr.Exception {
	return pyerr.Exception{Class: e.class, Msg: e.msg, Hint: e.hint}
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
		if isAllowError(err) {
			return nil, err // refused by set allow: nothing ran
		}
		c.Python("%s", pyConnect)
		if tr != nil {
			c.Syscalls(tr.Lines()...)
		}
		return nil, err
	}
	s.SetTrace(tr)         // the fetch's own calls belong in this command's trace
	gathered := s.Gather() // the request and the reply are one event each, however many recvs
	defer func() {
		gathered()
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
	text := shell.NewTextCap(maxText)
	var buffered *bufio.Writer
	if file != nil {
		// The reply comes in recvs of 4096 bytes (as the Python reads it);
		// the file takes them in writes of up to 256 KiB, not one each.
		buffered = bufio.NewWriterSize(file, 256<<10)
		out = buffered
	} else if !gopher.IsMenu(t.Type) {
		out = text
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
	sc := sockConn{ctx: ctx, s: s, r: s.NewReader(ctx), sent: &sent}
	if buffered != nil {
		// Whenever the socket has nothing more for now, what came goes to
		// the file: a slow server's bytes are on disk as they arrive (a
		// failed write is kept by the buffer and fails the next Write).
		sc.r.SetIdle(func() { buffered.Flush() })
	}
	reply, err := gopher.Fetch(ctx, sc, t, out, opts)
	sc.r.Close()
	if buffered != nil {
		// What came is written, whether the fetch ended well or not (a
		// partial download is kept or removed with the rest).
		if ferr := buffered.Flush(); ferr != nil && err == nil {
			err = fmt.Errorf("gopher %s: write output: %w", t.URL(), ferr)
		}
	}
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
	browsing.With(c.Session, func(st *gopherState) {
		if record && !(toFile && reply.Menu == nil) {
			st.history = append(st.history, t) // a download is not a page to go back to
		}
		if reply.Menu != nil {
			st.menu = reply.Menu
		}
	})
	if reply.Menu != nil {
		if bad := countInvalid(reply.Menu); bad == 1 {
			c.Note("1 of the items has a field marked invalid: `go` refuses to follow it")
		} else if bad > 1 {
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
	body := text.Bytes()
	if text.Cut() {
		c.Note("text cut after %s of %s (%d MiB once escaped is shown at most); use --out FILE for the whole reply",
			count(text.Kept(), "byte"), count(reply.Bytes, "byte"), maxText>>20)
	}
	return shell.Text(unframeText(body)), nil
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
