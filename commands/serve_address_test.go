package commands

// The addresses serve listens on (serve.go): the forms it takes, exactly
// where it listens (as ss shows), and privileged ports as root, with only
// CAP_NET_BIND_SERVICE, and without it.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell/testenv"
)

// serve with an address in a form it does not take says which forms it takes.
func TestServeAddressForms(t *testing.T) {
	ss := newSockSession(t)
	for arg, want := range map[string]string{
		"127.0.0.1": "UsageError: 127.0.0.1 is an address without a port: write 127.0.0.1:PORT (0: any free port)",
		"::1":       "UsageError: ::1 is an address without a port: write [::1]:PORT (0: any free port)",
		"localhost": "OSError: service/proto not found\n  hint: 'localhost' is neither a port number nor a service name; for a host, add the port (localhost:PORT): " +
			"serve takes HOST:PORT (127.0.0.1:7007, [::1]:7007), :PORT or PORT (0: any free port)\n",
	} {
		_, errs := ss.Exec("serve echo " + arg)
		if !strings.HasPrefix(errs, want) || strings.Contains(errs, "for protocol tcp") {
			t.Errorf("serve echo %s:\n got %q\nwant %q", arg, errs, want)
		}
	}
	// A path is a Unix socket's address: the demo servers take one
	// (unix_peers_test.go), gopher does not.
	sock := filepath.Join(t.TempDir(), "g.sock")
	want := "UsageError: '" + sock + "' looks like a file path; serve gopher listens on TCP at HOST:PORT, not on a Unix socket (the demo servers do: serve echo PATH)"
	if _, errs := ss.Exec("serve gopher " + t.TempDir() + " " + sock); !strings.HasPrefix(errs, want) {
		t.Errorf("serve gopher DIR %s:\n got %q\nwant %q", sock, errs, want)
	}
	if out := ss.MustExec("servers"); !strings.Contains(out, "no servers") {
		t.Errorf("a server started anyway: %s", out)
	}
}

// ssListening returns the local addresses ss lists as listening on port.
func ssListening(t *testing.T, flags string, port int) []string {
	t.Helper()
	bin := testenv.NeedPeer(t, "iproute2", "ss")
	out, err := exec.Command(bin, flags+"H", fmt.Sprintf("sport = :%d", port)).Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	var addrs []string
	for _, line := range splitLines(string(out)) {
		if f := strings.Fields(line); len(f) >= 4 {
			addrs = append(addrs, f[3])
		}
	}
	return addrs
}

// serve echo 0.0.0.0:PORT listens on 0.0.0.0 alone, not on [::] (every
// IPv6 address and, mapped, every IPv4 one); [::1]:PORT on ::1 alone; TCP
// and UDP alike, as ss shows.
func TestServeListensExactlyWhereAsked(t *testing.T) {
	ss := newSockSession(t)
	for _, tc := range []struct{ addr, udp, ssFlags, want string }{
		{"0.0.0.0:%d", "", "-ltn", "0.0.0.0:%d"},
		{"0.0.0.0:%d", " --udp", "-lun", "0.0.0.0:%d"},
		{"127.0.0.1:%d", "", "-ltn", "127.0.0.1:%d"},
		{"[::1]:%d", "", "-ltn", "[::1]:%d"},
		{"[::]:%d", "", "-ltn", "[::]:%d"}, // IPv6 alone: ss shows a dual-stack socket as *:PORT
	} {
		_, port := ss.serve(fmt.Sprintf("echo "+tc.addr+tc.udp, 0))
		got := ssListening(t, tc.ssFlags, port)
		if want := fmt.Sprintf(tc.want, port); len(got) != 1 || got[0] != want {
			t.Errorf("serve echo %s%s: ss %s lists %v, want [%s]", fmt.Sprintf(tc.addr, port), tc.udp, tc.ssFlags, got, want)
		}
		ss.MustExec("stop all")
	}
}

