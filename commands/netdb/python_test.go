package netdb

// The reference test: every question is asked of python3's socket module (in one
// process) and of this package, and the answers must be equal, errors included.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
)

const referenceScript = `
import json, socket, sys

def run(op, a):
    if op == "servbyname":
        return socket.getservbyname(*a)
    if op == "servbyport":
        return socket.getservbyport(*a)
    if op == "hostbyname":
        return socket.gethostbyname(a[0])
    if op == "hostbyname_ex":
        return list(socket.gethostbyname_ex(a[0]))
    if op == "hostbyaddr":
        return list(socket.gethostbyaddr(a[0]))
    if op == "fqdn":
        return socket.getfqdn(a[0])
    if op == "hostname":
        return socket.gethostname()
    if op == "addrinfo":
        host, port, family, socktype, proto, flags = a
        rows = socket.getaddrinfo(host, port if port != "" else None, family, socktype, proto, flags)
        out = []
        for fam, typ, pr, canon, sa in rows:
            sa = list(sa) + [0, 0]
            out.append([int(fam), int(typ), pr, canon, sa[0], sa[1], sa[2], sa[3]])
        return out
    raise Exception("unknown op " + op)

def classname(e):
    c = type(e)
    return ("socket." if c.__module__ == "socket" else "") + c.__name__

answers = []
for q in json.load(sys.stdin):
    try:
        answers.append({"ok": run(q["op"], q["args"])})
    except Exception as e:
        errno = None
        if isinstance(e, OSError) and isinstance(e.args[0], int) if e.args else False:
            errno, msg = e.args[0], e.args[1]
        else:
            msg = str(e.args[0]) if e.args else ""
        answers.append({"err": [classname(e), errno, msg]})
json.dump(answers, sys.stdout)
`

type query struct {
	Op   string `json:"op"`
	Args []any  `json:"args"`
}

// answerOf runs a query against this package and shapes the answer as the
// reference script does.
func answerOf(ctx context.Context, q query) map[string]any {
	var (
		v   any
		err error
	)
	str := func(i int) string { return q.Args[i].(string) }
	num := func(i int) int { return int(q.Args[i].(float64)) }
	db := DefaultServices()
	r := &Resolver{}
	switch q.Op {
	case "servbyname":
		var proto []string
		if len(q.Args) > 1 {
			proto = append(proto, str(1))
		}
		var s Service
		if s, err = db.ByName(str(0), proto...); err == nil {
			v = s.Port
		}
	case "servbyport":
		var proto []string
		if len(q.Args) > 1 {
			proto = append(proto, str(1))
		}
		var s Service
		if s, err = db.ByPort(num(0), proto...); err == nil {
			v = s.Name
		}
	case "hostbyname":
		v, err = r.HostByName(ctx, str(0))
	case "hostbyname_ex", "hostbyaddr":
		f := r.HostByNameEx
		if q.Op == "hostbyaddr" {
			f = r.HostByAddr
		}
		var name string
		var aliases, addrs []string
		if name, aliases, addrs, err = f(ctx, str(0)); err == nil {
			v = []any{name, aliases, addrs}
		}
	case "fqdn":
		v, _, err = r.FQDN(ctx, str(0))
	case "hostname":
		v, err = Hostname()
	case "addrinfo":
		var rows []AddrInfo
		if rows, err = r.AddrInfoFlags(ctx, str(0), str(1), num(2), num(3), num(4), num(5)); err == nil {
			out := []any{}
			for _, x := range rows {
				out = append(out, []any{x.Family, x.Type, x.Proto, x.Canonname, x.Addr, x.Port, x.FlowInfo, x.ScopeID})
			}
			v = out
		}
	}
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) {
			return map[string]any{"err": []any{"go error", nil, err.Error()}}
		}
		var errno any
		if pe.HasErrno {
			errno = pe.Errno
		}
		return map[string]any{"err": []any{pe.Class, errno, pe.Msg}}
	}
	return map[string]any{"ok": v}
}

