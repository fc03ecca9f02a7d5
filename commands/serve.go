// Background servers of the session: serve, servers, stop. They listen on
// loopback unless told otherwise and report what happens as the session's
// events (serve_events.go), which the terminal prints above the line being
// typed.
package commands

import (
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/demo"
	"github.com/sockshell/sockshell/shell"
)

// server is a background server held in the session registry.
type server struct {
	kind   string
	addr   string
	detail string
	conns  func() int64 // TCP connections accepted; nil for a UDP server
	grams  func() int64 // UDP datagrams received; nil for a TCP server
	drops  func() int64 // of those, the datagrams left unanswered (loop and rate guard)
	stop   func() error
	closed atomic.Bool
	demo   *demo.Server // a demo server's own (nil for gopher)

	mu      sync.Mutex
	sess    *shell.Session // set once registered under name
	name    string
	dead    error         // why the server stopped by itself
	pending []shell.Event // events from before the server had its name
	limit   *lineLimiter  // holds back a flood's lines (serve_limit.go)
}

// registered records the name the server was registered under. It returns
// the error the server died of if that happened already (the caller then
// removes it).
func (s *server) registered(sess *shell.Session, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sess, s.name = sess, name
	for _, e := range s.pending {
		e.Resource = name
		sess.Emit(e)
	}
	s.pending = nil
	return s.dead
}

// emit hands an event to the session under the server's name; events
// from before the server was registered wait for its name (registered).
func (s *server) emit(e shell.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil {
		if len(s.pending) < 100 {
			s.pending = append(s.pending, e)
		}
		return
	}
	if s.limit == nil {
		s.limit = newLineLimiter(func(e shell.Event) {
			s.mu.Lock()
			defer s.mu.Unlock()
			e.Resource = s.name
			s.sess.Emit(e)
		})
	}
	e = s.limit.admit(e)
	e.Resource = s.name
	s.sess.Emit(e)
}

// died is called when the server stops by itself (its accept failed for
// good): it says so and leaves the registry, so `servers` no longer lists
// it, and releases what it held.
func (s *server) died(err error) {
	s.mu.Lock()
	s.dead = err
	sess, name := s.sess, s.name
	s.mu.Unlock()
	if sess != nil {
		if r, ok := sess.Resource(name); ok && r == shell.Resource(s) {
			sess.Remove(name)
		}
		why := shell.Classify(err).Error()
		sess.Emit(shell.Event{Kind: eventStopped, Resource: name, Label: name,
			Message: fmt.Sprintf("the %s server on %s has stopped: accept() failed with %s; it is gone from `servers`", s.kind, s.addr, why),
			Attrs:   []shell.Attr{{Key: "error", Value: why}}})
	}
	s.Close()
}

func (s *server) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	err := s.stop()
	s.mu.Lock()
	l := s.limit
	s.mu.Unlock()
	if l != nil {
		l.flush() // a flood's count, before the server is gone
	}
	return err
}

func isServer(r shell.Resource) bool { _, ok := r.(*server); return ok }

// serveKinds are the kinds `serve` starts: gopher, then the demo servers
// of commands/demo's table.
var serveKinds = append([]string{"gopher"}, demoKindNames()...)

var (
	// demoKindArg is a demo server's kind; runServe checks the word, with
	// the list of every kind.
	demoKindArg = &shell.ArgKind{Name: "server kind", Words: serveKinds[1:],
		Complete: func(*shell.Session, string) []string { return serveKinds[1:] },
		Match:    func(_ *shell.Session, w string) bool { return slices.Contains(serveKinds[1:], strings.ToLower(w)) }}
	// listenAddrArg is where a server listens (listenAddr reads it).
	listenAddrArg = &shell.ArgKind{Name: "address", Complete: func(*shell.Session, string) []string {
		return []string{"127.0.0.1:0", "[::1]:0"}
	}}
	// serverArg is a background server's name, or all.
	serverArg = &shell.ArgKind{Name: "server", Complete: func(s *shell.Session, _ string) []string {
		return append(s.ResourceNames(isServer), "all")
	}}
)

