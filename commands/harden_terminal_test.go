package commands

// Issue 14: the terminal is safe. Every byte value and the known attack
// sequences, sent by a peer, go through each output path a peer's bytes
// reach (recv as repr and --hex, a gopher text page, a menu, an error
// item, a selector quoted in an error, explain), in every format; no
// control character a terminal would act on is written to stdout, stderr
// or the event lines.

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
)

// attack is every byte value, then the known sequences: an OSC title set,
// an OSC 52 clipboard write, screen clear, cursor moves, the end of a
// bracketed paste, a fake prompt after a CR, C1 CSI raw and as UTF-8, and
// bidirectional overrides and isolates.
func attack() string {
	var b strings.Builder
	for i := range 256 {
		b.WriteByte(byte(i))
	}
	b.WriteString("\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x1b[H\x1b[10A\x1b[201~\r>>> close all\n")
	b.WriteString("\x9b31m\u009b31m\u202e\u2066\u2069\u202a")
	return b.String()
}

func TestTerminalSafeFromPeerBytes(t *testing.T) {
	evil := attack()
	oneLine := strings.NewReplacer("\n", "", "\t", "", "\r", "").Replace(evil)
	gport := gopherFake(t, func(c net.Conn, sel string) {
		switch {
		case sel == "" || sel == "/":
			io.WriteString(c, "i"+oneLine+"\t\tnull.host\t1\r\n0"+oneLine+"\t/t"+oneLine+"\tlocalhost\t70\r\n.\r\n")
		case sel == "/err":
			io.WriteString(c, "3"+oneLine+"\t\terror.host\t1\r\n.\r\n")
		default:
			io.WriteString(c, evil)
		}
	})
	pport := sockGoPeer(t, func(c *net.TCPConn) {
		io.WriteString(c, evil)
		c.CloseWrite()
		io.Copy(io.Discard, c)
	})
	ss := newGopherSession(t)
	for _, format := range []string{"python", "table", "json"} {
		ss.MustExec("set format " + format)
		lines := []string{
			fmt.Sprintf("gopher gopher://127.0.0.1:%d/0/t", gport),
			fmt.Sprintf("gopher 127.0.0.1 / %d", gport),
			fmt.Sprintf("gopher 127.0.0.1 / %d --raw", gport),
			fmt.Sprintf("gopher gopher://127.0.0.1:%d/1/err", gport),
			fmt.Sprintf("explain gopher gopher://127.0.0.1:%d/0/t", gport),
			fmt.Sprintf("connect 127.0.0.1 %d", pport),
			"recv s1 4096",
			"close s1",
			fmt.Sprintf("connect 127.0.0.1 %d", pport),
			"recv s1 4096 --hex",
			"close s1",
			fmt.Sprintf("connect 127.0.0.1 %d", pport),
			"recv s1 100 --hex",
			"sockets",
			"close s1",
			"send s9 " + shellQuote(oneLine),
		}
		sock := ""
		for _, line := range lines {
			line = strings.ReplaceAll(line, "s1", sock)
			out, errs := ss.Exec(line)
			if strings.HasPrefix(line, "connect") {
				if names := ss.sockets(); len(names) == 1 {
					sock = names[0]
				}
			}
			all := out + errs + strings.Join(ss.Events(), "\n")
			if r, bad := terminalUnsafe(all); bad {
				t.Errorf("format %s: %q wrote %U:\n%q", format, line, r, all)
			}
			// The bytes are shown, escaped, not dropped.
			if line == "recv "+sock+" 4096" && !strings.Contains(all, "]0;owned") {
				t.Errorf("format %s: %q does not show the title sequence escaped:\n%q", format, line, all)
			}
		}
	}
}

// shellQuote is s as a literal the lexer reads back (Go's %q escapes are
// Python's for these characters).
func shellQuote(s string) string { return fmt.Sprintf("%q", s) }
