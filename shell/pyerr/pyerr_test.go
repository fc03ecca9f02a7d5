package pyerr

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// TestTableMatchesPython compares, for every errno Linux defines (python3's
// errno.errorcode), the class and text with what python3 itself gives:
// type(OSError(n, ”)) and os.strerror(n).
func TestTableMatchesPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	script := "import errno, os\n" +
		"for n in sorted(errno.errorcode):\n" +
		"    print(n, errno.errorcode[n], type(OSError(n, '')).__name__, os.strerror(n), sep='\\t')\n"
	out, err := exec.Command(py, "-c", script).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	seen := 0
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			t.Fatalf("python3 printed %q", sc.Text())
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("python3 printed %q", sc.Text())
		}
		e := syscall.Errno(n)
		if got := ClassOf(e); got != f[2] {
			t.Errorf("ClassOf(%s) = %s, python3 says %s", f[1], got, f[2])
		}
		if got := StrError(e); got != f[3] {
			t.Errorf("StrError(%s) = %q, python3's os.strerror says %q", f[1], got, f[3])
		}
		seen++
	}
	if seen < 100 {
		t.Fatalf("python3 listed %d errnos; Linux defines over 130", seen)
	}
}

// TestUnknownErrnoText: an errno no one defines reads as glibc says it.
func TestUnknownErrnoText(t *testing.T) {
	if got := StrError(41); got != "Unknown error 41" {
		t.Errorf("StrError(41) = %q", got)
	}
}

type known struct{ x Exception }

func (k known) Error() string     { return k.x.String() }
func (k known) Python() Exception { return k.x }

// TestOf: each kind of error becomes what Python raises, and a wrapped
// Error speaks for the whole chain.
func TestOf(t *testing.T) {
	_, pathErr := os.Open("/nonexistent/sockshell-test")
	own := known{Exception{Class: "socket.gaierror", Errno: -2, HasErrno: true, Msg: "Name or service not known", Hint: "h"}}
	cases := []struct {
		err  error
		want Exception
	}{
		{nil, Exception{}},
		{fmt.Errorf("lookup: %w", own), own.x},
		{fmt.Errorf("recv: %w", context.Canceled), Exception{Class: "KeyboardInterrupt"}},
		{fmt.Errorf("recv: %w", os.ErrDeadlineExceeded), Exception{Class: "TimeoutError", Msg: "timed out"}},
		{context.DeadlineExceeded, Exception{Class: "TimeoutError", Msg: "timed out"}},
		{fmt.Errorf("send: %w", os.ErrClosed), Exception{Class: "OSError", Errno: 9, HasErrno: true, Msg: "Bad file descriptor"}},
		{syscall.ECONNREFUSED, Exception{Class: "ConnectionRefusedError", Errno: 111, HasErrno: true, Msg: "Connection refused"}},
		{syscall.ESRCH, Exception{Class: "ProcessLookupError", Errno: 3, HasErrno: true, Msg: "No such process"}},
		{pathErr, Exception{Class: "FileNotFoundError", Errno: 2, HasErrno: true, Msg: "No such file or directory", Filename: "/nonexistent/sockshell-test"}},
		{errors.New("odd"), Exception{Class: "OSError", Msg: "odd"}},
	}
	for _, c := range cases {
		if got := Of(c.err); got != c.want {
			t.Errorf("Of(%v) = %+v, want %+v", c.err, got, c.want)
		}
	}
}

func TestString(t *testing.T) {
	for x, want := range map[Exception]string{
		{Class: "ConnectionRefusedError", Errno: 111, HasErrno: true, Msg: "Connection refused"}: "ConnectionRefusedError: [Errno 111] Connection refused",
		{Class: "TimeoutError", Msg: "timed out"}:                                                "TimeoutError: timed out",
		{Class: "KeyboardInterrupt"}:                                                             "KeyboardInterrupt",
	} {
		if got := x.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", x, got, want)
		}
	}
}
