package main

// probe on a pseudo-terminal: a long probe draws a progress line, and
// Ctrl-C stops it and prints the ports done so far.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

func TestProbeProgressAndCtrlCOnPTY(t *testing.T) {
	// One closed UDP port (answered at once by ICMP port unreachable), then
	// 40 silent ones that would each wait ten minutes (so that none can be
	// done before the Ctrl-C, however loaded the machine).
	ports := []string{fmt.Sprint(testenv.ClosedPort(t, "udp"))}
	for range 40 {
		ports = append(ports, fmt.Sprint(testenv.Port(testenv.ListenPacket(t, "udp").LocalAddr())))
	}
	// The long line goes in a script: the screen harness is slow to read
	// a long line's echo, redrawn at each key.
	script := filepath.Join(t.TempDir(), "probe.sock")
	line := "probe 127.0.0.1 " + strings.Join(ports, ",") + " --udp --wait 600\n"
	if err := os.WriteFile(script, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := startScreen(t, "--no-history")
	sc.Expect(prompt)
	sc.Type("source " + script + "\r")
	// The closed port is done at once; the others wait.
	sc.Expect(`probe 127\.0\.0\.1: 1 of 41 ports, 0 open \(Ctrl-C stops and shows them\)`)
	sc.Type("\x03")
	sc.Expect(`# stopped by Ctrl-C: 40 of 41 ports were not tried or not finished`)
	sc.Expect(prompt)
	if !strings.Contains(sc.text(), "| "+ports[0]+" ") {
		t.Errorf("the closed port's row should print:\n%s", sc.text())
	}
	sc.Type("exit\r")
	sc.Exit()
}
