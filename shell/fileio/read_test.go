package fileio

// Opening files to read (read.go): a directory named as such, a FIFO
// refused at once where a regular file is wanted, and FIFO reads that wait in
// the poller, stream, time out and end on cancel.

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestOpenNamesADirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(context.Background(), dir, Streams)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != dir || !errors.Is(err, syscall.EISDIR) {
		t.Fatalf("Open(dir) = %v, want EISDIR naming %s", err, dir)
	}
}

func TestOpenRegularRefusesFIFOAtOnce(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, p)
	err := hangGuard(t, "Open(FIFO, Regular)", func() error {
		_, err := Open(context.Background(), p, Regular)
		return err
	})
	var ke *KindError
	if !errors.As(err, &ke) || ke.Path != p {
		t.Fatalf("Open(FIFO, Regular) = %v, want KindError naming it", err)
	}
}

func TestReadFIFOWaitsForWriterAndEndsOnCancel(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	in := hangGuard(t, "Open(FIFO)", func() *Input {
		in, err := Open(ctx, p, Streams)
		if err != nil {
			t.Error(err)
		}
		return in
	})
	if in == nil {
		t.FailNow()
	}
	defer in.Close()
	errc := make(chan error, 1)
	go func() {
		_, err := in.Read(make([]byte, 10))
		errc <- err
	}()
	select {
	case err := <-errc:
		t.Fatalf("Read of a FIFO without a writer returned %v at once; it should wait", err)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Read after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Read of a FIFO ignored the cancel")
	}
}

func TestReadFIFOStreamsWhatTheWriterSends(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, p)
	in, err := Open(context.Background(), p, Streams)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0) // a reader is there: no wait
		if err != nil {
			return
		}
		w.Write([]byte("line 1\nline 2\n"))
		w.Close()
	}()
	b := hangGuard(t, "reading a FIFO", func() []byte { b, _ := io.ReadAll(in); return b })
	if string(b) != "line 1\nline 2\n" {
		t.Fatalf("read %q", b)
	}
}

func TestReadFIFOTimesOut(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, p)
	in, err := Open(context.Background(), p, Streams)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	in.Timeout = 50 * time.Millisecond
	err = hangGuard(t, "Read with a timeout", func() error { _, err := in.Read(make([]byte, 1)); return err })
	var we *WaitError
	if !errors.As(err, &we) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read = %v, want a WaitError", err)
	}
}
