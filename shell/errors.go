// Errors as Python names them: a class, an errno where the kernel gave one,
// a message, and an optional one-line hint. The model (the errno table and
// the interface every layer speaks) is shell/pyerr; this file holds the
// shell's own error type and Classify, which turns any error into one.
package shell

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/sockshell/sockshell/shell/pyerr"
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

func (e *Error) Error() string { return e.Python().String() }

func (e *Error) Unwrap() error { return e.Err }

// Python is what Python raises for the error (pyerr.Error).
func (e *Error) Python() pyerr.Exception {
	return pyerr.Exception{Class: e.Class, Errno: e.Errno, HasErrno: e.HasErrno, Msg: e.Msg, Hint: e.Hint}
}

// Usagef returns a UsageError.
func Usagef(format string, args ...any) *Error {
	return &Error{Class: "UsageError", Msg: fmt.Sprintf(format, args...)}
}

// Errorf returns an error of the given Python class.
func Errorf(class, format string, args ...any) *Error {
	return &Error{Class: class, Msg: fmt.Sprintf(format, args...)}
}

// Classify turns any error into an *Error with what Python raises for it
// (pyerr.Of): errors that know their Python class keep it; a bare errno
// becomes the OSError subclass Python raises for it, a file's name added
// as Python adds it; a timeout becomes TimeoutError and a cancel
// KeyboardInterrupt.
func Classify(err error) *Error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	x := pyerr.Of(err)
	if x.Filename != "" {
		// As Python names the file: "[Errno 2] No such file or directory: 'x'".
		x.Msg += ": " + StrRepr(x.Filename)
	}
	return &Error{Class: x.Class, Errno: x.Errno, HasErrno: x.HasErrno, Msg: x.Msg, Hint: x.Hint, Err: err}
}

// ErrnoError is the OSError (or subclass) Python raises for an errno, with a
// hint for the learner: "OSError: [Errno 9] Bad file descriptor".
func ErrnoError(errno syscall.Errno, hint string) *Error {
	x := pyerr.FromErrno(errno)
	return &Error{Class: x.Class, Errno: x.Errno, HasErrno: true, Msg: x.Msg, Hint: hint}
}
