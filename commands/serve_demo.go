// The classic demo servers (echo, discard, daytime, chargen) as session
// servers. Which there are, their RFCs and whether they run over UDP come
// from the one table in commands/demo, which serve's usage, help and
// completion read too.
package commands

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sockshell/sockshell/commands/demo"
	"github.com/sockshell/sockshell/shell"
)

// demoKindNames are the demo servers' names, in the table's order.
func demoKindNames() []string {
	var names []string
	for _, k := range demo.Kinds() {
		names = append(names, k.Name)
	}
	return names
}

// udpKindNames are the demo servers that run over UDP too.
func udpKindNames() []string {
	var names []string
	for _, k := range demo.Kinds() {
		if k.UDP {
			names = append(names, k.Name)
		}
	}
	return names
}

// demoServersHelp is the sentence of serve's help that names the demo
// servers: "echo (RFC 862), discard (RFC 863), … are the classic demo
// servers, over TCP or, with --udp, UDP".
func demoServersHelp() string {
	var names, tcpOnly []string
	for _, k := range demo.Kinds() {
		names = append(names, fmt.Sprintf("%s (RFC %d)", k.Name, k.RFC))
		if !k.UDP {
			tcpOnly = append(tcpOnly, k.Name)
		}
	}
	list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	if len(names) == 1 {
		list = names[0]
	}
	s := list + " are the classic demo servers, over TCP or, with --udp, UDP"
	if len(tcpOnly) > 0 {
		s += " (" + strings.Join(tcpOnly, ", ") + " over TCP only)"
	}
	return s
}

// servePerAddress is how many of a TCP server's 32 connections one client
// address may hold: half, so one client cannot take them all.
const servePerAddress = 16

// isDemoKind reports whether kind is one of the demo servers.
func isDemoKind(kind string) bool { _, ok := demo.LookupKind(kind); return ok }

// startDemo starts one of the classic demo servers; what happens to it
// becomes the session's events.
func startDemo(c *shell.Call, kind string, ap netip.AddrPort, udp bool, tlsConf *tls.Config) (*server, error) {
	k, _ := demo.LookupKind(kind)
	if udp && !k.UDP {
		return nil, c.UsageError(kind + " runs over TCP only")
	}
	demoKind, over := kind, "TCP"
	if udp {
		demoKind, over = kind+"/udp", "UDP"
	}
	if tlsConf != nil {
		over = "TLS"
	}
	srv := &server{kind: kind, detail: fmt.Sprintf("RFC %d over %s", k.RFC, over)}
	ds, err := demo.StartWith(demoKind, ap.String(), demo.Options{TLS: tlsConf, MaxPerPeer: servePerAddress, Report: func(e demo.Event) { srv.emit(demoEvent(e)) }, Failed: srv.died})
	if err != nil {
		return nil, err
	}
	srv.addr, srv.stop, srv.demo = ds.Addr(), ds.Stop, ds
	if udp {
		srv.grams = func() int64 { return ds.Stats().Datagrams }
		srv.drops = func() int64 { return ds.Stats().Dropped }
	} else {
		srv.conns = func() int64 { return ds.Stats().Connections }
	}
	return srv, nil
}

// wrapText breaks text into lines of at most width columns, between words
// (split as strings.Fields splits). The help texts are wrapped as the
// command table is built, at every start: one pass over the bytes, no
// iterator and one allocation (issue 13, row 1).
func wrapText(text string, width int) string {
	b := make([]byte, 0, len(text))
	n := 0
	for i := 0; i < len(text); {
		if size := spaceAt(text, i); size > 0 {
			i += size
			continue
		}
		j, runes := i, 0
		for j < len(text) {
			if c := text[j]; c < utf8.RuneSelf {
				if asciiSpace(c) {
					break
				}
				j++
			} else {
				r, size := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(r) {
					break
				}
				j += size
			}
			runes++
		}
		if n > 0 && n+1+runes > width {
			b = append(b, '\n')
			n = 0
		} else if n > 0 {
			b = append(b, ' ')
			n++
		}
		b = append(b, text[i:j]...)
		n += runes
		i = j
	}
	return string(b)
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// spaceAt is the size of the space (unicode.IsSpace) at text[i], 0 for none.
func spaceAt(text string, i int) int {
	if c := text[i]; c < utf8.RuneSelf {
		if asciiSpace(c) {
			return 1
		}
		return 0
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	if unicode.IsSpace(r) {
		return size
	}
	return 0
}
