package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockshell/sockshell/commands/gopher"
)

// q quotes a word for the shell (and for hyperfine's word splitting).
func q(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// rowColdStart is row 1: one process, start to the first result.
func rowColdStart(c *config) error {
	cmds := []proc{{name: "sockshell", line: c.ss + ` -c 'servport http tcp'`}}
	py, hasPy := have("python3")
	ge, hasGe := have("getent")
	if hasPy {
		cmds = append(cmds, proc{name: "python3", line: py + ` -c "import socket; print(socket.getservbyname('http','tcp'))"`})
	}
	if hasGe {
		cmds = append(cmds, proc{name: "getent", line: ge + " services http"})
	}
	floor, err := buildStartFloor(c)
	if err != nil {
		return err
	}
	cmds = append(cmds, proc{name: "floor", line: floor})
	t, err := c.timer.time(cmds)
	if err != nil {
		return err
	}
	defer startFloorLines(t)
	if hasPy {
		compare("1", "cold start vs python3", t["sockshell"], t["python3"], 30, seconds, "")
	} else {
		skip("1", "cold start vs python3", "python3 is not installed (Debian: python3)")
	}
	if hasGe {
		compare("1", "cold start vs getent", t["sockshell"], t["getent"], 0.5, seconds, "target: within 2× of getent")
	} else {
		skip("1", "cold start vs getent", "getent is not installed (Debian: libc-bin)")
	}
	return nil
}

// listen is a loopback listener whose connections are handled by serve,
// each in a goroutine, until the returned stop is called.
func listen(serve func(net.Conn)) (port int, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				serve(conn)
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port, func() { l.Close() }, nil
}

// rowChurn is row 3: connect and close, many times, in one process.
func rowChurn(c *config) error {
	py, ok := have("python3")
	if !ok {
		skip("3", "connection churn", "python3 is not installed (Debian: python3)")
		return nil
	}
	port, stop, err := listen(func(net.Conn) {})
	if err != nil {
		return err
	}
	defer stop()
	var ss strings.Builder
	for i := 1; i <= c.churn; i++ {
		fmt.Fprintf(&ss, "connect 127.0.0.1 %d\nclose s%d\n", port, i)
	}
	sf := filepath.Join(c.tmp, "churn.sock")
	if err := os.WriteFile(sf, []byte(ss.String()), 0o644); err != nil {
		return err
	}
	pyc := fmt.Sprintf(`%s -c "import socket
for i in range(%d): socket.create_connection(('127.0.0.1', %d)).close()"`, py, c.churn, port)
	t, err := c.timer.time([]proc{
		{name: "sockshell", line: c.ss + " " + q(sf)},
		{name: "python3", line: pyc},
	})
	if err != nil {
		return err
	}
	compare("3", fmt.Sprintf("%d connect+close vs python3", c.churn), t["sockshell"], t["python3"], 1, seconds, "")
	return nil
}

// bulkFile writes (once) a file of c.bulk bytes of varied content.
func bulkFile(c *config) (string, error) {
	p := filepath.Join(c.tmp, "bulk.bin")
	if st, err := os.Stat(p); err == nil && st.Size() == c.bulk {
		return p, nil
	}
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i*131 + i>>8)
	}
	for n := int64(0); n < c.bulk; n += int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), c.bulk-n)]); err != nil {
			f.Close()
			return "", err
		}
	}
	f.Chmod(0o644)
	return p, f.Close()
}

// sink reads everything a connection sends and drops it.
func sink(conn net.Conn) {
	buf := make([]byte, 1<<20)
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}

// peakRSS is p's peak resident set size, from one more run. A child's
// ru_maxrss as wait4 gives it counts the memory of the process it was
// started from until its exec (the kernel keeps the old address space's
// high-water mark), so p is run under GNU time, a small C program, when
// it is installed; else from the harness, which says its figure is an
// upper bound.
func peakRSS(p proc) string {
	if gt, ok := gnuTime(); ok {
		f, err := os.CreateTemp("", "sockbench-rss")
		if err != nil {
			return "RSS: " + err.Error()
		}
		f.Close()
		defer os.Remove(f.Name())
		timed := proc{name: p.name, line: gt + " -f %M -o " + q(f.Name()) + " " + p.line}
		if p.shell {
			timed = proc{name: p.name, line: gt + " -f %M -o " + q(f.Name()) + " sh -c " + q(p.line), shell: true}
		}
		if _, _, err := runOnce(timed); err != nil {
			return "RSS: " + firstLine(err.Error())
		}
		raw, err := os.ReadFile(f.Name())
		if err != nil {
			return "RSS: " + err.Error()
		}
		kib, err := strconv.ParseFloat(lastField(string(raw)), 64)
		if err != nil {
			return "RSS: GNU time said " + strings.TrimSpace(string(raw))
		}
		return fmt.Sprintf("peak RSS %.1f MB", kib/1024)
	}
	_, kib, err := runOnce(p)
	if err != nil {
		return "RSS: " + firstLine(err.Error())
	}
	return fmt.Sprintf("peak RSS ≤ %.1f MB (wait4, counts the harness; Debian: time)", float64(kib)/1024)
}

