// Opening files to read: O_NONBLOCK open, fstat on the descriptor, and
// reads of FIFOs and devices that wait in the poller and end on cancel.
package fileio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/sockshell/sockshell/shell/pyerr"
	"golang.org/x/sys/unix"
)

// Accept says which kinds of file an Open takes.
type Accept int

const (
	// Regular takes regular files only: a command that reads the file whole.
	Regular Accept = iota
	// Streams also takes FIFOs and devices, read as a stream until EOF
	// (or until the context ends).
	Streams
)

// Input is a file opened to read.
type Input struct {
	f    *os.File
	name string
	info os.FileInfo
	ctx  context.Context
	// Timeout bounds each wait of a stream's Read (for a writer, for
	// data), as a socket's timeout bounds each recv; 0 waits for ever.
	Timeout time.Duration
}

// Open opens name to read without waiting for a FIFO's writer, and checks
// the type of what it opened: a directory is IsADirectoryError, a FIFO or
// device is refused unless accept is Streams. Reads end with ctx.Err()
// when ctx ends, however long a FIFO's writer keeps quiet.
func Open(ctx context.Context, name string, accept Accept) (*Input, error) {
	fd, err := openFD(name, unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := checkReadable(name, st, accept); err != nil {
		f.Close()
		return nil, err
	}
	return &Input{f: f, name: name, info: st, ctx: ctx}, nil
}

// openFD opens with O_NONBLOCK|O_CLOEXEC|O_NOCTTY, retrying on EINTR, and
// names the file in its error as Python does.
func openFD(name string, flags int) (int, error) {
	for {
		fd, err := unix.Open(name, flags|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0o666)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return fd, nil
	}
}

func checkReadable(name string, st os.FileInfo, accept Accept) error {
	mode := st.Mode()
	switch {
	case mode.IsRegular():
		return nil
	case mode.IsDir():
		return &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	case accept == Streams && (mode&(fs.ModeNamedPipe|fs.ModeDevice|fs.ModeCharDevice) != 0):
		return nil
	}
	return &KindError{Path: name, Kind: KindName(mode), Want: "a regular file"}
}

// KindError refuses a file of the wrong type, naming it.
type KindError struct {
	Path string
	Kind string // "a FIFO (named pipe)", "a character device", ...
	Want string // what the command takes
	Hint string // what to do instead, or ""
}

func (e *KindError) Error() string {
	return fmt.Sprintf("%q is %s, not %s", e.Path, e.Kind, e.Want)
}

// Python gives the shell the class, message and hint to show (pyerr.Error).
func (e *KindError) Python() pyerr.Exception {
	return pyerr.Exception{Class: "OSError", Msg: fmt.Sprintf("%s is %s, not %s", pyStr(e.Path), e.Kind, e.Want), Hint: e.Hint}
}

// KindName names a file's type for a message.
func KindName(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case mode&fs.ModeSocket != 0:
		return "a Unix socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// pyStr quotes a file name as Python's repr of a str would, for the
// common case (the shell's renderer escapes what reaches the terminal).
func pyStr(s string) string {
	if !containsByte(s, '\'') {
		return "'" + s + "'"
	}
	if !containsByte(s, '"') {
		return `"` + s + `"`
	}
	b := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(append(b, '\''))
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// Name is the name the file was opened by.
func (in *Input) Name() string { return in.name }

// Info is what fstat said of the opened descriptor.
func (in *Input) Info() os.FileInfo { return in.info }

// Regular reports whether the file is a regular file (with a size, and
// readable by sendfile(2)).
func (in *Input) Regular() bool { return in.info.Mode().IsRegular() }

// File is the opened file, for sendfile(2) on a regular file. Reading a
// stream through it directly would not end on cancel: use Read.
func (in *Input) File() *os.File { return in.f }

// Close closes the file.
func (in *Input) Close() error { return in.f.Close() }

// Read reads like os.File.Read. On a FIFO or device it waits in Go's
// poller, first for a writer (a FIFO opened without one would read as EOF
// at once), and ends with the context's error when the context ends.
func (in *Input) Read(p []byte) (int, error) {
	if in.Regular() || in.info.IsDir() {
		return in.f.Read(p)
	}
	if err := in.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	stop := wakeOnDone(in.ctx, in.f.SetReadDeadline, in.Timeout)
	defer stop()
	rc, err := in.f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		// Without a writer yet, a non-blocking FIFO reads as EOF; poll
		// tells "no writer yet" (no event) from "writer gone" (POLLHUP).
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if k, perr := unix.Poll(pfd, 0); perr == nil && k == 0 {
			return false
		}
		n, rerr = unix.Read(int(fd), p)
		return rerr != unix.EAGAIN && rerr != unix.EINTR
	})
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, waitError(in.ctx, in.name, "writer or data", err)
		}
		return 0, &fs.PathError{Op: "read", Path: in.name, Err: err}
	}
	if rerr != nil {
		return 0, &fs.PathError{Op: "read", Path: in.name, Err: rerr}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// wakeOnDone bounds a wait on a file by the timeout (0: none) and makes it
// end when ctx does, by setting its deadline in the past; stop undoes both.
func wakeOnDone(ctx context.Context, setDeadline func(time.Time) error, timeout time.Duration) (stop func()) {
	if timeout > 0 {
		setDeadline(time.Now().Add(timeout))
	}
	if ctx.Done() == nil {
		return func() { setDeadline(time.Time{}) }
	}
	after := context.AfterFunc(ctx, func() { setDeadline(time.Unix(1, 0)) })
	return func() {
		after()
		setDeadline(time.Time{})
	}
}

// WaitError is a wait on a FIFO or device that outlasted the timeout.
type WaitError struct {
	Path string
	What string // what never came: "a writer or data", "a reader or room"
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("%q: timed out waiting for %s", e.Path, e.What)
}

// Python is TimeoutError, as Python names a timeout, with a hint that
// says what was awaited.
func (e *WaitError) Python() pyerr.Exception {
	return pyerr.Exception{Class: "TimeoutError", Msg: "timed out",
		Hint: fmt.Sprintf("%s is a FIFO or device: nothing came within the timeout (waiting for %s; set timeout SECONDS, or none)", pyStr(e.Path), e.What)}
}

// Unwrap lets errors.Is(err, os.ErrDeadlineExceeded) see it.
func (e *WaitError) Unwrap() error { return os.ErrDeadlineExceeded }

// waitError turns an ended wait into the context's error or a WaitError.
func waitError(ctx context.Context, path, what string, err error) error {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &WaitError{Path: path, What: what}
}
