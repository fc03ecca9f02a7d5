package shell

import (
	"strings"
	"testing"
)

func newTolerance() *tolerance {
	return &tolerance{recLo: 32768, recHi: 60999, nowLo: 32768, nowHi: 60999, ports: map[int]int{}, back: map[int]int{}}
}

// TestToleranceBothWays: what varies from run to run is accepted, parsed
// as what it is; a change in anything else is a difference.
func TestToleranceBothWays(t *testing.T) {
	sockets := func(fd, local, state string) string {
		return "+------+----+-------------+\n" +
			"| name | fd | state       | local |\n" +
			"+------+----+-------------+\n" +
			"| s1   | " + fd + " | " + state + " | " + local + " |\n" +
			"+------+----+-------------+\n"
	}
	for _, tc := range []struct {
		name      string
		want, got string
		same      bool
	}{
		{"an ephemeral port in a tuple", "('127.0.0.1', 41234)\n", "('127.0.0.1', 50001)\n", true},
		{"an IPv6 address's ephemeral port", "('::1', 41234, 0, 0)\n", "('::1', 50001, 0, 0)\n", true},
		{"a host:port's ephemeral port", "echo1  echo server on 127.0.0.1:41234\n", "echo1  echo server on 127.0.0.1:50001\n", true},
		{"JSON's address", `{"result":["127.0.0.1",41234]}` + "\n", `{"result":["127.0.0.1",50001]}` + "\n", true},
		{"a chosen port", "('127.0.0.1', 7007)\n", "('127.0.0.1', 7008)\n", false},
		{"a port now outside the ephemeral range", "('127.0.0.1', 41234)\n", "('127.0.0.1', 8080)\n", false},
		{"a number that is no port", "41234\n", "50001\n", false},
		{"a descriptor in a repr", "<socket fd=5, family=AF_INET>\n", "<socket fd=12, family=AF_INET>\n", true},
		{"a descriptor in a system call", "  # getsockopt(5, IPPROTO_TCP, TCP_NODELAY) = 0\n", "  # getsockopt(7, IPPROTO_TCP, TCP_NODELAY) = 0\n", true},
		{"a system call's result", "  # getsockopt(5, IPPROTO_TCP, TCP_NODELAY) = 0\n", "  # getsockopt(5, IPPROTO_TCP, TCP_NODELAY) = 1\n", false},
		{"a duration", "# DNS 0.400 ms, handshake 0.080 ms; took 0.612 ms\n", "# DNS 1.5 ms, handshake 12.000 ms; took 20.001 ms\n", true},
		{"a phase that is gone", "# DNS 0.400 ms, handshake 0.080 ms\n", "# handshake 0.080 ms\n", false},
		{"bytes received", "b'hello\\r\\n'\n", "b'HELLO\\r\\n'\n", false},
		{"a table whose fd and port grew", sockets("5", "127.0.0.1:41234", "ESTABLISHED"), sockets("12", "127.0.0.1:50001", "ESTABLISHED"), true},
		{"a table whose state changed", sockets("5", "127.0.0.1:41234", "ESTABLISHED"), sockets("5", "127.0.0.1:41234", "CLOSE_WAIT "), false},
		{"a line more", "one\n", "one\ntwo\n", false},
		{"the timeline's times", "+------+\n| time  | what |\n+------+\n| 0.001 | socket tcp → s1 |\n+---+\n", "+------+\n| time  | what |\n+------+\n| 12.345 | socket tcp → s1 |\n+---+\n", true},
		{"the timeline's events", "+------+\n| time  | what |\n+------+\n| 0.001 | socket tcp → s1 |\n+---+\n", "+------+\n| time  | what |\n+------+\n| 0.001 | socket udp → s1 |\n+---+\n", false},
	} {
		k := newTolerance()
		why := k.differ(tc.want, tc.got)
		if (why == "") != tc.same {
			t.Errorf("%s: differ(%q, %q) = %q; want the same: %v", tc.name, tc.want, tc.got, why, tc.same)
		}
	}
}

// TestTolerancePortsStayTheSame: a recorded port stands for one port now,
// throughout a check, both ways; lines that typed it get the new one.
func TestTolerancePortsStayTheSame(t *testing.T) {
	k := newTolerance()
	if why := k.differ("echo1  echo server on 127.0.0.1:41234\n", "echo1  echo server on 127.0.0.1:50001\n"); why != "" {
		t.Fatal(why)
	}
	if why := k.differ("('127.0.0.1', 41234)\n", "('127.0.0.1', 50001)\n"); why != "" {
		t.Errorf("the same mapping again: %s", why)
	}
	if why := k.differ("('127.0.0.1', 41234)\n", "('127.0.0.1', 50002)\n"); !strings.Contains(why, "recorded port 41234 stood for 50001 before, not 50002") {
		t.Errorf("another port for the same recorded one: %q", why)
	}
	if why := k.differ("('127.0.0.1', 41300)\n", "('127.0.0.1', 50001)\n"); !strings.Contains(why, "port 50001 stands for recorded port 41234 already") {
		t.Errorf("the same port now for two recorded ones: %q", why)
	}
	for line, want := range map[string]string{
		"connect s1 127.0.0.1 41234":  "connect s1 127.0.0.1 50001",
		"serve echo 127.0.0.1:41234":  "serve echo 127.0.0.1:50001",
		"send s1 '41234'":             "send s1 '41234'", // data, not a port
		"connect s1 127.0.0.1 41235":  "connect s1 127.0.0.1 41235",
		"sendto s3 ping ::1 41234":    "sendto s3 ping ::1 50001",
		"connect s1 '127.0.0.1' 8080": "connect s1 '127.0.0.1' 8080",
	} {
		if got := k.rewrite(line); got != want {
			t.Errorf("rewrite(%q) = %q, want %q", line, got, want)
		}
	}
}

// TestToleranceStripsLocations: where an error's line came from is not
// what it did.
func TestToleranceStripsLocations(t *testing.T) {
	k := newTolerance()
	if why := k.differ(stripLocations("-c:1:25: ConnectionRefusedError: [Errno 111] Connection refused\n"),
		stripLocations("ConnectionRefusedError: [Errno 111] Connection refused\n")); why != "" {
		t.Error(why)
	}
	if why := k.differ(stripLocations("demo.sock:3: TimeoutError: timed out\n"),
		stripLocations("ConnectionRefusedError: [Errno 111] Connection refused\n")); why == "" {
		t.Error("another error passed")
	}
}
