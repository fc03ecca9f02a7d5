package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// dnsNames is how many names row 7's dnsmasq knows (the queries go round
// them).
const dnsNames = 100

// startDnsmasq runs dnsmasq on a free loopback port (UDP and TCP) answering
// from its own hosts file and nothing upstream (--no-resolv, --local=/test/:
// never the machine's resolver), as shell/testenv's Dnsmasq does for the
// tests. It returns the port once the server answers.
func startDnsmasq(bin, dir string) (port int, stop func(), err error) {
	var hosts strings.Builder
	for i := 0; i < dnsNames; i++ {
		fmt.Fprintf(&hosts, "192.0.2.%d h%d.bench.test\n", i+1, i)
	}
	file := filepath.Join(dir, "dns-hosts")
	if err := os.WriteFile(file, []byte(hosts.String()), 0o644); err != nil {
		return 0, nil, err
	}
	for try := 0; try < 20; try++ {
		port, err = freeUDPTCPPort()
		if err != nil {
			return 0, nil, err
		}
		args := []string{"--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
			"--addn-hosts=" + file, fmt.Sprintf("--port=%d", port), "--listen-address=127.0.0.1",
			"--bind-interfaces", "--pid-file=", "--log-facility=-", "--local=/test/"}
		if os.Geteuid() == 0 {
			args = append(args, "--user=root")
		}
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			return 0, nil, err
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop = func() { cmd.Process.Kill(); <-exited }
		if dnsmasqAnswers(port, exited) {
			return port, stop, nil
		}
		stop() // the port was taken meanwhile: another
	}
	return 0, nil, fmt.Errorf("dnsmasq did not answer on a loopback port")
}

// freeUDPTCPPort is a loopback port free for both UDP and TCP just now.
func freeUDPTCPPort() (int, error) {
	for i := 0; i < 50; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			u.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no loopback port free for both UDP and TCP")
}

// dnsmasqAnswers asks "probe.test. A" until dnsmasq answers (NXDOMAIN is
// an answer), it exits, or 10 s pass.
func dnsmasqAnswers(port int, exited <-chan struct{}) bool {
	query := []byte{0x53, 0x53, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1}
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	defer c.Close()
	buf := make([]byte, 512)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			return false
		default:
		}
		c.Write(query)
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, err := c.Read(buf); err == nil && n >= 12 && buf[0] == 0x53 && buf[1] == 0x53 {
			return true
		}
	}
	return false
}

// rowDNS is row 7: many A queries in one process, to a local dnsmasq: our
// dns command in one script, dig's batch mode (-f), and dnspython's
// resolver when python3 has it.
func rowDNS(c *config) error {
	queries := 10000
	if c.short {
		queries = 300
	}
	what := fmt.Sprintf("%d DNS queries", queries)
	bin, ok := have("dnsmasq", "/usr/sbin/dnsmasq")
	if !ok {
		skip("7", what, "dnsmasq is not installed (Debian: dnsmasq-base)")
		return nil
	}
	if !hasCommand(c, "dns") {
		return notBuilt("7", what, "the dns command is not in this sockshell")
	}
	port, stop, err := startDnsmasq(bin, c.tmp)
	if err != nil {
		return err
	}
	defer stop()
	server := fmt.Sprintf("127.0.0.1:%d", port)
	var ss, dg strings.Builder
	for i := 0; i < queries; i++ {
		name := fmt.Sprintf("h%d.bench.test", i%dnsNames)
		fmt.Fprintf(&ss, "dns %s --server %s\n", name, server)
		fmt.Fprintf(&dg, "@127.0.0.1 -p %d %s A\n", port, name)
	}
	sf, df := filepath.Join(c.tmp, "dns.sock"), filepath.Join(c.tmp, "dns.dig")
	pf := filepath.Join(c.tmp, "dns-python.sock") // the same script, the answers as Python lists
	if err := os.WriteFile(sf, []byte(ss.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(pf, []byte("set format python\n"+ss.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(df, []byte(dg.String()), 0o644); err != nil {
		return err
	}
	// One check that every answer came: the last name's address.
	last := fmt.Sprintf("192.0.2.%d", (queries-1)%dnsNames+1)
	for _, f := range []string{sf, pf} {
		out, err := exec.Command(c.ss, f).CombinedOutput()
		if err != nil || !bytes.Contains(out[max(0, len(out)-2000):], []byte(last)) {
			return fmt.Errorf("the dns script %s did not end with %s's answer (%v): %s", f, last, err, firstLine(string(out[max(0, len(out)-500):])))
		}
	}
	cmds := []proc{{name: "sockshell dns", line: c.ss + " " + q(sf)}, {name: dnsNoTables, line: c.ss + " " + q(pf)}}
	floors, err := dnsFloorProcs(c, server, queries)
	if err != nil {
		return err
	}
	dig, hasDig := have("dig")
	if hasDig {
		cmds = append(cmds, proc{name: "dig -f", line: dig + " -f " + q(df)})
	} else {
		skip("7", what+" vs dig -f", "dig is not installed (Debian: bind9-dnsutils)")
	}
	py, hasPy := have("python3")
	pyWhy := "python3 is not installed (Debian: python3)"
	if hasPy {
		if exec.Command(py, "-c", "import dns.resolver").Run() == nil {
			cmds = append(cmds, proc{name: "python3 dnspython", line: fmt.Sprintf(`%s -c "import dns.resolver
r = dns.resolver.Resolver(configure=False); r.nameservers = ['127.0.0.1']; r.port = %d
for i in range(%d): print(r.resolve('h%%d.bench.test' %% (i %% %d), 'A').rrset)"`, py, port, queries, dnsNames)})
		} else {
			hasPy, pyWhy = false, "python3 has no dnspython (Debian: python3-dnspython)"
		}
	}
	if hasDig {
		cmds = append(cmds, floors...) // the floors are read against dig -f's run
	}
	t, err := c.timer.time(cmds)
	if err != nil {
		return err
	}
	rss := peakRSS(cmds[0])
	if hasDig {
		compare("7", what+" vs dig -f", t["sockshell dns"], t["dig -f"], 1, seconds, rss)
		if err := addTablesFloor(c, "7", "BenchmarkTableFloorAnswer", queries,
			fmt.Sprintf("the %d one-row answer tables", queries), t["dig -f"], "dig -f's whole run"); err != nil {
			return err
		}
		tables, err := tablesFloor(c, "BenchmarkTableFloorAnswer", queries)
		if err != nil {
			return err
		}
		dnsFloorLines(t, queries, tables)
	}
	if hasPy {
		compare("7", what+" vs python3 dnspython", t["sockshell dns"], t["python3 dnspython"], 1, seconds, rss)
	} else {
		skip("7", what+" vs python3 dnspython", pyWhy)
	}
	return nil
}