func serveCommands() []*shell.Command {
	return []*shell.Command{
		{
			Name: "serve", Group: groupGopher,
			Summary: "Start a server in the background of the session (on 127.0.0.1, any free port, by default).",
			HelpFunc: func() string {
				return wrapText("gopher serves a directory (directories as menus, a gophermap file honoured; never "+
					"anything outside DIR). "+demoServersHelp()+" (one reply datagram per datagram). "+
					"`servers` lists them; `stop NAME` ends one; leaving the shell ends them all. "+
					"A demo server given a PATH (with a slash) or @name listens on a Unix stream socket there "+
					"(the socket file goes when it stops).", 84) + "\n" +
					"What a server reports (\"[echo 127.0.0.1:7007] connection from ...\") is an event:\n" +
					"at the prompt it prints above the line being typed; in -c, script and pipe runs\n" +
					"it prints on standard output as a '#' line (JSON in json format) before the next\n" +
					"command's output.\n\n" +
					"A UDP server answers the address a datagram says it comes from, which anyone can\n" +
					"forge; so it answers none from its own address, from another of this shell's servers\n" +
					"or from a well-known small-service port (echo, chargen, …), which would start a loop,\n" +
					"and each peer at most 50 times a second after a burst of 50; `servers` counts the\n" +
					"datagrams and the drops. chargen over UDP answers the others, an empty one too, as\n" +
					"RFC 864 says, with 444 characters (RFC 864 asks\n" +
					"for a random count from 0 to 512; a fixed reply is predictable).\n\n" +
					wrapText("A TCP server serves 32 connections at once, 16 at most from one client address. One more is closed at once: a demo server "+
						"sends it nothing (the client reads end of file, b''), gopher sends it the error item "+
						"\"server busy, try again later\" (or \"too many connections from your address\"). A demo server closes a connection idle 5 minutes, or open "+
						"30 minutes however busy, and gives a TLS handshake 10 s; gopher gives a request 30 s from the connect, then answers "+
						"\"no complete request within 30s\" and closes.", 84)
			},
			Python:   "socketserver.ThreadingTCPServer((host, port), handler).serve_forever()",
			Examples: []string{"serve gopher docs/gopherhole 127.0.0.1:7070", "serve echo", "serve echo 127.0.0.1:7007 --udp", "serve chargen 127.0.0.1:1919", "serve echo /tmp/echo.sock", "serve echo @echo"},
			Forms: [][]shell.Arg{
				{shell.Lit("gopher"), shell.Req("DIR", shell.DirArg), shell.Opt("HOST:PORT", listenAddrArg), shell.OptFlag("tls")},
				{shell.Req("", demoKindArg), shell.Opt("HOST:PORT|PATH", listenAddrArg), shell.OptFlag("udp"), shell.OptFlag("tls")},
			},
			Flags: append([]shell.Flag{{Name: "udp", Help: "serve over UDP instead of TCP (" + strings.Join(udpKindNames(), ", ") + ")"}}, serveTLSFlags...),
			Run:   runServe,
		},
		{
			Name: "servers", Group: groupGopher,
			Summary:  "Table of the session's background servers.",
			Examples: []string{"servers"},
			Run: func(c *shell.Call) (any, error) {
				// UDP has no connections: a UDP server counts datagrams, a TCP
				// server connections, and the other cell is empty (null).
				rows := &shell.Rows{Header: []string{"name", "kind", "address", "serves", "connections", "datagrams"}}
				for _, r := range c.Session.Resources() {
					if s, ok := r.Resource.(*server); ok {
						var conns, grams any
						if s.conns != nil {
							conns = s.conns()
						}
						if s.grams != nil {
							n := s.grams()
							grams = n
							if d := s.drops(); d > 0 {
								grams = shell.Shown{Text: fmt.Sprintf("%d (%d dropped)", n, d), Value: n}
							}
						}
						rows.Append(r.Name, s.kind, shell.Shown{Text: s.addr, Value: hostPortValue(s.addr)}, s.detail, conns, grams)
					}
				}
				if len(rows.Rows) == 0 {
					c.Note("no servers; start one with: serve echo")
				}
				return rows, nil
			},
		},
		{
			Name: "stop", Group: groupGopher,
			Summary:  "Stop a background server.",
			Examples: []string{"stop echo1"},
			Args:     []shell.Arg{shell.Req("NAME", serverArg)},
			Run: func(c *shell.Call) (any, error) {
				if c.Arg(0) == "all" {
					for _, r := range c.Session.Resources() {
						if isServer(r.Resource) {
							c.Python("# stop %s: the shell stops its own server", r.Name)
							r.Resource.Close()
							c.Session.Remove(r.Name)
						}
					}
					return shell.None, nil
				}
				r, ok := c.Session.Resource(c.Arg(0))
				if !ok || !isServer(r) {
					return nil, shell.Errorf("NameError", "no server named %s; `servers` lists them", shell.StrRepr(c.Arg(0)))
				}
				c.Python("# stop %s: the shell stops its own server", c.Arg(0))
				err := r.Close()
				c.Session.Remove(c.Arg(0))
				return shell.None, err
			},
		},
	}
}

