package netdb

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

// pyAnswers asks python3 (in the same namespace) each expression and returns
// its value or its error as [class, errno].
func pyAnswers(t *testing.T, py string, exprs ...string) []any {
	t.Helper()
	script := "import json, socket, sys\nout = []\nfor e in json.load(sys.stdin):\n" +
		"    try: out.append({'ok': eval(e)})\n" +
		"    except OSError as x: out.append({'err': [('socket.' if type(x).__module__ == 'socket' else '') + type(x).__name__, x.errno]})\n" +
		"json.dump(out, sys.stdout)\n"
	in, _ := json.Marshal(exprs)
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var answers []any
	if err := json.Unmarshal(out, &answers); err != nil {
		t.Fatal(err)
	}
	return answers
}

func pyErr(class string, errno int) any {
	return map[string]any{"err": []any{class, float64(errno)}}
}

// TestSystemResolverHints asks the system resolver (glibc, as CPython does)
// questions that fail, in the sandbox, with an /etc/hosts the test writes:
// each error must be Python's, and each hint must say what the hosts file
// holds and who else was asked. And a name with only an IPv6 address:
// gethostbyname_ex fails, its IPv6 address is still found (resolve --all's
// two halves).
func TestSystemResolverHints(t *testing.T) {
	if !inSandbox() {
		if err := runInSandbox(t); err != nil {
			needSandbox(t, err, 1)
		}
		return
	}
	py := testenv.NeedPeer(t, "python3", "python3")
	stub := enterSandbox(t)
	bindOver(t, "/etc/hosts", "127.0.0.1 localhost\n2001:db8::5 v6only.test\n")
	want := pyAnswers(t, py,
		"socket.getaddrinfo('localhost', 80, socket.AF_INET6)",
		"socket.gethostbyname_ex('v6only.test')",
		"[a[4][0] for a in socket.getaddrinfo('v6only.test', None, socket.AF_INET6, socket.SOCK_STREAM)]",
		"socket.gethostbyname('nosuch.test')")
	if !reflect.DeepEqual(want[:2], []any{pyErr("socket.gaierror", EAI_NONAME), pyErr("socket.gaierror", EAI_NONAME)}) ||
		!reflect.DeepEqual(want[2], map[string]any{"ok": []any{"2001:db8::5"}}) {
		t.Fatalf("python3 answered %v", want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := &Resolver{}
	sources := "nameserver 127.0.0.1 in /etc/resolv.conf"

	_, err := r.AddrInfo(ctx, "localhost", "80", 0, AF_INET6)
	wantHint(t, "AddrInfo(localhost, inet6)", err, ClassGai, EAI_NONAME,
		"'localhost' is in /etc/hosts but only with 127.0.0.1, not an IPv6 address, and the system resolver's other sources (", sources,
		") found no IPv6 address for it either")

	_, _, _, err = r.HostByNameEx(ctx, "v6only.test")
	wantHint(t, "HostByNameEx(v6only.test)", err, ClassGai, EAI_NONAME,
		"'v6only.test' is in /etc/hosts but only with 2001:db8::5, not an IPv4 address")
	if !NoAddress(err) {
		t.Errorf("NoAddress(%v) = false", err)
	}
	if canon, a6, err := r.HostAddrs6(ctx, "v6only.test"); err != nil || canon != "v6only.test" || !reflect.DeepEqual(a6, []string{"2001:db8::5"}) {
		t.Errorf("HostAddrs6(v6only.test) = %q %q, %v", canon, a6, err)
	}

	_, err = r.HostByName(ctx, "nosuch.test")
	wantHint(t, "HostByName(nosuch.test)", err, ClassGai, EAI_NONAME,
		"'nosuch.test' is not in /etc/hosts, and the system resolver's other sources (", sources, ") found no IPv4 address for it either")
	if stub.count() == 0 {
		t.Error("no query reached the stub: the DNS half of the hints was not tried")
	}
}

// TestSystemResolverSilent points /etc/resolv.conf (in the sandbox, before
// any lookup: Go's resolver keeps what it read for a while) at a name server
// that never answers: Python's gaierror -3, and a hint that names the
// question and the server; cut off by the command's timeout, the same error
// with the timeout kept.
func TestSystemResolverSilent(t *testing.T) {
	if !inSandbox() {
		if err := runInSandbox(t); err != nil {
			needSandbox(t, err, 1)
		}
		return
	}
	py := testenv.NeedPeer(t, "python3", "python3")
	enterSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := &Resolver{}
	// A name server that never answers: a socket bound and never read.
	silent, err := net.ListenPacket("udp", "127.0.0.2:53")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if err := os.WriteFile("/etc/resolv.conf", []byte("nameserver 127.0.0.2\noptions timeout:1 attempts:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := pyAnswers(t, py, "socket.getaddrinfo('silent.test', 80)")
	if !reflect.DeepEqual(want[0], pyErr("socket.gaierror", EAI_AGAIN)) {
		t.Fatalf("python3 with a silent server: %v", want[0])
	}
	_, err = r.AddrInfo(ctx, "silent.test", "80", 0, 0)
	wantHint(t, "AddrInfo(silent.test)", err, ClassGai, EAI_AGAIN,
		"no DNS server answered the A or AAAA query for 'silent.test' for the system resolver (", "nameserver 127.0.0.2 in /etc/resolv.conf")
	short, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	_, err = r.HostByName(short, "silent.test")
	wantHint(t, "HostByName(silent.test) cut off by the timeout", err, ClassGai, EAI_AGAIN,
		"no answer to the A query for 'silent.test' from the system resolver (", "before the command's timeout ran out")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the timeout is not reachable with errors.Is: %v", err)
	}
}

// wantHint checks an error's class and errno, and that its hint holds each
// part, in order.
func wantHint(t *testing.T, what string, err error, class string, errno int, parts ...string) {
	t.Helper()
	wantPyErr(t, what, err, class, errno)
	var pe *Error
	if !errors.As(err, &pe) {
		return
	}
	rest := pe.Hint
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("%s: hint %q lacks %q", what, pe.Hint, p)
			return
		}
		rest = rest[i+len(p):]
	}
}

// TestDNSServerHints asks dnsmasq (the server of `set dns`) in the sandbox,
// with an /etc/hosts the test writes: a name the hosts file has only for
// IPv4 is not asked of the server (Go's resolver stops at the file), one it
// lacks is, and the hint says which happened; an error code from the server
// is named as such, not as silence.
func TestDNSServerHints(t *testing.T) {
	if !inSandbox() {
		if err := runInSandbox(t); err != nil {
			needSandbox(t, err, 1)
		}
		return
	}
	enterSandbox(t)
	bindOver(t, "/etc/hosts", "127.0.0.1 localhost\n192.0.2.30 v4host.test\n")
	server := startDNS(t)
	r := &Resolver{Server: server}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := r.AddrInfo(ctx, "v4host.test", "80", 0, AF_INET6)
	wantHint(t, "AddrInfo(v4host.test, inet6)", err, ClassGai, EAI_NONAME,
		"'v4host.test' is in /etc/hosts but only with 192.0.2.30, not an IPv6 address; Go's resolver (which asks the server of `set dns`) does not ask "+server+" about a name /etc/hosts has")
	_, err = r.AddrInfo(ctx, "noptr.test", "80", 0, AF_INET6)
	wantHint(t, "AddrInfo(noptr.test, inet6)", err, ClassGai, EAI_NONAME,
		"'noptr.test' is not in /etc/hosts, and the DNS server "+server+" answered that it has no AAAA record for it")
	_, _, _, err = r.HostByAddr(ctx, "192.0.2.2")
	wantHint(t, "HostByAddr(192.0.2.2)", err, ClassH, hostNotFound,
		"no line of /etc/hosts has 192.0.2.2, and the DNS server "+server+" answered that it has no PTR record for it")
	// dnsmasq refuses names outside the zones it serves (it has no upstream).
	_, err = r.HostByName(ctx, "outside.example")
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Hint, "the DNS server "+server+" answered the A query for 'outside.example' with an error code") {
		t.Errorf("HostByName(outside.example): %v (%#v)", err, err)
	}
}
