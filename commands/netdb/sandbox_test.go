package netdb

// Tests send traffic only to loopback. Some questions of the reference test
// name hosts or addresses that are not in /etc/hosts, and the system's resolver
// would send those to the DNS server of /etc/resolv.conf. So the test binary
// re-runs such a test in a sandbox: new mount and network namespaces, where
// /etc/resolv.conf is bind-mounted over with one naming 127.0.0.1, and a stub
// server there, started by the test, answers NXDOMAIN to every question. The
// network namespace has nothing but its own loopback, so nothing the resolver
// (or python3, run inside too) does can reach the network. Both sides of a
// comparison see the same resolver, so the answers still compare exactly.
//
// Without the namespaces (not root and no unprivileged user namespaces) the
// questions that would reach DNS are skipped, unless SOCKSHELL_REQUIRE_PEERS=1
// (CI, which runs as root), where that is a failure.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// sandboxEnv marks the re-executed test binary running inside the sandbox.
const sandboxEnv = "SOCKSHELL_NETDB_SANDBOX"

func inSandbox() bool { return os.Getenv(sandboxEnv) == "1" }

// sandboxReason is the skip message when the sandbox cannot be made.
const sandboxReason = "needs root (or unprivileged user namespaces) for private mount and network namespaces: unknown names would query the system's DNS server"

// runInSandbox re-runs the top-level test t in the sandbox, relays its output
// with t.Log and fails t when it fails. It returns an error, having run
// nothing, when the namespaces cannot be made.
func runInSandbox(t *testing.T) error {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"-test.run=^" + regexp.QuoteMeta(t.Name()) + "$", "-test.count=1", "-test.v=true"}
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d)
		defer cancel()
		if left := time.Until(d).Round(time.Second); left > 0 {
			args = append(args, "-test.timeout="+left.String())
		}
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), sandboxEnv+"=1")
	// Go makes the new mount namespace's mounts private before exec, so the
	// bind mount the child makes stays in the child.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWNET}
	if uid, gid := os.Geteuid(), os.Getegid(); uid != 0 {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("re-running the test in new namespaces: %w", err)
	}
	err = cmd.Wait()
	t.Logf("re-ran %s in private mount and network namespaces:\n%s", t.Name(), strings.TrimRight(out.String(), "\n"))
	if err != nil {
		t.Errorf("the sandboxed run failed: %v", err)
	}
	return nil
}

// needSandbox is called when runInSandbox could not make the namespaces: it
// fails t under SOCKSHELL_REQUIRE_PEERS=1 and otherwise says what is skipped.
func needSandbox(t *testing.T, err error, skipped int) {
	t.Helper()
	msg := fmt.Sprintf("%d questions skipped: %s (%v)", skipped, sandboxReason, err)
	if testenv.PeersRequired() {
		t.Fatal(msg)
	}
	t.Run("unknown names", func(t *testing.T) { t.Skip(msg) })
}

// enterSandbox, in the re-executed test, points /etc/resolv.conf at 127.0.0.1,
// brings up the namespace's loopback and starts the stub server there.
func enterSandbox(t *testing.T) *dnsStub {
	t.Helper()
	if err := loopbackUp(); err != nil {
		t.Fatalf("bringing up lo in the new network namespace: %v", err)
	}
	conf := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(conf, []byte("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/etc/resolv.conf"); errors.Is(err, os.ErrNotExist) {
		t.Log("no /etc/resolv.conf: the resolver's default server is 127.0.0.1 already")
	} else if err := unix.Mount(conf, "/etc/resolv.conf", "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind-mounting %s over /etc/resolv.conf: %v", conf, err)
	}
	return startStub(t)
}

// loopbackUp sets IFF_UP on lo, down in a new network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// dnsStub is a DNS server on 127.0.0.1:53 (UDP) that answers NXDOMAIN to every
// query, as a real server would for the names the tests use, and keeps a log.
type dnsStub struct {
	mu      sync.Mutex
	queries []string // "name TYPE"
}

