package fileio

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/sockshell/sockshell/shell/pyerr"
)

// TestErrorsTellTheShell: each of this package's errors hands the shell,
// through pyerr, what Python raises and the hint for the learner.
func TestErrorsTellTheShell(t *testing.T) {
	cases := []struct {
		err       error
		str, hint string
	}{
		{&ExistsError{Path: "out.bin"}, "FileExistsError: [Errno 17] File exists", "--force replaces it"},
		{&tempError{err: &fs.PathError{Op: "open", Path: "/ro/x.tmp", Err: syscall.EACCES}, dir: "/ro"}, "PermissionError: [Errno 13] Permission denied", "temporary file in '/ro'"},
		{&KindError{Path: "p", Kind: "a FIFO (named pipe)", Want: "a regular file", Hint: "h"}, "OSError: 'p' is a FIFO (named pipe), not a regular file", "h"},
		{&WaitError{Path: "p", What: "a writer or data"}, "TimeoutError: timed out", "within the timeout"},
		{&AppearedError{Path: "a", Kept: "a.1"}, "FileExistsError: [Errno 17] File exists: 'a'", ""},
	}
	for _, c := range cases {
		x := pyerr.Of(c.err)
		if !strings.HasPrefix(x.String(), c.str) || !strings.Contains(x.Hint, c.hint) {
			t.Errorf("%T: %s, hint %q; want %s…, hint with %q", c.err, x, x.Hint, c.str, c.hint)
		}
	}
	if x := pyerr.Of(&ExistsError{Path: "out.bin"}); x.Filename != "out.bin" {
		t.Errorf("ExistsError names %q, want out.bin", x.Filename)
	}
	if !errors.Is(&WaitError{}, os.ErrDeadlineExceeded) {
		t.Error("a WaitError is not a deadline")
	}
}
