// This file holds the error type and the Python error classes and messages.

package netdb

import (
	"errors"
	"fmt"

	"github.com/sockshell/sockshell/shell/pyerr"
)

// Error is a name-service failure as Python's socket module reports it: a class
// (socket.gaierror, socket.herror, OSError, OverflowError, TypeError, ValueError,
// UnicodeError), an optional errno, the message, and an optional hint in English
// for the learner.
type Error struct {
	Class    string // Python's exception class, e.g. "socket.gaierror"
	Errno    int    // the errno or EAI/h_errno code when HasErrno
	HasErrno bool   // whether Python shows "[Errno N]"
	Msg      string // Python's message text
	Hint     string // one line of explanation, "" when there is none
	Err      error  // the underlying Go error, if any
}

// Python returns what Python raises (pyerr.Error), with the hint: the
// shell renders it as "Class: [Errno N] msg".
func (e *Error) Python() pyerr.Exception {
	return pyerr.Exception{Class: e.Class, Errno: e.Errno, HasErrno: e.HasErrno, Msg: e.Msg, Hint: e.Hint}
}

// Error returns the error as Python prints it, e.g.
// "socket.gaierror: [Errno -2] Name or service not known".
func (e *Error) Error() string {
	if e.HasErrno {
		return fmt.Sprintf("%s: [Errno %d] %s", e.Class, e.Errno, e.Msg)
	}
	return e.Class + ": " + e.Msg
}

// Unwrap returns the underlying error, so errors.Is and errors.As see through.
func (e *Error) Unwrap() error { return e.Err }

// Python exception classes used by this package.
const (
	ClassGai      = "socket.gaierror"
	ClassH        = "socket.herror"
	ClassOS       = "OSError"
	ClassOverflow = "OverflowError"
	ClassType     = "TypeError"
	ClassValue    = "ValueError"
	ClassUnicode  = "UnicodeError"
)

// getaddrinfo error codes (glibc's EAI_* values, as Python shows them).
const (
	EAI_BADFLAGS   = -1
	EAI_NONAME     = -2
	EAI_AGAIN      = -3
	EAI_FAIL       = -4
	EAI_NODATA     = -5
	EAI_FAMILY     = -6
	EAI_SOCKTYPE   = -7
	EAI_SERVICE    = -8
	EAI_ADDRFAMILY = -9
	EAI_MEMORY     = -10
	EAI_SYSTEM     = -11
	EAI_OVERFLOW   = -12
)

// gaiMessages are glibc's gai_strerror texts.
var gaiMessages = map[int]string{
	EAI_BADFLAGS:   "Bad value for ai_flags",
	EAI_NONAME:     "Name or service not known",
	EAI_AGAIN:      "Temporary failure in name resolution",
	EAI_FAIL:       "Non-recoverable failure in name resolution",
	EAI_NODATA:     "No address associated with hostname",
	EAI_FAMILY:     "ai_family not supported",
	EAI_SOCKTYPE:   "ai_socktype not supported",
	EAI_SERVICE:    "Servname not supported for ai_socktype",
	EAI_ADDRFAMILY: "Address family for hostname not supported",
	EAI_MEMORY:     "Memory allocation failure",
	EAI_SYSTEM:     "System error",
	EAI_OVERFLOW:   "Result too large for supplied buffer",
}

// gaiHints are the hints for errors no lookup has explained better (see
// hints.go, which says what was asked of whom).
var gaiHints = map[int]string{
	EAI_NONAME:     "no address was found for the host, or (with AI_NUMERICHOST or AI_NUMERICSERV) it or the port is not numeric",
	EAI_AGAIN:      "the name service gave no answer in time: a DNS server down or out of reach",
	EAI_NODATA:     "the name exists but has no address of the asked family",
	EAI_SERVICE:    "the service is not listed in the services database for this socket type",
	EAI_ADDRFAMILY: "the address is of another family than the one asked for (IPv6 where IPv4 was wanted, or the reverse)",
}

// GaiError is socket.gaierror for an EAI code, with glibc's message and
// the hint for it: what the commands raise when they refuse an address as
// getaddrinfo would (an IPv6 literal for an inet socket is EAI_ADDRFAMILY).
func GaiError(code int) *Error { return gaiError(code, nil) }

// IsGai reports whether err is socket.gaierror with that EAI code.
func IsGai(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.Class == ClassGai && e.Errno == code
}

// gaiError builds socket.gaierror for an EAI code.
func gaiError(code int, cause error) *Error {
	msg, ok := gaiMessages[code]
	if !ok {
		msg = "Unknown error"
	}
	return &Error{Class: ClassGai, Errno: code, HasErrno: true, Msg: msg, Hint: gaiHints[code], Err: cause}
}

// h_errno values.
const (
	hostNotFound = 1 // HOST_NOT_FOUND
	tryAgain     = 2 // TRY_AGAIN
	noRecovery   = 3 // NO_RECOVERY
	noData       = 4 // NO_DATA
)

// hError builds socket.herror from an h_errno value, with glibc's hstrerror text.
func hError(code int, cause error) *Error {
	var msg string
	switch {
	case code < 0:
		msg = "Resolver internal error"
	case code == 0:
		msg = "Resolver Error 0 (no error)"
	case code == hostNotFound:
		msg = "Unknown host"
	case code == tryAgain:
		msg = "Host name lookup failure"
	case code == noRecovery:
		msg = "Unknown server error"
	case code == noData:
		msg = "No address associated with name"
	default:
		msg = "Unknown resolver error"
	}
	hint := ""
	switch code {
	case hostNotFound:
		hint = "no name is recorded for this address"
	case tryAgain:
		hint = "the name service gave no answer in time: a DNS server down or out of reach"
	}
	return &Error{Class: ClassH, Errno: code, HasErrno: true, Msg: msg, Hint: hint, Err: cause}
}

// plainError builds an error without errno, such as OSError: service/proto not found.
func plainError(class, msg, hint string) *Error {
	return &Error{Class: class, Msg: msg, Hint: hint}
}

// errnoError builds OSError: [Errno N] msg.
func errnoError(errno int, msg string, cause error) *Error {
	return &Error{Class: ClassOS, Errno: errno, HasErrno: true, Msg: msg, Err: cause}
}
