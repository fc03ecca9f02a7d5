// Writing files: a temporary file made with O_EXCL in the target's
// directory, renamed over the target only at success; FIFOs and /dev/null
// are written in place, cancellably.
package fileio

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Policy says what Create does when the target exists.
type Policy int

const (
	// NoClobber refuses an existing target (FileExistsError).
	NoClobber Policy = iota
	// Force replaces an existing regular file, by rename at Commit.
	Force
	// Fresh never touches an existing file: Commit picks NAME.1, NAME.2, …
	// (for names a server chose).
	Fresh
)

// Options of Create.
type Options struct {
	Policy Policy
	// KeepPartial keeps what was written when the command fails, under a
	// fresh name ending in ".partial"; without it, Abort removes it.
	KeepPartial bool
	// Timeout bounds each wait on a FIFO (for its reader, for room to
	// write), as a socket's timeout bounds each send; 0 waits for ever.
	Timeout time.Duration
	// Perm, if not 0, is the file's mode (a private file: 0600), whatever
	// the umask or the replaced file's mode; 0 is 0666 less the umask, or
	// the replaced file's mode.
	Perm fs.FileMode
	// WritebackStep, if not 0, is how much a regular output writes before
	// it asks the kernel to start writing it to the disk (writeback.go);
	// 0 is 4 MiB.
	WritebackStep int64
}

// Output is a file being written. Write to it, then Commit on success or
// Abort on failure (Abort after Commit does nothing, so it may be deferred).
type Output struct {
	ctx    context.Context
	f      *os.File
	target string // the name asked for (a FIFO's name, for a stream)
	final  string // where Commit renames to (the resolved target)
	temp   string // the temporary file; "" for a stream
	opts   Options
	done   bool
	n      int64 // bytes written
	queued int64 // bytes handed to the disk's writeback (writeback.go)
}

// Create prepares to write name. A regular file is written to a temporary
// file in name's directory; an existing FIFO or /dev/null is written in
// place (nothing is replaced), waiting cancellably for a FIFO's reader.
// Anything else that exists is refused, and an existing regular file too
// unless the policy is Force or Fresh.
//
// name's last part is never followed when it is a symbolic link: a link
// planted where the file is to go (to ~/.bashrc, say) is refused as a file
// that exists, and Force replaces the link itself, never the file it names.
// The temporary file is made with O_EXCL|O_NOFOLLOW and renamed, which
// never follows a link either, so a link planted during the transfer is
// replaced (Force) or kept with the data under another name.
func Create(ctx context.Context, name string, o Options) (*Output, error) {
	out := &Output{ctx: ctx, target: name, final: name, opts: o}
	// Fresh never writes into what is there (a FIFO, a file, a directory
	// of that name): it commits to the first free name.
	lst, lerr := os.Lstat(name)
	if o.Policy == Fresh {
		lerr = fs.ErrNotExist
	}
	perm := fs.FileMode(0)
	if lerr == nil {
		mode := lst.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			if o.Policy != Force {
				to, _ := os.Readlink(name)
				return nil, &LinkError{Path: name, To: to}
			}
		case mode.IsDir():
			return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
		case mode&fs.ModeNamedPipe != 0 || isDevNull(lst):
			return out.openStream()
		case !mode.IsRegular():
			return nil, &KindError{Path: name, Kind: KindName(mode), Want: "a regular file, a FIFO or /dev/null",
				Hint: writeHint(mode)}
		case o.Policy == NoClobber:
			return nil, &ExistsError{Path: name}
		default:
			// The replacement keeps the replaced file's permissions: a
			// private file stays private.
			perm = mode.Perm()
		}
	} else if !errors.Is(lerr, fs.ErrNotExist) {
		return nil, lerr
	}
	f, temp, err := createTemp(filepath.Dir(out.final), filepath.Base(out.final))
	if err != nil {
		return nil, err
	}
	if o.Perm != 0 {
		perm = o.Perm
	}
	if perm != 0 {
		if err := f.Chmod(perm); err != nil {
			f.Close()
			os.Remove(temp)
			untrack(temp)
			return nil, err
		}
	}
	out.f, out.temp = f, temp
	return out, nil
}

func writeHint(mode fs.FileMode) string {
	if mode&fs.ModeCharDevice != 0 {
		return "a terminal or device gets no raw bytes from the network; without --out they are shown escaped"
	}
	return ""
}

// isDevNull reports whether st is the null device (Linux: char 1,3).
func isDevNull(st os.FileInfo) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && st.Mode()&fs.ModeCharDevice != 0 && unix.Major(sys.Rdev) == 1 && unix.Minor(sys.Rdev) == 3
}

