package fileio

// Symbolic links where a file is to be written (write.go): never followed.
// Without Force a link is a name that is taken; Force replaces the link
// itself; a link planted while the data comes is never written through.

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sockshell/sockshell/shell/pyerr"
	"github.com/sockshell/sockshell/shell/testenv"
)

// wantLink fails unless path is still a symbolic link to to.
func wantLink(t *testing.T, path, to string) {
	t.Helper()
	got, err := os.Readlink(path)
	if err != nil || got != to {
		t.Fatalf("%s: link to %q (%v), want a link to %q", path, got, err, to)
	}
}

// TestCreateRefusesALink: a link to a file, to a FIFO, to a directory, to
// /dev/null or to nothing is refused without Force, nothing is opened
// through it (a FIFO's Create would wait for a reader), and the error says
// FileExistsError with a hint naming where the link points.
func TestCreateRefusesALink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("precious"), 0o600)
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	for _, to := range []string{victim, fifo, dir, "/dev/null", filepath.Join(dir, "nothing")} {
		link := filepath.Join(dir, "link")
		os.Remove(link)
		if err := os.Symlink(to, link); err != nil {
			t.Fatal(err)
		}
		err := hangGuardErr(t, link)
		var le *LinkError
		if !errors.As(err, &le) || !errors.Is(err, fs.ErrExist) {
			t.Fatalf("Create(link to %s) = %v, want LinkError", to, err)
		}
		x := pyerr.Of(err)
		if !strings.HasPrefix(x.String(), "FileExistsError: [Errno 17] File exists") || !strings.Contains(x.Hint, to) {
			t.Errorf("link to %s: %s (hint %q)", to, x, x.Hint)
		}
		wantLink(t, link, to)
	}
	testenv.WantFile(t, victim, "precious")
	if names := testenv.DirNames(t, dir); strings.Join(names, " ") != "fifo link victim" {
		t.Fatalf("directory holds %v", names)
	}
}

func hangGuardErr(t *testing.T, link string) error {
	return hangGuard(t, "Create("+link+")", func() error {
		_, err := Create(context.Background(), link, Options{})
		return err
	})
}

// TestForceReplacesTheLinkNotItsTarget: with Force the link is replaced by
// the new file (mode 0666 less the umask, not the victim's), at Commit
// only; the file it named is never written.
func TestForceReplacesTheLinkNotItsTarget(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("precious"), 0o600)
	link := filepath.Join(dir, "out")
	os.Symlink("victim", link)
	o, err := Create(context.Background(), link, Options{Policy: Force})
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("new"))
	wantLink(t, link, "victim")
	got, err := o.Commit()
	if err != nil || got != link {
		t.Fatalf("Commit = %q, %v; want %q", got, err, link)
	}
	st, err := os.Lstat(link)
	if err != nil || !st.Mode().IsRegular() {
		t.Fatalf("after Commit %s is %v (%v), want a regular file", link, st.Mode(), err)
	}
	testenv.WantFile(t, link, "new")
	testenv.WantFile(t, victim, "precious")
	if names := testenv.DirNames(t, dir); strings.Join(names, " ") != "out victim" {
		t.Fatalf("directory holds %v", names)
	}
}

// TestLinkPlantedDuringTheTransfer: a link made at the target between
// Create and Commit is not written through. Without Force the data is
// kept under another name and the link stays; with Force the link is
// replaced. The file it names is untouched both times.
func TestLinkPlantedDuringTheTransfer(t *testing.T) {
	for _, force := range []bool{false, true} {
		dir := t.TempDir()
		victim := filepath.Join(dir, "victim")
		os.WriteFile(victim, []byte("precious"), 0o600)
		target := filepath.Join(dir, "out")
		o := Options{}
		if force {
			o.Policy = Force
		}
		out, err := Create(context.Background(), target, o)
		if err != nil {
			t.Fatal(err)
		}
		out.Write([]byte("data"))
		os.Symlink("victim", target)
		_, err = out.Commit()
		testenv.WantFile(t, victim, "precious")
		if force {
			if err != nil {
				t.Fatalf("Commit with Force: %v", err)
			}
			testenv.WantFile(t, target, "data")
			if st, _ := os.Lstat(target); !st.Mode().IsRegular() {
				t.Fatalf("the planted link is still there: %v", st.Mode())
			}
			continue
		}
		var ae *AppearedError
		if !errors.As(err, &ae) {
			t.Fatalf("Commit over a planted link: %v, want AppearedError", err)
		}
		wantLink(t, target, "victim")
		testenv.WantFile(t, ae.Kept, "data")
	}
}

// TestFIFOSwappedForALinkIsNotFollowed: the open of a FIFO found at the
// target uses O_NOFOLLOW, so a link swapped in for it between the check
// and the open gives ELOOP, not a write into what the link names (here a
// FIFO with a reader waiting).
func TestFIFOSwappedForALinkIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	mkfifo(t, victim)
	r, err := os.OpenFile(victim, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	link := filepath.Join(dir, "out")
	os.Symlink(victim, link)
	out := &Output{ctx: context.Background(), target: link, final: link}
	_, err = out.openStream()
	if !errors.Is(err, syscall.ELOOP) {
		t.Fatalf("openStream(link to a FIFO) = %v, want ELOOP", err)
	}
}

// A link that leads to something other than a regular file (a terminal, a
// device, a FIFO: /dev/stdout is one) gets no advice to --force it, which
// would replace the link itself; a link to a file or to nothing does.
func TestLinkHintForceOnlyForFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for to, wantForce := range map[string]bool{fifo: false, "/dev/null": false, file: true, filepath.Join(dir, "none"): true} {
		link := filepath.Join(dir, "link")
		os.Remove(link)
		if err := os.Symlink(to, link); err != nil {
			t.Fatal(err)
		}
		hint := (&LinkError{Path: link, To: to}).Python().Hint
		if strings.Contains(hint, "--force") != wantForce {
			t.Errorf("a link to %s: hint %q", to, hint)
		}
	}
}
