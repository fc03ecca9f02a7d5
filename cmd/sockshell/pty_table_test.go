package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Issue 7 item 24 on a real terminal: `sockets` fits 80 columns, and after
// the window shrinks (SIGWINCH) it fits the new width; every socket's name,
// state and addresses are shown. A pipe gets the full table.
func TestSocketsFitTheTerminal(t *testing.T) {
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	// Port 0: the kernel picks the listener's port; sockname tells it.
	sc.Type("socket tcp; bind s1 127.0.0.1 0; listen s1; sockname s1\r")
	port := boundPort(t, sc.Expect(`\('127\.0\.0\.1', \d+\)`))
	sc.Expect(prompt)
	sc.Type(fmt.Sprintf("connect 127.0.0.1 %d; accept s1; socket udp inet6\r", port))
	sc.Expect(`s3  \('127\.0\.0\.1', \d+\)`)
	sc.Expect(`s4  <socket`)
	sc.Expect(prompt)
	sc.Type("sockname s2\r")
	client := sc.Expect(`\('127\.0\.0\.1', \d+\)`)
	cport := regexp.MustCompile(`\d+\)$`).FindString(client)
	cport = strings.TrimSuffix(cport, ")")
	sc.Expect(prompt)

	want := []string{"s1", "s2", "s3", "s4", "LISTEN", "ESTABLISHED", "AF_INET6", "SOCK_DGRAM",
		fmt.Sprintf("127.0.0.1:%d", port), "127.0.0.1:" + cport}
	for _, cols := range []int{80, 60, 40} {
		if cols != 80 {
			if err := pty.Setsize(sc.pty, &pty.Winsize{Rows: 24, Cols: uint16(cols)}); err != nil {
				t.Fatal(err)
			}
		}
		sc.Type("sockets\r")
		sc.Expect(`sockets\r\n`)
		out := sc.Expect(`(?s).*?` + prompt)
		out = strings.TrimSuffix(out, prompt)
		for _, line := range strings.Split(out, "\r\n") {
			if w := twwidth.Width(line); w > cols {
				t.Errorf("%d columns: a line %d wide: %q", cols, w, line)
			}
		}
		// Cells may wrap: look for each text with the layout taken away.
		flat := regexp.MustCompile(`[\s|+-]+`).ReplaceAllString(out, "")
		for _, w := range want {
			if !strings.Contains(flat, strings.ReplaceAll(w, "-", "")) {
				t.Errorf("%d columns: %q missing from:\n%s", cols, w, out)
			}
		}
	}
	sc.Type("exit\r")
	if code := sc.Exit(); code != 0 {
		t.Errorf("exit: status %d", code)
	}

	// Piped, the same table is never wrapped: one line per socket.
	cmd := exec.Command(sockshellBinary(t), "-c", "socket tcp; bind s1 127.0.0.1 0; listen s1; socket udp inet6; sockets")
	cmd.Env = append(filteredEnv(), "HOME="+t.TempDir(), "COLUMNS=40")
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	re := regexp.MustCompile(`\| s1 +\| \d+ +\| AF_INET +\| SOCK_STREAM +\| LISTEN +\| 127\.0\.0\.1:\d+ +\| +\| 0 +\| 0 +\| 30 +\|\n` +
		`\| s2 +\| \d+ +\| AF_INET6 +\| SOCK_DGRAM +\|`)
	if !re.Match(got) {
		t.Errorf("piped sockets table:\n%s", got)
	}
}