// openStream opens an existing FIFO or /dev/null to write in place. A FIFO
// without a reader refuses a non-blocking open (ENXIO); Create waits for
// one, a little at a time, until ctx ends.
func (o *Output) openStream() (*Output, error) {
	var expired <-chan time.Time
	if o.opts.Timeout > 0 {
		t := time.NewTimer(o.opts.Timeout)
		defer t.Stop()
		expired = t.C
	}
	for {
		fd, err := openFD(o.target, unix.O_WRONLY|unix.O_NOFOLLOW)
		if err == nil {
			o.f = os.NewFile(uintptr(fd), o.target)
			st, serr := o.f.Stat()
			if serr == nil && !(st.Mode()&fs.ModeNamedPipe != 0 || isDevNull(st)) {
				serr = &KindError{Path: o.target, Kind: KindName(st.Mode()), Want: "the FIFO it was a moment ago"}
			}
			if serr != nil {
				o.f.Close()
				return nil, serr
			}
			return o, nil
		}
		if !errors.Is(err, unix.ENXIO) {
			return nil, err
		}
		select {
		case <-o.ctx.Done():
			return nil, o.ctx.Err()
		case <-expired:
			return nil, &WaitError{Path: o.target, What: "reader"}
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// createTemp makes ".BASE.RANDOM.tmp" in dir with O_EXCL, mode 0666 less
// the umask (as Python's open(name, 'wb') would make the file).
func createTemp(dir, base string) (*os.File, string, error) {
	short := base
	if len(short) > 200 {
		short = short[:200] // the temporary name stays under NAME_MAX (255)
	}
	for range 100 {
		var r [6]byte
		rand.Read(r[:])
		name := filepath.Join(dir, "."+short+"."+hex.EncodeToString(r[:])+".tmp")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			// Name the file asked for, not the temporary one.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				pe.Path = filepath.Join(dir, base)
			}
			return nil, "", &tempError{err: err, dir: dir}
		}
		track(name)
		return f, name, nil
	}
	return nil, "", &fs.PathError{Op: "create", Path: filepath.Join(dir, base), Err: syscall.EEXIST}
}

// Name is the name asked for.
func (o *Output) Name() string { return o.target }

// Written is the count of bytes written so far.
func (o *Output) Written() int64 { return o.n }

// Stream reports whether the output is a FIFO or /dev/null written in place.
func (o *Output) Stream() bool { return o.temp == "" }

// Write writes p; on a FIFO it waits in the poller for the reader to make
// room, and ends with the context's error when the context ends.
func (o *Output) Write(p []byte) (int, error) {
	if o.done {
		return 0, os.ErrClosed
	}
	if !o.Stream() {
		n, err := o.f.Write(p)
		o.n += int64(n)
		o.writeback()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = o.target // the user knows the file by its name, not the temporary one
		}
		return n, err
	}
	if err := o.ctx.Err(); err != nil {
		return 0, err
	}
	stop := wakeOnDone(o.ctx, o.f.SetWriteDeadline, o.opts.Timeout)
	defer stop()
	n, err := o.f.Write(p)
	o.n += int64(n)
	return n, waitError(o.ctx, o.target, "reader or room to write", err)
}

// Commit makes the output the target: it flushes the temporary file to
// disk and renames it to the target (over it only with Force; Fresh picks
// the first free name NAME, NAME.1, …). It returns the name written.
func (o *Output) Commit() (string, error) {
	if o.done {
		return "", os.ErrClosed
	}
	o.done = true
	if o.Stream() {
		return o.target, o.f.Close()
	}
	defer untrack(o.temp) // renamed, kept or removed by the time it returns
	err := o.f.Sync()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		o.discard()
		return "", err
	}
	switch o.opts.Policy {
	case Force:
		if err := os.Rename(o.temp, o.final); err != nil {
			o.discard()
			return "", err
		}
		return o.final, nil
	case Fresh:
		name, err := renameFresh(o.temp, o.final, "")
		if err != nil {
			o.discard()
			return "", err
		}
		return name, nil
	}
	if err := renameNoReplace(o.temp, o.final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// The name was taken while the data came: keep the data.
			kept, kerr := renameFresh(o.temp, o.final, ".partial")
			if kerr == nil {
				return "", &AppearedError{Path: o.target, Kept: kept}
			}
		}
		o.discard()
		return "", &fs.PathError{Op: "rename", Path: o.target, Err: err}
	}
	return o.final, nil
}

// Abort ends a failed write: the temporary file is removed, or with
// KeepPartial, if anything was written, renamed to a fresh NAME.partial,
// whose name it returns. It
// never touches the target. After Commit it does nothing.
func (o *Output) Abort() (kept string) {
	if o.done {
		return ""
	}
	o.done = true
	o.f.Close()
	if o.Stream() {
		return ""
	}
	defer untrack(o.temp)
	if st, err := os.Stat(o.temp); o.opts.KeepPartial && err == nil && st.Size() > 0 {
		if name, err := renameFresh(o.temp, o.final, ".partial"); err == nil {
			return name
		}
	}
	o.discard()
	return ""
}

func (o *Output) discard() { os.Remove(o.temp) }

// renameFresh renames from to the first free name of target+suffix,
// target+suffix.1, …, never replacing a file.
func renameFresh(from, target, suffix string) (string, error) {
	base := target + suffix
	cand := base
	for i := 1; ; i++ {
		err := renameNoReplace(from, cand)
		if err == nil {
			return cand, nil
		}
		if !errors.Is(err, fs.ErrExist) || i > 1000 {
			return "", err
		}
		cand = fmt.Sprintf("%s.%d", base, i)
	}
}

// renameNoReplace renames from to to, failing with EEXIST if to exists:
// renameat2(RENAME_NOREPLACE), or where the file system lacks it, a hard
// link and an unlink (link(2) never replaces either).
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if err == nil || err == unix.EEXIST {
		return err
	}
	if err != unix.EINVAL && err != unix.ENOSYS && err != unix.ENOTSUP {
		return err
	}
	if err := os.Link(from, to); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			return le.Err
		}
		return err
	}
	return os.Remove(from)
}
