package netdb

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

func TestParseServiceLine(t *testing.T) {
	cases := []struct {
		line string
		want Service
		ok   bool
	}{
		{"http 80/tcp www # WorldWideWeb HTTP", Service{"http", 80, "tcp", []string{"www"}}, true},
		{"\tlead\t87/udp\tx1 x2", Service{"lead", 87, "udp", []string{"x1", "x2"}}, true},
		{"foo 89/tcp#c al", Service{"foo", 89, "tcp", nil}, true},
		{"plus +83/tcp", Service{"plus", 83, "tcp", nil}, true},
		{"hex 0x56/tcp", Service{"hex", 86, "tcp", nil}, true},
		{"oct 010/tcp", Service{"oct", 8, "tcp", nil}, true},
		{"slashes 85//tcp", Service{"slashes", 85, "tcp", nil}, true},
		{"noproto 84", Service{"noproto", 84, "", nil}, true},
		{"wide 70000/tcp", Service{"wide", 4464, "tcp", nil}, true}, // glibc keeps 16 bits
		{"zero 0/tcp", Service{"zero", 0, "tcp", nil}, true},
		{"huge 99999999999/tcp", Service{}, false},
		{"neg -1/udp", Service{}, false},
		{"space 88 /tcp", Service{}, false},
		{"letters 99x/tcp", Service{}, false},
		{"noname", Service{}, false},
		{"# only a comment", Service{}, false},
		{"   ", Service{}, false},
		{"", Service{}, false},
	}
	for _, c := range cases {
		got, ok := parseServiceLine(c.line, new([]string))
		if ok != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseServiceLine(%q) = %+v, %v; want %+v, %v", c.line, got, ok, c.want, c.ok)
		}
	}
}

func writeServices(t *testing.T, text string) *ServicesDB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "services")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := LoadServices(path)
	if err != nil {
		t.Fatal(err)
	}
	if db.Source != path {
		t.Fatalf("Source = %q, want %q", db.Source, path)
	}
	return db
}

func pyClass(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return "not a Python error: " + err.Error()
}

func TestServicesLookups(t *testing.T) {
	db := writeServices(t, `# test services
echo   7/tcp
echo   7/udp
alpha  1000/udp  first a
beta   1000/tcp  second a
broken line
HTTP   82/tcp
`)
	if len(db.All()) != 5 {
		t.Fatalf("%d entries, want 5: %+v", len(db.All()), db.All())
	}
	byName := []struct {
		name, proto string
		want        string
	}{
		{"echo", "", "echo 7 tcp"},
		{"echo", "udp", "echo 7 udp"},
		{"a", "", "alpha 1000 udp"}, // file order
		{"a", "tcp", "beta 1000 tcp"},
		{"second", "", "beta 1000 tcp"},
		{"HTTP", "", "HTTP 82 tcp"},
	}
	for _, c := range byName {
		s, err := db.ByName(c.name, optProto(c.proto)...)
		if got := s.Name + " " + itoa(s.Port) + " " + s.Proto; err != nil || got != c.want {
			t.Errorf("ByName(%q, %q) = %q, %v; want %q", c.name, c.proto, got, err, c.want)
		}
	}
	for _, c := range [][2]string{{"http", ""}, {"echo", "sctp"}, {"", ""}} {
		_, err := db.ByName(c[0], optProto(c[1])...)
		if got := pyClass(err); got != "OSError: service/proto not found" {
			t.Errorf("ByName(%q, %q) error = %q", c[0], c[1], got)
		}
	}
	if s, err := db.ByPort(1000); err != nil || s.Name != "alpha" {
		t.Errorf("ByPort(1000) = %+v, %v", s, err)
	}
	if s, err := db.ByPort(1000, "tcp"); err != nil || s.Name != "beta" {
		t.Errorf("ByPort(1000, tcp) = %+v, %v", s, err)
	}
	if _, err := db.ByPort(82, "udp"); pyClass(err) != "OSError: port/proto not found" {
		t.Errorf("ByPort(82, udp) error = %q", pyClass(err))
	}
	for _, p := range []int{-1, 65536, 1 << 40} {
		if _, err := db.ByPort(p); pyClass(err) != "OverflowError: getservbyport: port must be 0-65535." {
			t.Errorf("ByPort(%d) error = %q", p, pyClass(err))
		}
	}
	if got := db.Names(); !reflect.DeepEqual(got, []string{"HTTP", "a", "alpha", "beta", "echo", "first", "second"}) {
		t.Errorf("Names() = %q", got)
	}
	match := func(p string) string {
		var names []string
		for _, s := range db.Match(p) {
			names = append(names, s.Name+"/"+s.Proto)
		}
		return strings.Join(names, " ")
	}
	for p, want := range map[string]string{
		"":      "echo/tcp echo/udp alpha/udp beta/tcp HTTP/tcp",
		"ECH":   "echo/tcp echo/udp",
		"http":  "HTTP/tcp",
		"1000":  "alpha/udp beta/tcp",
		"10*":   "alpha/udp beta/tcp",
		"sec*":  "beta/tcp",
		"?":     "echo/tcp echo/udp alpha/udp beta/tcp",
		"zzz":   "",
		"[ab]*": "alpha/udp beta/tcp",
	} {
		if got := match(p); got != want {
			t.Errorf("Match(%q) = %q, want %q", p, got, want)
		}
	}
}

