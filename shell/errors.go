// Errors as Python names them: a class, an errno where the kernel gave one,
// a message, and an optional one-line hint.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Error is an error in Python's terms.
type Error struct {
	Class    string // Python exception class: "OSError", "socket.gaierror", "UsageError"
	Errno    int
	HasErrno bool
	Msg      string
	Hint     string   // one line of explanation for a learner, or ""
	Err      error    // the underlying error, if any
	reported bool     // already printed (by a nested script run)
	command  string   // the statement that failed, for the json renderer
	notes    []string // the command's notes (a partial count), for the json renderer
	python   []string // the Python that raises the same, for the json renderer
	syscalls []string // the system calls that led to it, for the json renderer
}

func (e *Error) Error() string {
	if e.HasErrno {
		return fmt.Sprintf("%s: [Errno %d] %s", e.Class, e.Errno, e.Msg)
	}
	if e.Msg == "" {
		return e.Class
	}
	return e.Class + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// PythonError reports the error's class, errno and message.
func (e *Error) PythonError() (string, int, bool, string) { return e.Class, e.Errno, e.HasErrno, e.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) *Error {
	return &Error{Class: "UsageError", Msg: fmt.Sprintf(format, args...)}
}

// Errorf returns an error of the given Python class.
func Errorf(class, format string, args ...any) *Error {
	return &Error{Class: class, Msg: fmt.Sprintf(format, args...)}
}

// pythonError is implemented by errors of the command libraries that know
// their Python class (they do not import this package).
type pythonError interface {
	PythonError() (class string, errno int, hasErrno bool, msg string)
}

type hinter interface{ Hint() string }
type explainer interface{ Explain() string }

// Classify turns any error into an *Error: errors that know their Python
// class keep it; a bare errno becomes the OSError subclass Python raises for
// it; timeouts become TimeoutError and a cancel KeyboardInterrupt.
func Classify(err error) *Error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	out := &Error{Err: err}
	var pe pythonError
	var errno syscall.Errno
	switch {
	case errors.As(err, &pe):
		out.Class, out.Errno, out.HasErrno, out.Msg = pe.PythonError()
	case errors.Is(err, context.Canceled):
		out.Class = "KeyboardInterrupt"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		out.Class, out.Msg = "TimeoutError", "timed out"
	case errors.As(err, &errno):
		out.Class, out.Errno, out.HasErrno, out.Msg = ErrnoClass(errno), int(errno), true, StrError(errno)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			// As Python names the file: "[Errno 2] No such file or directory: 'x'".
			out.Msg += ": " + StrRepr(pe.Path)
		}
	default:
		out.Class, out.Msg = "OSError", err.Error()
	}
	var h hinter
	var x explainer
	if errors.As(err, &h) {
		out.Hint = h.Hint()
	} else if errors.As(err, &x) {
		out.Hint = x.Explain()
	}
	return out
}

// ErrnoClass is the OSError subclass Python raises for an errno (PEP 3151).
func ErrnoClass(e syscall.Errno) string {
	switch e {
	case unix.ECONNREFUSED:
		return "ConnectionRefusedError"
	case unix.ECONNRESET:
		return "ConnectionResetError"
	case unix.ECONNABORTED:
		return "ConnectionAbortedError"
	case unix.EPIPE, unix.ESHUTDOWN:
		return "BrokenPipeError"
	case unix.ETIMEDOUT:
		return "TimeoutError"
	case unix.EAGAIN, unix.EALREADY, unix.EINPROGRESS:
		return "BlockingIOError"
	case unix.EINTR:
		return "InterruptedError"
	case unix.ENOENT:
		return "FileNotFoundError"
	case unix.EEXIST:
		return "FileExistsError"
	case unix.EACCES, unix.EPERM:
		return "PermissionError"
	case unix.EISDIR:
		return "IsADirectoryError"
	case unix.ENOTDIR:
		return "NotADirectoryError"
	case unix.ECHILD:
		return "ChildProcessError"
	case unix.ESRCH:
		return "ProcessLookupError"
	}
	return "OSError"
}

// StrError is the C library's text for an errno, as Python prints it
// ("Connection refused"). Go's table has the same texts as glibc's except
// for capitalisation of the first letter.
func StrError(e syscall.Errno) string {
	s := e.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