// gnuTime is GNU time's path, if it is installed there (asked once).
var gnuTime = sync.OnceValues(func() (string, bool) {
	const p = "/usr/bin/time"
	out, err := exec.Command(p, "--version").CombinedOutput()
	return p, err == nil && strings.Contains(string(out), "GNU")
})

// lastField is the last word of s (GNU time's -o file may hold a line
// about the command's exit status before the figure).
func lastField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// rowBulk is row 4: sending and receiving a big file over loopback.
func rowBulk(c *config) error {
	file, err := bulkFile(c)
	if err != nil {
		return err
	}
	port, stop, err := listen(sink)
	if err != nil {
		return err
	}
	defer stop()
	addr := fmt.Sprintf("127.0.0.1 %d", port)
	ours := []proc{
		{name: "sendfile", line: c.ss + " -c " + q(fmt.Sprintf("connect %s; sendfile s1 %s", addr, file))},
		{name: "sendall --file", line: c.ss + " -c " + q(fmt.Sprintf("connect %s; sendall s1 --file %s", addr, file))},
	}
	var refs []proc
	if p, ok := have("socat"); ok {
		refs = append(refs, proc{name: "socat", line: fmt.Sprintf("%s -u OPEN:%s TCP:127.0.0.1:%d", p, file, port)})
	} else {
		skip("4", "send vs socat", "socat is not installed (Debian: socat)")
	}
	if p, ok := have("nc"); ok {
		refs = append(refs, proc{name: "nc", line: fmt.Sprintf("%s -N %s < %s", p, addr, q(file)), shell: true})
	} else {
		skip("4", "send vs nc", "nc is not installed (Debian: netcat-openbsd)")
	}
	if p, ok := have("python3"); ok {
		refs = append(refs, proc{name: "python3 sendfile", line: fmt.Sprintf(`%s -c "import socket
s = socket.create_connection(('127.0.0.1', %d)); s.sendfile(open('%s', 'rb')); s.close()"`, p, port, file)})
	} else {
		skip("4", "send vs python3", "python3 is not installed (Debian: python3)")
	}
	t, err := c.timer.time(append(append([]proc{}, ours...), refs...))
	if err != nil {
		return err
	}
	for _, o := range ours {
		rss := peakRSS(o)
		for _, r := range refs {
			compare("4", fmt.Sprintf("%s %s vs %s", size(c.bulk), o.name, r.name), t[o.name], t[r.name], 1, seconds, rss)
		}
	}

	// Receiving: a source that sends the file and closes.
	sport, sstop, err := listen(func(conn net.Conn) {
		f, err := os.Open(file)
		if err != nil {
			return
		}
		defer f.Close()
		io.Copy(conn, f) // sendfile(2)
	})
	if err != nil {
		return err
	}
	defer sstop()
	out := filepath.Join(c.tmp, "recv.out")
	saddr := fmt.Sprintf("127.0.0.1 %d", sport)
	recv := proc{name: "recv --out", line: c.ss + " -c " + q(fmt.Sprintf("connect %s; recv s1 --out %s --force", saddr, out))}
	var rrefs []proc
	if p, ok := have("socat"); ok {
		rrefs = append(rrefs, proc{name: "socat", line: fmt.Sprintf("%s -u TCP:127.0.0.1:%d OPEN:%s,creat,trunc", p, sport, out)})
	} else {
		skip("4", "recv vs socat", "socat is not installed (Debian: socat)")
	}
	if p, ok := have("nc"); ok {
		rrefs = append(rrefs, proc{name: "nc", line: fmt.Sprintf("%s -d %s > %s", p, saddr, q(out)), shell: true})
	} else {
		skip("4", "recv vs nc", "nc is not installed (Debian: netcat-openbsd)")
	}
	t, err = c.timer.time(append([]proc{recv}, rrefs...))
	if err != nil {
		return err
	}
	rss := peakRSS(recv)
	if st, err := os.Stat(out); err != nil || st.Size() != c.bulk {
		return fmt.Errorf("recv --out wrote %v bytes, want %d (%v)", st, c.bulk, err)
	}
	for _, r := range rrefs {
		compare("4", fmt.Sprintf("%s recv --out vs %s", size(c.bulk), r.name), t[recv.name], t[r.name], 1, seconds, rss)
	}
	os.Remove(out)
	return nil
}

