package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A path held at a negative key of before (the go command's output files,
// a -cpuprofile the testing package leaves open) is no leak on whatever
// descriptor it is open; any other new descriptor still is.
func TestNewFDsSparesTheGoCommandsFiles(t *testing.T) {
	dir := t.TempDir()
	before := OpenFDs()
	profile, err := os.Create(filepath.Join(dir, "cpu.prof"))
	if err != nil {
		t.Fatal(err)
	}
	defer profile.Close()
	leaked, err := os.Create(filepath.Join(dir, "leaked"))
	if err != nil {
		t.Fatal(err)
	}
	defer leaked.Close()
	before[-1] = profile.Name()
	extra := NewFDs(before)
	if len(extra) != 1 || !strings.HasSuffix(extra[0], "/leaked") {
		t.Fatalf("NewFDs = %q, want the leaked file alone", extra)
	}
}
