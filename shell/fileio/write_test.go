package fileio

// Writing files (write.go): a temporary file renamed over the target only at
// Commit, never clobbering without Force, Abort and KeepPartial, Fresh names
// a server chose; FIFOs and /dev/null written in place, directories and
// other devices refused.

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

func TestCreateNoClobberLeavesExistingFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "keep.txt")
	os.WriteFile(p, []byte("precious"), 0o644)
	_, err := Create(context.Background(), p, Options{})
	var ee *ExistsError
	if !errors.As(err, &ee) || !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing file: %v, want ExistsError", err)
	}
	testenv.WantFile(t, p, "precious")
	if got := testenv.DirNames(t, dir); len(got) != 1 {
		t.Fatalf("directory holds %v, want only keep.txt", got)
	}
}

func TestCreateWritesTempAndRenamesAtCommit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.bin")
	o, err := Create(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("hello"))
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the target exists before Commit: %v", err)
	}
	got, err := o.Commit()
	if err != nil || got != p {
		t.Fatalf("Commit = %q, %v", got, err)
	}
	testenv.WantFile(t, p, "hello")
	if names := testenv.DirNames(t, dir); len(names) != 1 {
		t.Fatalf("directory holds %v after Commit, want only out.bin", names)
	}
	if kept := o.Abort(); kept != "" {
		t.Fatalf("Abort after Commit kept %q", kept)
	}
	testenv.WantFile(t, p, "hello")
}

func TestAbortRemovesOnlyTheTempFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "old.txt")
	os.WriteFile(p, []byte("old"), 0o644)
	o, err := Create(context.Background(), p, Options{Policy: Force})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("half of the new"))
	if kept := o.Abort(); kept != "" {
		t.Fatalf("Abort kept %q without KeepPartial", kept)
	}
	testenv.WantFile(t, p, "old")
	if names := testenv.DirNames(t, dir); len(names) != 1 {
		t.Fatalf("directory holds %v, want only old.txt", names)
	}
}

func TestKeepPartialNeverClobbers(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p+".partial", []byte("an older partial"), 0o644)
	o, err := Create(context.Background(), p, Options{KeepPartial: true})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("part"))
	kept := o.Abort()
	if kept != p+".partial.1" {
		t.Fatalf("kept as %q, want %q", kept, p+".partial.1")
	}
	testenv.WantFile(t, kept, "part")
	testenv.WantFile(t, p+".partial", "an older partial")
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the target was made by a failed write: %v", err)
	}
}

func TestFreshPicksAFreeName(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.bin")
	os.WriteFile(p, []byte("first"), 0o644)
	o, err := Create(context.Background(), p, Options{Policy: Fresh})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("second"))
	got, err := o.Commit()
	if err != nil || got != p+".1" {
		t.Fatalf("Commit = %q, %v; want %q", got, err, p+".1")
	}
	testenv.WantFile(t, p, "first")
	testenv.WantFile(t, got, "second")
}

func TestCommitKeepsDataWhenTargetAppears(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "race")
	o, err := Create(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("ours"))
	os.WriteFile(p, []byte("theirs"), 0o644) // someone else made it meanwhile
	_, err = o.Commit()
	var ae *AppearedError
	if !errors.As(err, &ae) {
		t.Fatalf("Commit = %v, want AppearedError", err)
	}
	testenv.WantFile(t, p, "theirs")
	testenv.WantFile(t, ae.Kept, "ours")
}

func TestCreateRefusesDirectoryAndDevices(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(context.Background(), dir, Options{Policy: Force}); !errors.Is(err, syscall.EISDIR) {
		t.Fatalf("Create(dir) = %v, want EISDIR", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		var ke *KindError
		if _, err := Create(context.Background(), "/dev/zero", Options{Policy: Force}); !errors.As(err, &ke) {
			t.Fatalf("Create(/dev/zero) = %v, want KindError", err)
		}
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		o, err := Create(context.Background(), "/dev/null", Options{})
		if err != nil {
			t.Fatalf("Create(/dev/null) = %v", err)
		}
		o.Write([]byte("x"))
		if _, err := o.Commit(); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat("/dev/null"); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
			t.Fatalf("/dev/null is no longer a device: %v %v", st, err)
		}
	}
}

func TestWriteFIFOWaitsForReaderAndEndsOnCancel(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, p)
	// No reader: Create waits for one until the cancel.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	err := hangGuard(t, "Create(FIFO) without a reader", func() error {
		_, err := Create(ctx, p, Options{})
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Create(FIFO) = %v, want context.Canceled", err)
	}
	// A reader that never reads: writes fill the pipe, then wait until the cancel.
	r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx2, cancel2 := context.WithCancel(context.Background())
	o, err := Create(ctx2, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Stream() {
		t.Fatal("a FIFO is not written in place")
	}
	errc := make(chan error, 1)
	go func() {
		chunk := make([]byte, 64<<10)
		for {
			if _, err := o.Write(chunk); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	cancel2()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Write after cancel = %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Write to a full FIFO ignored the cancel")
	}
	o.Abort()
	if st, err := os.Lstat(p); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO is gone or replaced: %v %v", st, err)
	}
}

// Fresh (a name a server chose) never writes into a FIFO or a directory
// of that name, nor replaces a dangling link: it takes the next free name.
func TestFreshNeverWritesIntoWhatIsThere(t *testing.T) {
	dir := t.TempDir()
	mkfifo(t, filepath.Join(dir, "a"))
	os.Mkdir(filepath.Join(dir, "b"), 0o755)
	os.Symlink("nowhere", filepath.Join(dir, "c"))
	for _, n := range []string{"a", "b", "c"} {
		p := filepath.Join(dir, n)
		o := hangGuard(t, "Create "+n, func() *Output {
			o, err := Create(context.Background(), p, Options{Policy: Fresh})
			if err != nil {
				t.Error(err)
			}
			return o
		})
		if o == nil {
			t.FailNow()
		}
		o.Write([]byte(n))
		got, err := o.Commit()
		if err != nil || got != p+".1" {
			t.Fatalf("%s: Commit = %q, %v; want %s.1", n, got, err, p)
		}
		testenv.WantFile(t, got, n)
	}
	if st, err := os.Lstat(filepath.Join(dir, "c")); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
}

// KeepPartial keeps nothing when nothing was written.
func TestKeepPartialOfNothingKeepsNoFile(t *testing.T) {
	dir := t.TempDir()
	o, err := Create(context.Background(), filepath.Join(dir, "f"), Options{KeepPartial: true})
	if err != nil {
		t.Fatal(err)
	}
	if kept := o.Abort(); kept != "" {
		t.Errorf("kept %q of an empty transfer", kept)
	}
	if names := testenv.DirNames(t, dir); len(names) != 0 {
		t.Errorf("directory holds %v", names)
	}
}

// Force keeps the replaced file's permissions.
func TestForceKeepsPermissions(t *testing.T) {
	p := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(p, []byte("old"), 0o600)
	os.Chmod(p, 0o600)
	o, err := Create(context.Background(), p, Options{Policy: Force})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("new"))
	if _, err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode after --force: %v, %v; want 0600", st.Mode(), err)
	}
}

// A name near NAME_MAX still gets a temporary file.
func TestLongNameGetsATempFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), strings.Repeat("n", 250))
	o, err := Create(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("x"))
	if _, err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	testenv.WantFile(t, p, "x")
}
