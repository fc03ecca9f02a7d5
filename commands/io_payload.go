package commands

import (
	"errors"
	"fmt"
	"io"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
)

// The data a send takes: a DATA word or --file, read as the send needs it, and what the note under a send says.

// payload reads DATA (argument i) or, with --file, a regular file of at
// most maxFilePayload bytes. With --file, argument i must be absent.
func payload(c *shell.Call, i int) ([]byte, string, error) {
	if f, ok := c.Flag("file"); ok {
		if c.NArg() > i {
			return nil, "", c.UsageError("give DATA or --file, not both")
		}
		data, err := readPayloadFile(c, f)
		if err != nil {
			return nil, "", err
		}
		return data, fmt.Sprintf("open(%s, 'rb').read()", shell.StrRepr(f)), nil
	}
	if c.NArg() <= i {
		return nil, "", c.UsageError("missing DATA")
	}
	if note := shell.TextNote(c.Args[i]); note != "" {
		c.Note("%s", note)
	}
	return []byte(c.Arg(i)), shell.DataExpr(c.Args[i]), nil
}

// readPayloadFile reads a regular file whole, refusing what cannot be read
// into memory: pipes, devices and files over maxFilePayload. The checks
// are made on the opened file, so nothing swapped in can hang the read.
func readPayloadFile(c *shell.Call, name string) ([]byte, error) {
	f, err := openInput(c, name, fileio.Regular)
	if err != nil {
		var ke *fileio.KindError
		if errors.As(err, &ke) {
			ke.Hint = "send and sendto read the file whole; sendall --file and sendfile stream any file"
		}
		return nil, err
	}
	defer f.Close()
	if size := f.Info().Size(); size > maxFilePayload {
		return nil, shell.Errorf("ValueError", "%s has %d bytes, over the %d this command reads into memory; use sendall --file or sendfile, which stream", shell.StrRepr(name), size, maxFilePayload)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFilePayload+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFilePayload {
		return nil, shell.Errorf("ValueError", "%s grew past the %d bytes this command reads into memory while it was read", shell.StrRepr(name), maxFilePayload)
	}
	return data, nil
}

// sendAllFile streams a file to the socket in constant memory, as
// sendall(open(file).read()) would send it.
func sendAllFile(c *shell.Call, s *bsd.Socket, name, file string) (any, error) {
	// sendall returns None; the shell prints the count, which is len(data).
	c.Python("data = open(%s, 'rb').read()", shell.StrRepr(file))
	c.Python("%s.sendall(data)", name)
	c.Python("len(data)")
	if c.NArg() > 1 && c.Arg(1) != "" {
		return nil, c.UsageError("give DATA or --file, not both")
	}
	f, err := openInput(c, file, fileio.Streams)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := sendInput(c, s, f)
	if err != nil {
		noteSent(c, n, f)
		return nil, err
	}
	return n, nil
}

// sendInput sends a regular file with sendfile(2), and a FIFO or device
// with read and send, cancellably.
func sendInput(c *shell.Call, s *bsd.Socket, f *fileio.Input) (int64, error) {
	return pairGuard(c, s, func() (int64, error) {
		if f.Regular() {
			return s.SendFile(c.Ctx, f.File())
		}
		return s.SendFrom(c.Ctx, f)
	})
}

// wasWere is the verb for a count of n: "1 byte was", "2 bytes were".
func wasWere(n int64) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// noteSent says how much of a file went out before an error, when any did.
func noteSent(c *shell.Call, n int64, f *fileio.Input) {
	switch {
	case n == 0:
	case f.Regular():
		c.Note("%d of %s %s sent before the error", n, count(f.Info().Size(), "byte"), wasWere(n))
	default:
		c.Note("%s %s sent before the error", count(n, "byte"), wasWere(n))
	}
}