func startStub(t *testing.T) *dnsStub {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:53")
	if err != nil {
		t.Fatalf("stub DNS server: %v", err)
	}
	s := &dnsStub{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			resp, q, ok := nxdomain(buf[:n])
			if !ok {
				continue
			}
			s.mu.Lock()
			s.queries = append(s.queries, q)
			s.mu.Unlock()
			pc.WriteTo(resp, from)
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return s
}

// count and since work on a nil stub too, outside the sandbox.
func (s *dnsStub) count() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queries)
}

func (s *dnsStub) since(i int) []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries[i:]...)
}

// nxdomain builds the NXDOMAIN answer to a query (NOTIMP for opcodes other than
// QUERY): the query's header and question, no records.
func nxdomain(msg []byte) (resp []byte, q string, ok bool) {
	if len(msg) < 12 || msg[2]&0x80 != 0 || binary.BigEndian.Uint16(msg[4:6]) != 1 {
		return nil, "", false
	}
	var labels []string
	i := 12
	for {
		if i >= len(msg) {
			return nil, "", false
		}
		l := int(msg[i])
		i++
		if l == 0 {
			break
		}
		if l >= 64 || i+l > len(msg) {
			return nil, "", false
		}
		labels = append(labels, string(msg[i:i+l]))
		i += l
	}
	if i+4 > len(msg) {
		return nil, "", false
	}
	qtype := binary.BigEndian.Uint16(msg[i : i+2])
	i += 4
	rcode := byte(3) // NXDOMAIN
	if msg[2]&0x78 != 0 {
		rcode = 4 // NOTIMP
	}
	resp = make([]byte, 0, i)
	resp = append(resp, msg[0], msg[1], 0x80|msg[2]&0x79, 0x80|rcode, 0, 1, 0, 0, 0, 0, 0, 0)
	resp = append(resp, msg[12:i]...)
	name := strings.Join(labels, ".") + "."
	switch qtype {
	case 1:
		return resp, name + " A", true
	case 28:
		return resp, name + " AAAA", true
	case 12:
		return resp, name + " PTR", true
	}
	return resp, fmt.Sprintf("%s TYPE%d", name, qtype), true
}

// hideEtcFile, in the sandbox, makes /etc/NAME disappear for this process
// and its children (python3 included) without touching the real /etc: a
// tmpfs goes over /etc, and every other entry of the real /etc is bound back
// onto it. The real /etc is reachable during the work through a bind mount
// that is detached before anything could remove files through it.
func hideEtcFile(t *testing.T, name string) {
	t.Helper()
	if !inSandbox() {
		t.Fatal("hideEtcFile outside the sandbox")
	}
	orig, err := os.MkdirTemp("", "real-etc-")
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("/etc", orig, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		os.Remove(orig)
		t.Fatalf("bind-mounting /etc: %v", err)
	}
	// Detach, then remove only the (now empty) mount point: never RemoveAll.
	defer func() {
		if err := unix.Unmount(orig, unix.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", orig, err)
			return
		}
		os.Remove(orig)
	}()
	entries, err := os.ReadDir(orig)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", "/etc", "tmpfs", 0, "mode=0755"); err != nil {
		t.Fatalf("mounting a tmpfs over /etc: %v", err)
	}
	for _, e := range entries {
		if e.Name() == name {
			continue
		}
		src, dst := filepath.Join(orig, e.Name()), filepath.Join("/etc", e.Name())
		fi, err := os.Lstat(src)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err != nil {
				t.Fatal(err)
			}
			err = os.Symlink(target, dst)
			if err != nil {
				t.Fatal(err)
			}
			continue
		case fi.IsDir():
			err = os.Mkdir(dst, 0o755)
		default:
			err = os.WriteFile(dst, nil, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			t.Fatalf("binding %s back: %v", dst, err)
		}
	}
	if _, err := os.Stat("/etc/" + name); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("/etc/%s is still there (stat: %v)", name, err)
	}
}

// bindOver, in the sandbox, shows a file with text at path (over the real
// one, for this namespace only).
func bindOver(t *testing.T, path, text string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(f, path, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind-mounting %s over %s: %v", f, path, err)
	}
}