// normalize passes a value through JSON so Go and Python answers compare alike.
func normalize(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func referenceQueries(t *testing.T) []query {
	var qs []query
	add := func(op string, args ...any) { qs = append(qs, query{op, args}) }

	db, err := LoadServices(SystemServicesPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range db.All() {
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			add("servbyname", n)
			add("servbyname", n, s.Proto)
		}
		add("servbyport", s.Port)
		add("servbyport", s.Port, s.Proto)
	}
	add("servbyname", "no-such-service")
	add("servbyname", "http", "no-such-proto")
	add("servbyname", "HTTP")
	add("servbyname", "http", "")
	add("servbyport", 80, "")
	for _, p := range []int{0, 65535, 65536, 70000, -1, 4464} {
		add("servbyport", p)
		add("servbyport", p, "udp")
	}

	names := map[string]bool{}
	addrs := map[string]bool{}
	if f, err := os.Open("/etc/hosts"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			fields := strings.Fields(line)
			if len(fields) < 2 {
				continue
			}
			addrs[fields[0]] = true
			for _, n := range fields[1:] {
				names[n] = true
			}
		}
		f.Close()
	}
	for _, n := range []string{"localhost", "127.0.0.1", "::1", "no-such-host.invalid", "",
		"0.0.0.0", "::", "1.2.3", "127.1", "0x7f.1", "<broadcast>", "255.255.255.255",
		"a..b", ".", strings.Repeat("a", 64), strings.Repeat("a", 64) + ".com", "a\x00b"} {
		names[n] = true
	}
	for n := range addrs {
		names[n] = true
	}
	for n := range names {
		add("hostbyname", n)
		add("hostbyname_ex", n)
		add("hostbyaddr", n)
		add("fqdn", n)
		for _, port := range []string{"", "80", "http", "no-such-service"} {
			add("addrinfo", n, port, 0, 0, 0, 0)
		}
		add("addrinfo", n, "80", AF_INET, SOCK_STREAM, 0, AI_CANONNAME)
		add("addrinfo", n, "80", AF_INET6, SOCK_DGRAM, 0, 0)
	}
	add("fqdn", "  localhost  ")
	add("hostname")
	for _, a := range [][]any{
		{"localhost", "http", 0, SOCK_DGRAM, 0, 0},
		{"localhost", "http", 0, SOCK_RAW, 0, 0},
		{"localhost", "80", 0, SOCK_SEQPACKET, 0, 0},
		{"localhost", "80", 0, 99, 0, 0},
		{"localhost", "80", 99, 0, 0, 0},
		{"localhost", "70000", 0, 0, 0, 0},
		{"localhost", "-1", 0, 0, 0, 0},
		{"localhost", "+80", 0, 0, 0, 0},
		{"localhost", "domain", 0, 0, 0, 0},
		{"localhost", "0", 0, 0, 0, AI_PASSIVE},
		{"::ffff:1.2.3.4", "1", 0, 0, 0, 0},
		{"::2.3.4.5", "1", 0, 0, 0, 0},
		{"1:0:0:2::3", "1", 0, 0, 0, 0},
		{"127.0.0.1", "x", 0, 0, 0, AI_NUMERICSERV},
		{"localhost", "1", 0, 0, 0, AI_NUMERICHOST},
	} {
		add("addrinfo", a...)
	}
	return qs
}

func TestMatchesPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	qs := referenceQueries(t)
	// Questions about names and addresses outside /etc/hosts are asked in the
	// sandbox (sandbox_test.go), where DNS goes to a stub server on loopback.
	var stub *dnsStub
	if inSandbox() {
		stub = enterSandbox(t)
	} else {
		err := runInSandbox(t)
		if err == nil {
			return
		}
		var local []query
		for _, q := range qs {
			if !reachesDNS(q) {
				local = append(local, q)
			}
		}
		needSandbox(t, err, len(qs)-len(local))
		qs = local
	}
	script := filepath.Join(t.TempDir(), "reference.py")
	if err := os.WriteFile(script, []byte(referenceScript), 0o644); err != nil {
		t.Fatal(err)
	}
	input, err := json.Marshal(qs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pyStart := time.Now()
	cmd := exec.CommandContext(ctx, py, script)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stubBefore := stub.count()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	t.Logf("python3 answered in %v", time.Since(pyStart).Round(time.Millisecond))
	pyQueries := stub.count() - stubBefore
	var want []any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(qs) {
		t.Fatalf("python3 answered %d of %d questions", len(want), len(qs))
	}
	// Re-decode the queries so numbers are float64, as the script saw them.
	var decoded []query
	if err := json.Unmarshal(input, &decoded); err != nil {
		t.Fatal(err)
	}
	bad, viaDNS, goQueries := 0, 0, 0
	for i, q := range decoded {
		start := time.Now()
		before := stub.count()
		got := normalize(t, answerOf(ctx, q))
		if d := time.Since(start); d > time.Second {
			t.Logf("slow: %s%v took %v", q.Op, q.Args, d.Round(time.Millisecond))
		}
		if sent := stub.since(before); len(sent) > 0 {
			viaDNS++
			goQueries += len(sent)
			if !reachesDNS(q) {
				// Without the sandbox this question would be asked and reach
				// the system's DNS server.
				t.Errorf("%s%v: reachesDNS says no, but it sent %q", q.Op, q.Args, sent)
			}
		}
		if staleHErrno(q) {
			// glibc refuses these without setting h_errno, and CPython reports
			// whatever h_errno last held on its thread: only the class is stable.
			got, want[i] = errClass(got), errClass(want[i])
		}
		if !reflect.DeepEqual(got, want[i]) {
			bad++
			if bad <= 40 {
				t.Errorf("%s%v:\n  go:     %v\n  python: %v", q.Op, q.Args, got, want[i])
			}
		}
	}
	t.Logf("%d questions asked of python3 and of netdb, %d differ", len(qs), bad)
	if stub != nil {
		t.Logf("%d questions went to DNS (the stub on 127.0.0.1): python3 sent %d queries, netdb %d", viaDNS, pyQueries, goQueries)
	}
}

// errClass keeps only the class of an error answer.
func errClass(v any) any {
	if m, ok := v.(map[string]any); ok {
		if e, ok := m["err"].([]any); ok && len(e) > 0 {
			return e[0]
		}
	}
	return v
}

func staleHErrno(q query) bool {
	if len(q.Args) == 0 {
		return false
	}
	host, _ := q.Args[0].(string)
	switch q.Op {
	case "hostbyaddr":
		return host == "::"
	case "hostbyname_ex":
		return host != "" && !validHostName(host)
	}
	return false
}