func runServe(c *shell.Call) (any, error) {
	kind := strings.ToLower(c.Arg(0))
	var addrArg string
	switch kind {
	case "gopher":
		if c.NArg() < 2 {
			return nil, c.UsageError("serve gopher needs a DIR")
		}
		addrArg = c.Arg(2)
	default:
		if !isDemoKind(kind) {
			return nil, c.UsageError(fmt.Sprintf("no server kind %q; kinds are %s", c.Arg(0), strings.Join(serveKinds, ", ")))
		}
		if c.NArg() > 2 {
			return nil, c.UsageError("too many arguments")
		}
		addrArg = c.Arg(1)
	}
	udp := c.Has("udp")
	if kind != "gopher" && looksLikePath(addrArg) {
		if c.Has("tls") || c.Has("cert") || c.Has("key") {
			return nil, c.UsageError("serve --tls listens on TCP (HOST:PORT); a Unix socket server here is plain")
		}
		return runServeUnix(c, kind, addrArg, udp)
	}
	if kind == "gopher" && udp {
		return nil, c.UsageError("gopher runs over TCP only")
	}
	ap, err := listenAddr(c, addrArg, udp)
	if err != nil {
		return nil, err
	}
	tlsConf, err := serveTLS(c, udp)
	if err != nil {
		return nil, err
	}
	addr := ap.String()
	var srv *server
	if kind == "gopher" {
		srv, err = startGopher(c, c.Arg(1), ap, tlsConf)
	} else {
		srv, err = startDemo(c, kind, ap, udp, tlsConf)
	}
	if err != nil {
		return nil, listenError(addr, err)
	}
	name := c.Session.Register(kind, srv)
	if err := srv.registered(c.Session, name); err != nil {
		c.Session.Remove(name)
		return nil, fmt.Errorf("the %s server stopped as it started: %w", kind, err)
	}
	dir := ""
	if kind == "gopher" {
		dir = c.Arg(1)
	}
	noteServed(c.Session, servedServer{name: name, kind: kind, addr: srv.addr, udp: udp, dir: dir}) // for export python
	if why := bsd.PortPolicy(int(ap.Port())).Allowed(); why != "" {
		c.Note("%s", why)
	}
	if kind == "gopher" {
		noteHidden(c, name, dir)
	}
	if h, _, err := net.SplitHostPort(srv.addr); err == nil {
		if ip, err := netip.ParseAddr(h); err == nil && !ip.IsLoopback() {
			c.Note("%s listens beyond this machine (%s): anyone who can reach it may use it", name, h)
		}
	}
	// The server runs inside the shell, not in Python: a comment says so
	// rather than code that would stand for it.
	over := ""
	if udp {
		over = " UDP"
	}
	what := kind
	if kind == "gopher" {
		what = "gopher " + shell.StrRepr(c.Arg(1)) // quoted: a comment stays one line
	}
	if tlsConf != nil {
		over = " TLS"
	}
	c.Python("# serve %s: the shell's own%s %s server on %s", what, over, kind, srv.addr)
	if kind == "gopher" && tlsConf == nil {
		host, port, _ := net.SplitHostPort(srv.addr)
		c.Note("browse it with: gopher %s / %s", host, port)
	}
	proto := ""
	if udp {
		proto = " UDP"
	}
	if tlsConf != nil {
		proto = " TLS"
		noteTLSClients(c, srv.addr, !c.Has("cert"))
	}
	return shell.Repr{Text: fmt.Sprintf("%s  %s%s server on %s", name, kind, proto, srv.addr),
		JSON: map[string]any{"name": name, "kind": kind, "address": hostPortValue(srv.addr), "serves": srv.detail}}, nil
}

// noteHidden says, once, when the directory a gopher server serves holds
// hidden files or directories (a name starting with "."): the server
// neither lists nor serves them, so a learner who put one there is not
// surprised, and one who did not know it was there learns it is safe.
func noteHidden(c *shell.Call, name, dir string) {
	const maxSeen, maxShown = 10000, 3
	var hidden []string
	more, seen := false, 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		if seen++; seen > maxSeen {
			return filepath.SkipAll
		}
		if strings.HasPrefix(d.Name(), ".") {
			if len(hidden) < maxShown {
				rel, _ := filepath.Rel(dir, p)
				hidden = append(hidden, rel)
			} else {
				more = true
			}
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	if len(hidden) == 0 {
		return
	}
	list := strings.Join(hidden, ", ")
	if more {
		list += ", …"
	}
	c.Note("%s: the directory holds hidden files (%s); the server neither lists nor serves them (a selector with a part that starts with '.' is refused)", name, shell.SafeText(list))
}
