// The demo servers of an export: each server the session started (serve)
// is remembered here, and the exported script starts the same service on
// the same address as a socketserver thread, so it runs alone. A gopher
// server has no short Python equivalent: it becomes a comment saying how
// to start one.
package commands

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/sockshell/sockshell/shell"
)

// servedServer is a server the session started, as export needs it.
type servedServer struct {
	name string // echo1
	kind string // echo, discard, daytime, chargen, gopher
	addr string // 127.0.0.1:7007, [::1]:7007
	udp  bool
	dir  string // gopher: the directory it serves
}

// maxServedServers bounds what the session remembers for export (each
// is a few words; a session that starts more servers than this is a
// script of its own).
const maxServedServers = 4096

// exportServers is the servers the session started, oldest first.
var exportServers = shell.NewStateKey("export servers", func() []servedServer { return nil })

// noteServed remembers a server serve started, for export.
func noteServed(s *shell.Session, srv servedServer) {
	exportServers.With(s, func(v *[]servedServer) {
		if len(*v) >= maxServedServers {
			*v = append((*v)[:0:0], (*v)[1:]...)
		}
		*v = append(*v, srv)
	})
}

func sortedServers(m map[string]servedServer) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// pyServers reports whether any server is written as Python.
func pyServers(servers []servedServer) bool {
	for _, s := range servers {
		if s.kind != "gopher" {
			return true
		}
	}
	return false
}

func usesDaytime(servers []servedServer) bool {
	for _, s := range servers {
		if s.kind == "daytime" {
			return true
		}
	}
	return false
}

// The handlers of the demo services (commands/demo/services.go), in
// Python: one class for a TCP connection, one for a UDP datagram.
var pyHandlers = map[string][2]string{
	"echo": {
		"class EchoStream(Handler):\n    \"\"\"echo (RFC 862): sends back what it receives.\"\"\"\n    def serve(self):\n        while data := self.request.recv(16384):\n            self.request.sendall(data)\n",
		"class EchoDatagram(socketserver.BaseRequestHandler):\n    def handle(self):\n        data, sock = self.request\n        sock.sendto(data, self.client_address)\n",
	},
	"discard": {
		"class DiscardStream(Handler):\n    \"\"\"discard (RFC 863): throws away what it receives.\"\"\"\n    def serve(self):\n        while self.request.recv(16384):\n            pass\n",
		"class DiscardDatagram(socketserver.BaseRequestHandler):\n    def handle(self):\n        pass\n",
	},
	"daytime": {
		"def daytime():\n    \"\"\"daytime (RFC 867): the date and time as one line.\"\"\"\n    t = time.localtime()\n    return (time.strftime('%A, %B ', t) + str(t.tm_mday) + time.strftime(', %Y %H:%M:%S-%Z', t) + '\\r\\n').encode()\n\n\n" +
			"class DaytimeStream(Handler):\n    def serve(self):\n        self.request.sendall(daytime())\n",
		"class DaytimeDatagram(socketserver.BaseRequestHandler):\n    def handle(self):\n        data, sock = self.request\n        sock.sendto(daytime(), self.client_address)\n",
	},
	"chargen": {
		"def chargen_line(i):\n    \"\"\"chargen (RFC 864): line i of 72 printable characters, each line one later.\"\"\"\n    return bytes(32 + (i + k) % 95 for k in range(72)) + b'\\r\\n'\n\n\n" +
			"class ChargenStream(Handler):\n    def serve(self):\n        cycle = b''.join(chargen_line(i) for i in range(95))\n        while True:\n            self.request.sendall(cycle)\n",
		"class ChargenDatagram(socketserver.BaseRequestHandler):\n    def handle(self):\n        data, sock = self.request\n        sock.sendto(b''.join(chargen_line(i) for i in range(6)), self.client_address)\n",
	},
}

// pyClassName is a handler's class: EchoStream, DaytimeDatagram.
func pyClassName(kind string, udp bool) string {
	n := strings.ToUpper(kind[:1]) + kind[1:]
	if udp {
		return n + "Datagram"
	}
	return n + "Stream"
}

