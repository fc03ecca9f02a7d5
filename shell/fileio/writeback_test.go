package fileio

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestWritebackEachStep: a regular output hands each 4 MiB written to the
// disk's writeback as it goes (and the file is still written byte for
// byte); a write that ends short of a step leaves the rest to Commit.
func TestWritebackEachStep(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	o, err := Create(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Abort()
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	var want []int64
	for i := 1; i <= 9; i++ {
		if _, err := o.Write(chunk); err != nil {
			t.Fatal(err)
		}
		want = append(want, int64(i/4)*writebackStep)
		if o.queued != want[i-1] {
			t.Fatalf("after %d MiB, %d bytes handed to writeback, want %d", i, o.queued, want[i-1])
		}
	}
	if _, err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, bytes.Repeat(chunk, 9)) {
		t.Fatalf("the file holds %d bytes (%v), not the 9 MiB written", len(got), err)
	}
}

// TestWritebackStepOption: Options.WritebackStep sets the step (a
// recording's 256 KiB).
func TestWritebackStepOption(t *testing.T) {
	o, err := Create(context.Background(), filepath.Join(t.TempDir(), "rec"), Options{WritebackStep: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Abort()
	chunk := make([]byte, 100<<10)
	for i := 1; i <= 8; i++ {
		if _, err := o.Write(chunk); err != nil {
			t.Fatal(err)
		}
		// Handed over at 300, 600 KiB: the first write at or past each step.
		if want := int64(i/3) * 300 << 10; o.queued != want {
			t.Fatalf("after %d KiB, %d bytes handed to writeback, want %d", i*100, o.queued, want)
		}
	}
}