// privilegedFreePort returns a TCP port below the machine's
// ip_unprivileged_port_start that is free on 127.0.0.1 (found by binding it,
// so the test must hold CAP_NET_BIND_SERVICE), or skips. The probe is
// released because the test's servers must bind the port itself; that is
// safe here as it is not for other ports: a privileged port is outside the
// kernel's ephemeral range, so no socket on port 0 (another test's, a
// client's) can be given it in between.
func privilegedFreePort(t *testing.T) int {
	t.Helper()
	pol := bsd.PortPolicy(1)
	if !pol.HasCap || pol.Start <= 1 {
		t.Skipf("needs CAP_NET_BIND_SERVICE and privileged ports (ip_unprivileged_port_start = %d)", pol.Start)
	}
	for p := min(pol.Start, 1024) - 1; p > 600; p-- {
		if l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			l.Close()
			return p
		}
	}
	t.Skip("no free privileged port")
	return 0
}

// TestPrivilegedChild is the child of TestServePrivilegedPort: it runs one
// serve in a session, as whatever user setpriv made it, and prints both
// streams.
func TestPrivilegedChild(t *testing.T) {
	line := os.Getenv("SOCKSHELL_PRIV_CHILD")
	if line == "" {
		t.Skip("run by TestServePrivilegedPort")
	}
	ss := newSockSession(t)
	out, errs := ss.Exec(line)
	fmt.Printf("STDOUT %q\nSTDERR %q\n", out, errs)
}

// serve on a privileged port says that the port is privileged and why the
// bind worked, or why it was refused: the real reason on this machine,
// read from the kernel, checked as root, as a user with only
// CAP_NET_BIND_SERVICE, and as a user without it (setpriv).
func TestServePrivilegedPort(t *testing.T) {
	port := privilegedFreePort(t)
	start := bsd.PortPolicy(port).Start
	allowedBy := func(who string) string {
		return fmt.Sprintf("# port %d is privileged on this machine (below net.ipv4.ip_unprivileged_port_start = %d); "+
			"the bind worked because this process has CAP_NET_BIND_SERVICE (%s)\n", port, start, who)
	}
	if os.Geteuid() == 0 {
		ss := newSockSession(t)
		out := ss.MustExec(fmt.Sprintf("serve echo 127.0.0.1:%d", port))
		if want := fmt.Sprintf("echo1  echo server on 127.0.0.1:%d\n", port) + allowedBy("it runs as root, uid 0"); out != want {
			t.Errorf("serve as root:\n got %q\nwant %q", out, want)
		}
		ss.MustExec("stop all; socket tcp")
		if out := ss.MustExec(fmt.Sprintf("bind s1 127.0.0.1 %d", port)); out != allowedBy("it runs as root, uid 0") {
			t.Errorf("bind as root: %q", out)
		}
		ss.MustExec("close s1")
	}

	setpriv := testenv.NeedPeer(t, "util-linux", "setpriv")
	if os.Geteuid() != 0 {
		t.Skip("setpriv to another user needs root")
	}
	// The test binary, where user nobody may run it.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "commands.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	child := func(caps []string) string {
		args := append([]string{"--reuid=65534", "--regid=65534", "--clear-groups"}, caps...)
		args = append(args, bin, "-test.run=^TestPrivilegedChild$", "-test.count=1")
		cmd := exec.Command(setpriv, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), fmt.Sprintf("SOCKSHELL_PRIV_CHILD=serve echo 127.0.0.1:%d", port), "HOME="+dir)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	out := child([]string{"--inh-caps=-all"})
	t.Logf("child without the capability:\n%s", out)
	if want := fmt.Sprintf("STDERR \"PermissionError: [Errno 13] Permission denied\\n  hint: port %d is privileged on this machine "+
		"(below net.ipv4.ip_unprivileged_port_start = %d) and this process lacks CAP_NET_BIND_SERVICE (it runs as uid 65534): "+
		"pick a port from %d up, or 0 for any free one\\n\"", port, start, start); !strings.Contains(out, want) {
		t.Errorf("serve as nobody:\n%s\nwant the line %s", out, want)
	}
	out = child([]string{"--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service"})
	if want := fmt.Sprintf("STDOUT %q", fmt.Sprintf("echo1  echo server on 127.0.0.1:%d\n", port)+allowedBy("it runs as uid 65534")); !strings.Contains(out, want) {
		t.Errorf("serve as nobody with CAP_NET_BIND_SERVICE:\n%s\nwant the line %s", out, want)
	}
}