// serversPython writes the servers' code: the handlers they need, the
// server classes, and one line a server starting it on its address.
func serversPython(servers []servedServer) string {
	var b strings.Builder
	need := map[string]bool{} // handler code by kind and transport
	var six4, six6 [2]bool    // TCP, UDP server classes by family
	for _, s := range servers {
		if s.kind == "gopher" {
			continue
		}
		need[pyClassName(s.kind, s.udp)] = true
		i := 0
		if s.udp {
			i = 1
		}
		if ap, err := netip.ParseAddrPort(s.addr); err == nil && ap.Addr().Is6() && !ap.Addr().Is4In6() {
			six6[i] = true
		} else {
			six4[i] = true
		}
	}
	if len(need) > 0 {
		b.WriteString("\n\n# The session's demo servers, as sockshell's serve ran them, on the same\n" +
			"# addresses: each a socketserver in a daemon thread. The addresses must be\n" +
			"# free: run the script once the session has stopped its servers.\n\n")
		if need["EchoStream"] || need["DiscardStream"] || need["DaytimeStream"] || need["ChargenStream"] {
			b.WriteString("class Handler(socketserver.BaseRequestHandler):\n" +
				"    \"\"\"A TCP connection: serve() until the client closes, resets or goes quiet.\"\"\"\n" +
				"    def handle(self):\n        try:\n            self.serve()\n        except OSError:\n            pass\n\n\n")
		}
		for _, kind := range []string{"echo", "discard", "daytime", "chargen"} {
			tcp, udp := need[pyClassName(kind, false)], need[pyClassName(kind, true)]
			h := pyHandlers[kind]
			if tcp {
				b.WriteString(h[0] + "\n\n")
			}
			if udp {
				if !tcp && (kind == "daytime" || kind == "chargen") {
					// The helper function comes with the stream's code.
					helper := h[0][:strings.Index(h[0], "\n\n\nclass ")]
					b.WriteString(helper + "\n\n\n")
				}
				b.WriteString(h[1] + "\n\n")
			}
		}
		classes := []struct {
			on   bool
			name string
			base string
			six  bool
		}{
			{six4[0], "TCPServer", "socketserver.ThreadingTCPServer", false},
			{six6[0], "TCPServer6", "socketserver.ThreadingTCPServer", true},
			{six4[1], "UDPServer", "socketserver.ThreadingUDPServer", false},
			{six6[1], "UDPServer6", "socketserver.ThreadingUDPServer", true},
		}
		for _, c := range classes {
			if !c.on {
				continue
			}
			fmt.Fprintf(&b, "class %s(%s):\n    daemon_threads = True\n", c.name, c.base)
			if strings.HasPrefix(c.name, "TCP") {
				// As the shell's servers: a port whose last connections sit in TIME_WAIT binds again.
				b.WriteString("    allow_reuse_address = True\n")
			} else {
				// socketserver reads 8192 bytes of a datagram; the shell's servers the whole of it.
				b.WriteString("    max_packet_size = 65536\n")
			}
			if c.six {
				b.WriteString("    address_family = socket.AF_INET6\n")
			}
			b.WriteString("\n\n")
		}
		b.WriteString("def start(server):\n    threading.Thread(target=server.serve_forever, daemon=True).start()\n    return server\n\n\n")
	}
	for _, s := range servers {
		ap, err := netip.ParseAddrPort(s.addr)
		if s.kind == "gopher" || err != nil {
			continue
		}
		cls := "TCPServer"
		if s.udp {
			cls = "UDPServer"
		}
		if ap.Addr().Is6() && !ap.Addr().Is4In6() {
			cls += "6"
		}
		fmt.Fprintf(&b, "%s = start(%s((%s, %d), %s))\n", s.name, cls, shell.StrRepr(ap.Addr().String()), ap.Port(), pyClassName(s.kind, s.udp))
	}
	for _, s := range servers {
		if s.kind != "gopher" {
			continue
		}
		fmt.Fprintf(&b, "\n# %s: the session's gopher server for %s on %s has no short Python\n"+
			"# equivalent. Start one there before running this script, at a sockshell\n"+
			"# prompt left open: serve gopher %s %s\n",
			s.name, oneLine(shell.StrRepr(s.dir)), s.addr, oneLine(shell.StrRepr(s.dir)), s.addr)
	}
	return b.String()
}
