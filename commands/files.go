// Files the commands read and write, all through shell/fileio: what
// --out, --force and --keep-partial mean, and the notes after a failure.
package commands

import (
	"time"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
)

var (
	forceFlag       = shell.Flag{Name: "force", Help: "with --out: replace FILE if it exists (only once the transfer succeeds; a symbolic link there is replaced, never followed)"}
	keepPartialFlag = shell.Flag{Name: "keep-partial", Help: "keep what arrived before a failure or Ctrl-C, as FILE.partial"}
)

// outFileHelp is the help every command that writes a file shares.
const outFileHelp = "The bytes go to a temporary file beside FILE, renamed to FILE only when the\n" +
	"transfer succeeds: a failure or Ctrl-C leaves no half file (--keep-partial keeps\n" +
	"it as FILE.partial). An existing FILE is never replaced without --force. A FIFO\n" +
	"or /dev/null is written in place. A symbolic link at FILE is never followed:\n" +
	"it is a FILE that exists, and --force replaces the link itself."

// createOutput opens FILE for a command's --out, with the policy its
// --force and --keep-partial ask for.
func createOutput(c *shell.Call, name string) (*fileio.Output, error) {
	o := fileio.Options{KeepPartial: c.Has("keep-partial"), Timeout: waitLimit(c)}
	if c.Has("force") {
		o.Policy = fileio.Force
	}
	f, err := fileio.Create(c.Ctx, name, o)
	if err == nil && f.Stream() && (c.Has("force") || c.Has("keep-partial")) {
		c.Note("%s is written in place (a FIFO or /dev/null): --force and --keep-partial change nothing there", name)
	}
	return f, err
}

// pyWriteMode is the open() mode that does what createOutput did (f is
// its result, nil if it failed): 'xb' refuses an existing file, as --out
// does without --force; a FIFO or /dev/null is opened with 'wb'.
func pyWriteMode(c *shell.Call, f *fileio.Output) string {
	if c.Has("force") || f != nil && f.Stream() {
		return "'wb'"
	}
	return "'xb'"
}

// noteAbort ends a failed write and says what became of the bytes
// written so far.
func noteAbort(c *shell.Call, f *fileio.Output) {
	n := f.Written()
	kept := f.Abort()
	switch {
	case f.Stream():
		if n > 0 {
			c.Note("%s went to %s before the error", count(n, "byte"), f.Name())
		}
	case kept != "":
		c.Note("%s arrived before the error, kept in %s", count(n, "byte"), kept)
	case n > 0:
		c.Note("%s arrived before the error; %s was not written (--keep-partial keeps what arrived)", count(n, "byte"), f.Name())
	}
}

// openInput opens FILE to read: streams (FIFOs, devices) only where the
// command reads until EOF.
func openInput(c *shell.Call, name string, accept fileio.Accept) (*fileio.Input, error) {
	f, err := fileio.Open(c.Ctx, name, accept)
	if err != nil {
		return nil, err
	}
	f.Timeout = waitLimit(c)
	return f, nil
}

// waitLimit is how long one wait on a FIFO may take: the session's
// timeout, as for one recv or send on a socket (0: no limit).
func waitLimit(c *shell.Call) time.Duration {
	if d, ok := c.Session.Timeout(); ok && d > 0 {
		return d
	}
	return 0
}
