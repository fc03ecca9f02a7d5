package fileio

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// TestRemoveTempsRemovesOnlyWritesUnderWay: a write under way has its
// temporary file removed; one committed or aborted is no longer tracked.
func TestRemoveTempsRemovesOnlyWritesUnderWay(t *testing.T) {
	dir := t.TempDir()
	create := func(name string) *Output {
		o, err := Create(context.Background(), filepath.Join(dir, name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		o.Write([]byte(name))
		return o
	}
	done, aborted, open := create("done"), create("aborted"), create("open")
	if _, err := done.Commit(); err != nil {
		t.Fatal(err)
	}
	aborted.Abort()
	if n := RemoveTemps(); n != 1 {
		t.Fatalf("RemoveTemps removed %d files, want 1", n)
	}
	if names := testenv.DirNames(t, dir); len(names) != 1 || names[0] != "done" {
		t.Fatalf("directory holds %v, want done alone", names)
	}
	if _, err := open.Commit(); err == nil {
		t.Fatal("a write whose temporary file was removed committed")
	}
	if n := RemoveTemps(); n != 0 {
		t.Fatalf("RemoveTemps removed %d more", n)
	}
}