// rowGopher is row 5: a big binary over gopher, our client and curl, our
// server and gophernicus.
func rowGopher(c *config) error {
	file, err := bulkFile(c)
	if err != nil {
		return err
	}
	srv, err := gopher.NewServer(c.tmp, nil)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(l)
	defer srv.Close()
	ourPort := l.Addr().(*net.TCPAddr).Port
	sel := "/" + filepath.Base(file)
	out := filepath.Join(c.tmp, "gopher.out")
	fetchOurs := func(name string, port int) proc {
		return proc{name: name, line: c.ss + " -c " + q(fmt.Sprintf("gopher gopher://127.0.0.1:%d/9%s --out %s --force", port, sel, out))}
	}
	fetchCurl := func(name, curl string, port int) proc {
		return proc{name: name, line: fmt.Sprintf("%s -sS -o %s gopher://127.0.0.1:%d/9%s", curl, out, port, sel)}
	}
	curl, hasCurl := have("curl")
	cmds := []proc{fetchOurs("ours from ours", ourPort)}
	if hasCurl {
		cmds = append(cmds, fetchCurl("curl from ours", curl, ourPort))
	} else {
		skip("5", "gopher vs curl", "curl is not installed (Debian: curl)")
	}
	gnPort, stopGN, gnWhy := startGophernicus(c.tmp)
	if gnWhy != "" {
		skip("5", "gophernicus rows", gnWhy)
	} else {
		defer stopGN()
		cmds = append(cmds, fetchOurs("ours from gophernicus", gnPort))
		if hasCurl {
			cmds = append(cmds, fetchCurl("curl from gophernicus", curl, gnPort))
		}
	}
	t, err := c.timer.time(cmds)
	if err != nil {
		return err
	}
	rss := peakRSS(cmds[0])
	if st, err := os.Stat(out); err != nil || st.Size() != c.bulk {
		return fmt.Errorf("gopher --out wrote %v, want %d bytes (%v)", st, c.bulk, err)
	}
	if hasCurl {
		compare("5", size(c.bulk)+" our client vs curl, from serve gopher", t["ours from ours"], t["curl from ours"], 1, seconds, rss)
	}
	if gnWhy == "" {
		if hasCurl {
			compare("5", size(c.bulk)+" our client vs curl, from gophernicus", t["ours from gophernicus"], t["curl from gophernicus"], 1, seconds, "")
			compare("5", size(c.bulk)+" serve gopher vs gophernicus, curl fetching", t["curl from ours"], t["curl from gophernicus"], 1, seconds, "")
		}
	}
	os.Remove(out)
	return nil
}

// startGophernicus runs gophernicus for root behind socat (it is an inetd
// server), as the tests do; why says what is missing.
func startGophernicus(root string) (port int, stop func(), why string) {
	socat, ok := have("socat")
	if !ok {
		return 0, nil, "socat is not installed (Debian: socat)"
	}
	gn, ok := have("gophernicus", "/usr/sbin/gophernicus")
	if !ok {
		return 0, nil, "gophernicus is not installed (Debian: gophernicus)"
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err.Error()
	}
	port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	listen := fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port)
	if os.Geteuid() == 0 {
		listen += ",su=nobody" // gophernicus refuses to run as root
	}
	server := fmt.Sprintf("SYSTEM:%s -h localhost -p %d -r %s -nv -nm -ns -nx -nu; exit 0", gn, port, root)
	cmd := exec.Command(socat, listen, server)
	if err := cmd.Start(); err != nil {
		return 0, nil, err.Error()
	}
	stop = func() { cmd.Process.Kill(); cmd.Wait() }
	for i := 0; i < 100; i++ {
		if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			conn.Close()
			return port, stop, ""
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return 0, nil, "socat did not start listening for gophernicus"
}

// notBuilt marks a row this harness does not measure yet, and why.
func notBuilt(row, what, needs string) error {
	figures = append(figures, figure{row: row, what: what, note: "not measured yet: " + needs})
	return nil
}

// hasCommand asks the sockshell binary whether it knows a command.
func hasCommand(c *config, name string) bool {
	err := exec.Command(c.ss, "-c", "help "+name).Run()
	return err == nil
}