// optProto turns "" into a left-out proto argument.
func optProto(p string) []string {
	if p == "" {
		return nil
	}
	return []string{p}
}

// TestEmptyProto: a proto given as ” matches only lines without a protocol,
// as Python's getservbyname('http', ”) raises; left out, any protocol matches.
func TestEmptyProto(t *testing.T) {
	db := writeServices(t, "http 80/tcp www\nbare 84\n")
	if _, err := db.ByName("http", ""); pyClass(err) != "OSError: service/proto not found" {
		t.Errorf("ByName(http, '') error = %q", pyClass(err))
	} else if h := err.(*Error).Hint; !strings.Contains(h, "without a protocol") {
		t.Errorf("ByName(http, '') hint = %q", h)
	}
	if _, err := db.ByPort(80, ""); pyClass(err) != "OSError: port/proto not found" {
		t.Errorf("ByPort(80, '') error = %q", pyClass(err))
	}
	if s, err := db.ByName("http"); err != nil || s.Port != 80 {
		t.Errorf("ByName(http) = %+v, %v", s, err)
	}
	if s, err := db.ByName("bare", ""); err != nil || s.Port != 84 {
		t.Errorf("ByName(bare, '') = %+v, %v", s, err)
	}
	if s, err := db.ByPort(84, ""); err != nil || s.Name != "bare" {
		t.Errorf("ByPort(84, '') = %+v, %v", s, err)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func TestMissingFileGivesEmbedded(t *testing.T) {
	db, err := LoadServices(filepath.Join(t.TempDir(), "no-such-file"))
	if err != nil {
		t.Fatal(err)
	}
	if db.Source != "embedded" {
		t.Errorf("Source = %q", db.Source)
	}
	for name, port := range map[string]int{"http": 80, "www": 80, "ssh": 22, "gopher": 70, "domain": 53, "https": 443} {
		if s, err := db.ByName(name, "tcp"); err != nil || s.Port != port {
			t.Errorf("embedded ByName(%s) = %+v, %v", name, s, err)
		}
	}
	if s, err := db.ByPort(7, "udp"); err != nil || s.Name != "echo" {
		t.Errorf("embedded ByPort(7, udp) = %+v, %v", s, err)
	}
	if len(db.All()) < 50 {
		t.Errorf("embedded table has only %d entries", len(db.All()))
	}
	_, err = db.ByName("nope")
	if !strings.Contains(err.(*Error).Hint, "embedded table of well-known services") {
		t.Errorf("hint = %q", err.(*Error).Hint)
	}
}

func TestUnreadableFileIsAnError(t *testing.T) {
	if _, err := LoadServices(t.TempDir()); err == nil {
		t.Error("LoadServices(a directory) succeeded")
	}
}

func TestErrorRendering(t *testing.T) {
	e := gaiError(EAI_NONAME, nil)
	if e.Error() != "socket.gaierror: [Errno -2] Name or service not known" || e.Hint == "" {
		t.Errorf("gaierror renders as %q (hint %q)", e.Error(), e.Hint)
	}
	if got := hError(hostNotFound, nil).Error(); got != "socket.herror: [Errno 1] Unknown host" {
		t.Errorf("herror renders as %q", got)
	}
	if got := plainError(ClassOS, "service/proto not found", "").Error(); got != "OSError: service/proto not found" {
		t.Errorf("OSError renders as %q", got)
	}
	for ip, want := range map[string]string{"::": "::", "::1": "::1", "::2.3.4.5": "::2.3.4.5", "::ffff:1.2.3.4": "::ffff:1.2.3.4",
		"1:0:0:2::3": "1:0:0:2::3", "1:0:0:2:0:0:3:4": "1::2:0:0:3:4", "2001:db8:0:1:0:0:0:1": "2001:db8:0:1::1", "1:0:2:0:3:0:4:0": "1:0:2:0:3:0:4:0", "fe80::": "fe80::"} {
		a := mustAddr(t, ip)
		if got := formatAddr(a); got != want {
			t.Errorf("formatAddr(%s) = %q, want %q", ip, got, want)
		}
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestNoServicesFile hides /etc/services (in the sandbox's mount namespace)
// and checks that every lookup answers from the embedded table and says so:
// getaddrinfo with a service name once went to the C library, which then
// knew no service at all (gaierror -8) while getservbyname answered. Python,
// asked in the same namespace, shows that the file is really gone for it.
func TestNoServicesFile(t *testing.T) {
	if !inSandbox() {
		if err := runInSandbox(t); err != nil {
			needSandbox(t, err, 1)
		}
		return
	}
	py := testenv.NeedPeer(t, "python3", "python3")
	enterSandbox(t)
	hideEtcFile(t, "services")
	out, err := exec.Command(py, "-c", `import socket
for f in (lambda: socket.getservbyname("http"), lambda: socket.getaddrinfo("localhost", "http")):
    try: f(); print("answered")
    except OSError as e: print(type(e).__name__, e)`).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	if got := string(out); got != "OSError service/proto not found\ngaierror [Errno -8] Servname not supported for ai_socktype\n" {
		t.Fatalf("python3 in the sandbox: %q: /etc/services is not hidden", got)
	}
	db := DefaultServices()
	if db.Source != "embedded" || db.Describe() != "from sockshell's embedded table of well-known services: /etc/services is missing" {
		t.Errorf("DefaultServices: Source %q, Describe %q", db.Source, db.Describe())
	}
	if s, err := db.ByName("http"); err != nil || s.Port != 80 {
		t.Errorf("ByName(http) = %+v, %v", s, err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		host, port string
		socktype   int
		want       []AddrInfo
	}{
		{"localhost", "http", 0, []AddrInfo{{Family: AF_INET, Type: SOCK_STREAM, Proto: 6, Addr: "127.0.0.1", Port: 80}}},
		{"127.0.0.1", "domain", 0, []AddrInfo{
			{Family: AF_INET, Type: SOCK_STREAM, Proto: 6, Addr: "127.0.0.1", Port: 53},
			{Family: AF_INET, Type: SOCK_DGRAM, Proto: 17, Addr: "127.0.0.1", Port: 53}}},
		{"127.0.0.1", "domain", SOCK_DGRAM, []AddrInfo{{Family: AF_INET, Type: SOCK_DGRAM, Proto: 17, Addr: "127.0.0.1", Port: 53}}},
	} {
		rows, err := (&Resolver{}).AddrInfo(ctx, c.host, c.port, c.socktype, AF_INET)
		if err != nil || !reflect.DeepEqual(rows, c.want) {
			t.Errorf("AddrInfo(%s, %s, %d) = %+v, %v; want %+v", c.host, c.port, c.socktype, rows, err, c.want)
		}
	}
	_, err = (&Resolver{}).AddrInfo(ctx, "localhost", "no-such-service", 0, 0)
	if pe, ok := err.(*Error); !ok || pe.Errno != EAI_SERVICE || !strings.Contains(pe.Hint, "embedded table") {
		t.Errorf("AddrInfo(no-such-service): %v (%#v)", err, err)
	}
}

// DefaultServices reads the file again when it changed, however it
// changed: rewritten in place (another size), replaced by a rename (the
// same size, another file), removed; and not while it stays the same.
func TestDefaultServicesFollowsTheFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "services")
	defer SetServicesPath("")
	SetServicesPath(file)
	port := func() (int, string) {
		s, err := DefaultServices().ByName("sockshell-test", "tcp")
		if err != nil {
			return 0, DefaultServices().Source
		}
		return s.Port, DefaultServices().Source
	}
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(file, "sockshell-test 1000/tcp\n")
	if p, _ := port(); p != 1000 {
		t.Fatalf("port %d, want 1000", p)
	}
	first := DefaultServices()
	if DefaultServices() != first {
		t.Error("the database was read again though the file did not change")
	}
	write(file, "sockshell-test 20000/tcp\n")
	if p, _ := port(); p != 20000 {
		t.Errorf("rewritten in place: port %d, want 20000", p)
	}
	write(filepath.Join(dir, "new"), "sockshell-test 30000/tcp\n") // the same size
	if err := os.Rename(filepath.Join(dir, "new"), file); err != nil {
		t.Fatal(err)
	}
	if p, _ := port(); p != 30000 {
		t.Errorf("replaced by a rename: port %d, want 30000", p)
	}
	os.Remove(file)
	if _, src := port(); src != "embedded" {
		t.Errorf("removed: the database is %q, want the embedded table", src)
	}
}
