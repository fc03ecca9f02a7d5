package commands

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
)

// One family/type grammar for socket, fromfd and addrinfo: the same words
// (tcp/stream/udp/dgram, inet/ipv4/4, inet6/ipv6/6) in any order, one of
// each at most; addrinfo's results are python3's for the same call.
func TestFamilyTypeOneGrammar(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("set format python")
	cases := []struct{ line, py string }{
		{"addrinfo 127.0.0.1 80 dgram 4", "socket.getaddrinfo('127.0.0.1', 80, socket.AF_INET, socket.SOCK_DGRAM)"},
		{"addrinfo 127.0.0.1 80 ipv4 udp", "socket.getaddrinfo('127.0.0.1', 80, socket.AF_INET, socket.SOCK_DGRAM)"},
		{"addrinfo ::1 70 stream ipv6", "socket.getaddrinfo('::1', 70, socket.AF_INET6, socket.SOCK_STREAM)"},
		{"addrinfo ::1 70 6 TCP", "socket.getaddrinfo('::1', 70, socket.AF_INET6, socket.SOCK_STREAM)"},
		{"addrinfo 127.0.0.1 stream", "socket.getaddrinfo('127.0.0.1', None, 0, socket.SOCK_STREAM)"},
		{"addrinfo 127.0.0.1 6", "socket.getaddrinfo('127.0.0.1', 6)"}, // a number after HOST is the PORT
		{"addrinfo ::1 6 6", "socket.getaddrinfo('::1', 6, socket.AF_INET6)"},
		{"addrinfo 127.0.0.1 0 tcp inet", "socket.getaddrinfo('127.0.0.1', 0, socket.AF_INET, socket.SOCK_STREAM)"},
	}
	prog := "import socket\n"
	for _, c := range cases {
		prog += "print(" + c.py + ")\n"
	}
	want := strings.Split(strings.TrimSuffix(pyRun(t, prog), "\n"), "\n")
	for i, c := range cases {
		if got := strings.TrimSuffix(ss.MustExec(c.line), "\n"); got != want[i] {
			t.Errorf("%s:\n got %s\nwant %s (%s)", c.line, got, want[i], c.py)
		}
	}
	if got := ss.MustExec("socket dgram ipv6"); !strings.Contains(got, "family=AF_INET6, type=SOCK_DGRAM") {
		t.Errorf("socket dgram ipv6: %s", got)
	}
	// The same refusals in the three commands.
	for _, cmd := range []string{"socket", "fromfd 0", "addrinfo 127.0.0.1"} {
		for words, want := range map[string]string{
			"tcp udp":      "UsageError: give one type: tcp or udp (stream, dgram, seqpacket)",
			"dgram STREAM": "UsageError: give one type: tcp or udp (stream, dgram, seqpacket)",
			"inet 6":       "UsageError: give one family: inet, inet6 or unix",
		} {
			_, errs := ss.Exec(cmd + " " + words)
			if !strings.HasPrefix(errs, want+"; usage: ") {
				t.Errorf("%s %s: %q, want %q", cmd, words, errs, want)
			}
		}
	}
	_, errs := ss.Exec("socket raw")
	if !strings.HasPrefix(errs, `UsageError: "raw" is no family (inet, inet6, unix) or type (tcp, udp, stream, dgram, seqpacket); usage: socket [tcp|udp|stream|dgram|seqpacket] [inet|inet6|unix]`) {
		t.Errorf("socket raw: %q", errs)
	}
	_, errs = ss.Exec("addrinfo 127.0.0.1 80 raw")
	if !strings.HasPrefix(errs, `UsageError: "raw" is no family (inet, inet6, unix) or type (tcp, udp, stream, dgram, seqpacket), and the port was given already`) {
		t.Errorf("addrinfo 127.0.0.1 80 raw: %q", errs)
	}
}

// Adding a command is one declaration in one file: a command declared with
// Args gets its usage, arity errors, completion, parsed socket, help and
// reference entry from that alone.
func TestCommandIsOneDeclaration(t *testing.T) {
	tab := Table()
	tab.Add(&shell.Command{Name: "peek", Group: groupSockets, Summary: "Look at a socket.",
		Args: []shell.Arg{shell.Req("SOCK", sockArg), shell.Opt("BUFSIZE", bufsizeArg("1", "2"))},
		Run: func(c *shell.Call) (any, error) {
			s, name := sockAt(c, 0)
			return shell.Tuple{name, s.FD()}, nil
		}})
	ss := &sockSession{Term: faketerm.New(t, tab), t: t}
	ss.MustExec("socket tcp")
	const usage = "peek SOCK [BUFSIZE]"
	for line, want := range map[string]string{
		"peek":        "UsageError: missing argument; usage: " + usage,
		"peek s1 1 2": "UsageError: too many arguments; usage: " + usage,
		"peek s9":     "NameError: name 's9' is not defined; sockets: s1",
	} {
		if _, errs := ss.Exec(line); strings.TrimSpace(errs) != want {
			t.Errorf("%s: %q, want %q", line, errs, want)
		}
	}
	if got := ss.MustExec("peek s1"); !strings.HasPrefix(got, "('s1', ") {
		t.Errorf("peek s1: %q", got)
	}
	for line, want := range map[string][]string{"peek ": {"s1"}, "peek s1 ": {"1", "2"}} {
		if got, _ := ss.Session.Complete(line); !reflect.DeepEqual(got, want) {
			t.Errorf("Complete(%q) = %q, want %q", line, got, want)
		}
	}
	if h := ss.MustExec("help peek"); !strings.HasPrefix(h, "usage: "+usage) {
		t.Errorf("help peek: %q", h)
	}
	if !strings.Contains(tab.Markdown(), "### peek\n\n    "+usage+"\n") {
		t.Error("the reference lacks peek's usage")
	}
	ss.Exec("close all")
}

// Every command of the table declares its grammar as Args or Forms: its
// usage starts with its name once per form and names each argument.
func TestEveryCommandUsageIsDerived(t *testing.T) {
	for _, c := range Table().Commands() {
		u := c.Usage()
		for _, form := range strings.Split(u, " | ") {
			if form != c.Name && !strings.HasPrefix(form, c.Name+" ") {
				t.Errorf("%s: usage form %q does not start with the name", c.Name, form)
			}
		}
		if c.Args != nil && c.Forms != nil {
			t.Errorf("%s declares both Args and Forms", c.Name)
		}
	}
}
