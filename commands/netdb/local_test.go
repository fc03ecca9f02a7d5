package netdb

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Which lookups glibc answers from the hosts file alone, by the hosts file
// and nsswitch.conf a test writes: only a name the file has for the
// family asked, only when the files come first and stop at their answer;
// a change to either file is seen at the next lookup.
func TestAnswersLocally(t *testing.T) {
	dir := t.TempDir()
	l := &localHosts{hostsFile: filepath.Join(dir, "hosts"), nssFile: filepath.Join(dir, "nsswitch.conf")}
	write := func(file, text string) {
		t.Helper()
		// A new file each time (renamed over): its inode changes, as an
		// editor's save does, whatever the clock's resolution.
		tmp := file + ".new"
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, file); err != nil {
			t.Fatal(err)
		}
	}
	write(l.hostsFile, "127.0.0.1 localhost loopy # a comment\n::1 ip6-localhost\nfe80::1 only6\n192.0.2.1 Mixed.Case\n# 127.0.0.2 commented\n")
	write(l.nssFile, "# hosts: dns\nhosts:   files mdns4_minimal [NOTFOUND=return] dns\n")
	for _, c := range []struct {
		host   string
		family int
		want   bool
	}{
		{"localhost", AF_UNSPEC, true},
		{"localhost", AF_INET, true},
		{"localhost", AF_INET6, false}, // an IPv4 line does not answer AF_INET6
		{"loopy", AF_INET, true},       // an alias
		{"LOCALHOST", AF_INET, true},   // case does not matter
		{"mixed.case", AF_INET, true},
		{"ip6-localhost", AF_INET, true}, // ::1 reads as 127.0.0.1 for AF_INET
		{"ip6-localhost", AF_INET6, true},
		{"only6", AF_INET, false}, // glibc's files say not found: DNS next
		{"only6", AF_UNSPEC, true},
		{"commented", AF_INET, false},
		{"elsewhere.test", AF_UNSPEC, false},
		{"localhost.", AF_INET, false},
		{"", AF_UNSPEC, false},
		{"localhost", 17, false},
	} {
		if got := l.answersLocally(c.host, c.family); got != c.want {
			t.Errorf("answersLocally(%q, %d) = %v, want %v", c.host, c.family, got, c.want)
		}
	}
	for _, nss := range []string{
		"hosts: dns files\n",
		"hosts: files [SUCCESS=continue] dns\n",
		"passwd: files\n", // no hosts line: glibc's default asks DNS first
		"hosts:\n",
	} {
		write(l.nssFile, nss)
		if l.answersLocally("localhost", AF_INET) {
			t.Errorf("with nsswitch.conf %q, localhost is said to be answered from the files", nss)
		}
	}
	os.Remove(l.nssFile)
	if l.answersLocally("localhost", AF_INET) {
		t.Errorf("without nsswitch.conf (glibc: dns first), localhost is said to be answered from the files")
	}
	write(l.nssFile, "hosts: files dns\n")
	if !l.answersLocally("localhost", AF_INET) {
		t.Errorf("nsswitch.conf back: localhost is not answered from the files")
	}
	write(l.hostsFile, "127.0.0.1 other\n")
	if l.answersLocally("localhost", AF_INET) || !l.answersLocally("other", AF_INET) {
		t.Errorf("the hosts file's change is not seen")
	}
	os.Remove(l.hostsFile)
	if l.answersLocally("other", AF_INET) {
		t.Errorf("the hosts file is gone, and other is still said to be in it")
	}
}

func TestNumericPortAndHost(t *testing.T) {
	p := func(s string) *string { return &s }
	for port, want := range map[*string]bool{nil: true, p("80"): true, p("http"): false, p(""): false, p("8o"): false} {
		if numericPort(port) != want {
			t.Errorf("numericPort(%v) != %v", port, want)
		}
	}
	for host, want := range map[string]bool{"127.0.0.1": true, "::1": true, "fe80::1%lo": true, "localhost": false, "127.1": false} {
		if numericHost(host) != want {
			t.Errorf("numericHost(%q) != %v", host, want)
		}
	}
}

// A lookup run on the caller's goroutine still sees a context that has
// ended: it is not run.
func TestLocalLookupSeesTheCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	_, err := awaitUnlessLocal(ctx, true, "getaddrinfo", func() (int, error) { ran = true; return 0, nil })
	if ran || !errors.Is(err, context.Canceled) {
		t.Errorf("ran %v, err %v; want not run, context.Canceled", ran, err)
	}
	// And one that may wait still returns at the context's end.
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	release := make(chan struct{})
	defer close(release)
	_, err = awaitUnlessLocal(short, false, "getaddrinfo", func() (int, error) { <-release; return 0, nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a lookup that waits: %v, want context.DeadlineExceeded", err)
	}
}

// A name the hosts file lacks goes to DNS, and its lookup still runs on
// its own goroutine: with the system's name server silent (in the
// sandbox) and glibc told to wait 4 s for it, the command's 300 ms
// timeout ends both lookups long before glibc gives up. A name the hosts
// file has is answered (on the caller's goroutine) as python3 answers it.
func TestNetworkLookupsStillEndAtTheTimeout(t *testing.T) {
	if !inSandbox() {
		if err := runInSandbox(t); err != nil {
			needSandbox(t, err, 1)
		}
		return
	}
	enterSandbox(t)
	silent, err := net.ListenPacket("udp", "127.0.0.2:53")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if err := os.WriteFile("/etc/resolv.conf", []byte("nameserver 127.0.0.2\noptions timeout:4 attempts:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file of its own over /etc/hosts, in the sandbox's mount namespace:
	// writing /etc/hosts itself rewrote the machine's (truncated first, so
	// a lookup of localhost anywhere on the machine failed meanwhile).
	bindOver(t, "/etc/hosts", "127.0.0.1 localhost\n")
	r := &Resolver{}
	for name, lookup := range map[string]func(context.Context) error{
		"HostByName": func(ctx context.Context) error { _, err := r.HostByName(ctx, "silent.test"); return err },
		"AddrInfo":   func(ctx context.Context) error { _, err := r.AddrInfo(ctx, "silent.test", "80", 0, 0); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		err := lookup(ctx)
		cancel()
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s(silent.test) returned after %v, not at its 300 ms timeout: it waited for glibc", name, took)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s(silent.test): %v, want the timeout", name, err)
		}
	}
	if a, err := r.HostByName(context.Background(), "localhost"); err != nil || a != "127.0.0.1" {
		t.Errorf("HostByName(localhost) = %q, %v", a, err)
	}
}
