// Package pyerr is sockshell's one model of errors as Python names them:
// the OSError subclass Python raises for each errno, the C library's text
// for it, and Error, the interface through which the socket layer, the
// name service, gopher, the commands and the shell itself say what Python
// would raise. It imports nothing from the project, so every layer can
// use it.
package pyerr

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// Exception is what Python raises: a class ("OSError",
// "ConnectionRefusedError", "socket.gaierror", "UsageError"), an errno
// where Python shows "[Errno N]", the message, and a one-line hint for the
// learner ("" for none).
type Exception struct {
	Class    string
	Errno    int
	HasErrno bool
	Msg      string
	Hint     string
	// Filename is the file a path error names; Python prints its repr
	// after the message ("[Errno 2] No such file or directory: 'x'"), which
	// the shell, who knows repr, adds.
	Filename string
}

// String is the exception as Python prints it, without the file name:
// "ConnectionRefusedError: [Errno 111] Connection refused".
func (x Exception) String() string {
	if x.HasErrno {
		return fmt.Sprintf("%s: [Errno %d] %s", x.Class, x.Errno, x.Msg)
	}
	if x.Msg == "" {
		return x.Class
	}
	return x.Class + ": " + x.Msg
}

// Error is implemented by errors that know what Python would raise for
// them. Of asks the first one in an error's chain.
type Error interface {
	error
	Python() Exception
}

// Of says what Python raises for err: what the first Error in its chain
// says; KeyboardInterrupt for a cancel; "TimeoutError: timed out" for a
// deadline; "[Errno 9] Bad file descriptor" for a closed file or socket; the
// errno's OSError subclass and text for an errno (with the file's name for
// a path error); else OSError with err's text. nil
// gives the zero Exception.
func Of(err error) Exception {
	var pe Error
	var errno syscall.Errno
	switch {
	case err == nil:
		return Exception{}
	case errors.As(err, &pe):
		return pe.Python()
	case IsCancel(err):
		return Exception{Class: "KeyboardInterrupt"}
	case IsTimeout(err):
		return Exception{Class: "TimeoutError", Msg: "timed out"}
	case errors.Is(err, os.ErrClosed):
		return FromErrno(syscall.EBADF)
	case errors.As(err, &errno):
		x := FromErrno(errno)
		x.Hint = LimitHint(errno)
		var path *fs.PathError
		if errors.As(err, &path) {
			x.Filename = path.Path
		}
		return x
	}
	return Exception{Class: "OSError", Msg: err.Error()}
}

// IsCancel reports whether err is a cancel (Ctrl-C): context.Canceled
// anywhere in its chain.
func IsCancel(err error) bool { return errors.Is(err, context.Canceled) }

// IsTimeout reports whether err is a deadline that passed: a socket's
// timeout (os.ErrDeadlineExceeded) or a context's
// (context.DeadlineExceeded).
func IsTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
}

// FromErrno is the exception Python raises for an errno:
// "ConnectionRefusedError: [Errno 111] Connection refused".
func FromErrno(e syscall.Errno) Exception {
	return Exception{Class: ClassOf(e), Errno: int(e), HasErrno: true, Msg: StrError(e)}
}

// ClassOf is the OSError subclass Python raises for an errno (PEP 3151),
// "OSError" for the errnos that have none.
func ClassOf(e syscall.Errno) string {
	if c, ok := subclasses[e]; ok {
		return c
	}
	return "OSError"
}

// subclasses is Python's errno → OSError subclass table for Linux
// (Objects/exceptions.c); every errno not in it raises OSError itself.
var subclasses = map[syscall.Errno]string{
	syscall.EAGAIN:       "BlockingIOError", // = EWOULDBLOCK
	syscall.EALREADY:     "BlockingIOError",
	syscall.EINPROGRESS:  "BlockingIOError",
	syscall.ECHILD:       "ChildProcessError",
	syscall.EPIPE:        "BrokenPipeError",
	syscall.ESHUTDOWN:    "BrokenPipeError",
	syscall.ECONNABORTED: "ConnectionAbortedError",
	syscall.ECONNREFUSED: "ConnectionRefusedError",
	syscall.ECONNRESET:   "ConnectionResetError",
	syscall.EEXIST:       "FileExistsError",
	syscall.ENOENT:       "FileNotFoundError",
	syscall.EISDIR:       "IsADirectoryError",
	syscall.ENOTDIR:      "NotADirectoryError",
	syscall.EINTR:        "InterruptedError",
	syscall.EACCES:       "PermissionError",
	syscall.EPERM:        "PermissionError",
	syscall.ESRCH:        "ProcessLookupError",
	syscall.ETIMEDOUT:    "TimeoutError",
}

// StrError is the C library's text for an errno, as Python prints it
// (os.strerror): "Connection refused". Go's texts are glibc's with the
// first letter lowered; glibc's texts Go lacks are added here, and an errno
// neither knows is "Unknown error N", as glibc says.
func StrError(e syscall.Errno) string {
	if s, ok := glibcOnly[e]; ok {
		return s
	}
	s := e.Error()
	if s == "errno "+strconv.Itoa(int(e)) {
		return "Unknown error " + strconv.Itoa(int(e))
	}
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// glibcOnly holds glibc's texts for errnos Go's table does not name.
var glibcOnly = map[syscall.Errno]string{
	133: "Memory page has hardware error", // EHWPOISON
}
