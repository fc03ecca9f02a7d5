// The errors of writing a file: each tells the shell, through pyerr, what
// Python raises and the hint for the learner.
package fileio

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/sockshell/sockshell/shell/pyerr"
)

// LinkError refuses to write where a symbolic link stands: following it
// would write the file it names, which may be anyone's. It wraps EEXIST
// (the name is taken), so the shell shows FileExistsError.
type LinkError struct{ Path, To string }

func (e *LinkError) Error() string {
	return fmt.Sprintf("%q is a symbolic link to %q; it is not followed", e.Path, e.To)
}

// Unwrap is the EEXIST error on the link.
func (e *LinkError) Unwrap() error {
	return &fs.PathError{Op: "open", Path: e.Path, Err: syscall.EEXIST}
}

// Python is FileExistsError on the link, with a hint that says what
// --force does here and how to write the file the link names. A link that
// leads to something other than a regular file or nothing (/dev/stdout, a
// terminal, a device) gets no --force advice: replacing such a link (a
// system name, often) is not what was meant, and the shell writes only
// regular files, and a FIFO or /dev/null named directly.
func (e *LinkError) Python() pyerr.Exception {
	x := pyerr.Of(e.Unwrap())
	if fi, err := os.Stat(e.Path); err == nil && !fi.Mode().IsRegular() {
		x.Hint = fmt.Sprintf("it is a symbolic link (to %s), never followed, and it leads to something that is not a regular file; the shell writes regular files, and a FIFO or /dev/null named directly", pyStr(e.To))
		return x
	}
	x.Hint = fmt.Sprintf("it is a symbolic link (to %s), never followed: --force replaces the link itself with the file; to write where it points, give that name", pyStr(e.To))
	return x
}

// tempError is a failure to make the temporary file; its hint says where
// it was to be made, since the file asked for may itself be writable.
type tempError struct {
	err error
	dir string
}

func (e *tempError) Error() string { return e.err.Error() }
func (e *tempError) Unwrap() error { return e.err }

// Python is what Python raises for the cause, with a hint that says why
// the directory matters where permission was refused.
func (e *tempError) Python() pyerr.Exception {
	x := pyerr.Of(e.err)
	if errors.Is(e.err, fs.ErrPermission) || errors.Is(e.err, syscall.EROFS) {
		x.Hint = fmt.Sprintf("the bytes go first to a temporary file in %s, renamed at the end; it could not be made there", pyStr(e.dir))
	}
	return x
}

// ExistsError refuses to replace an existing file. It wraps the
// *fs.PathError of EEXIST, so the shell shows Python's FileExistsError for
// open(name, 'xb'), naming the file.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string { return e.Unwrap().Error() }

// Unwrap is the EEXIST error on the file.
func (e *ExistsError) Unwrap() error {
	return &fs.PathError{Op: "open", Path: e.Path, Err: syscall.EEXIST}
}

// Python is FileExistsError on the file, with a hint that says how to
// replace it anyway.
func (e *ExistsError) Python() pyerr.Exception {
	x := pyerr.Of(e.Unwrap())
	x.Hint = "it is left as it is; --force replaces it once the transfer succeeds, or give another name"
	return x
}

// AppearedError says the target was made by someone else during the
// transfer; the data is kept under another name.
type AppearedError struct{ Path, Kept string }

func (e *AppearedError) Error() string {
	return fmt.Sprintf("%q appeared during the transfer; the data is in %q", e.Path, e.Kept)
}

// Python is FileExistsError, as the final rename found it.
func (e *AppearedError) Python() pyerr.Exception {
	return pyerr.Exception{Class: "FileExistsError", Errno: int(syscall.EEXIST), HasErrno: true, Msg: "File exists: " + pyStr(e.Path) +
		" (made by someone else during the transfer; the data received is in " + pyStr(e.Kept) + ")"}
}

// Unwrap lets errors.Is(err, fs.ErrExist) see it.
func (e *AppearedError) Unwrap() error { return fs.ErrExist }
