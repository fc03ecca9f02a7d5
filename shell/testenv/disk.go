package testenv

// File systems that refuse writes, for the tests of what the shell does
// when a file cannot be written: a small tmpfs filled until the kernel says
// ENOSPC, and one remounted read-only (EROFS). Both are real mounts, made
// in a fresh directory and detached when the test ends; mounting needs
// root (CAP_SYS_ADMIN), so without it the test is skipped (failed under
// SOCKSHELL_REQUIRE_PEERS=1).

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// smallFS mounts a 64 KiB tmpfs on a fresh directory holding files (name
// → content, mode 0600; a name may hold a directory part).
func smallFS(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=64k,mode=0700"); err != nil {
		SkipOrFail(t, "cannot mount a small tmpfs (needs root): "+err.Error())
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// FullDisk is a directory on a file system with no room left: it holds
// files, and "filler", written until ENOSPC.
func FullDisk(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := smallFS(t, files)
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 512)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return dir
		}
	}
}

// ReadOnlyDir is a directory on a file system mounted read-only, holding
// files: root's writes fail there too (EROFS), as permission bits would
// not stop them.
func ReadOnlyDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := smallFS(t, files)
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		t.Fatalf("remount read-only: %v", err)
	}
	return dir
}
