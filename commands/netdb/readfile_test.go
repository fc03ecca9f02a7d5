package netdb

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readFile reads what os.ReadFile reads and fails as it fails, with the
// same error text: a file, an empty file, a large one, a missing one, a
// directory.
func TestReadFileAsOS(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	paths := []string{
		write("services", "http 80/tcp www\n"),
		write("empty", ""),
		write("big", strings.Repeat("x 1/tcp\n", 100000)),
		filepath.Join(dir, "missing"),
		dir,
		"/etc/services",
	}
	for _, p := range paths {
		got, err := readFile(p)
		want, werr := os.ReadFile(p)
		if string(got) != string(want) || (err == nil) != (werr == nil) ||
			err != nil && (err.Error() != werr.Error() || errText(err) != errText(werr) || errors.Is(err, os.ErrNotExist) != errors.Is(werr, os.ErrNotExist)) {
			t.Errorf("readFile(%s) = %d bytes, %v; os.ReadFile: %d bytes, %v", p, len(got), err, len(want), werr)
		}
	}
}
