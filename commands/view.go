// The live page of the session: `view` serves it (commands/classroom),
// `view off` stops it, `view --snapshot FILE.html` writes it as one file.
// This file is the glue: the session's events, through a subscription,
// and the registry's rows, read from the sockets and servers themselves,
// become the page's model.
package commands

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/classroom"
	"github.com/sockshell/sockshell/commands/sockdiag"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
	"golang.org/x/sys/unix"
)

// viewPollEvery is how often the registry is read between events, so the
// page shows what the kernel changes while no command runs (a peer's FIN,
// data arriving).
const viewPollEvery = 500 * time.Millisecond

// viewSubscription is the room for events the page has not taken yet.
const viewSubscription = 4096

// viewRun is the page being served.
type viewRun struct {
	srv  *classroom.Server
	hub  *classroom.Hub
	stop chan struct{}
	done chan struct{}
}

var viewKey = shell.NewStateKey("view", func() *viewRun { return nil })

// xdgOpen is where Debian and most systems install xdg-open: looked for
// there, not along $PATH (only cmd/sockshell reads the environment).
var xdgOpen = []string{"/usr/bin/xdg-open", "/usr/local/bin/xdg-open", "/bin/xdg-open"}

// viewOpener opens a URL in the user's browser; a test replaces it.
var viewOpener = func(url string) error {
	path := ""
	for _, p := range xdgOpen {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
			path = p
			break
		}
	}
	if path == "" {
		return fmt.Errorf("no xdg-open (%s) to open a browser with; open the URL yourself", strings.Join(xdgOpen, ", "))
	}
	cmd := exec.Command(path, url)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

var viewAddrArg = &shell.ArgKind{Name: "address", Complete: func(*shell.Session, string) []string {
	return []string{"127.0.0.1:0", "[::1]:0", "off"}
}}

func viewCommands() []*shell.Command {
	return []*shell.Command{{
		Name: "view", Group: shell.GroupShell,
		Summary: "Serve a live, read-only web page of the session, for a projector (127.0.0.1, a free port, by default).",
		HelpFunc: func() string {
			return wrapText("The page shows, as the session goes on: every socket and server (family, type, addresses, "+
				"state, bytes out and in, data waiting); for each TCP socket RFC 9293's state diagram with its current "+
				"state lit and the path it took (states from the kernel, its TCP_INFO and, after close or when TCP_INFO "+
				"reads CLOSE, its TCP table; and from the calls that completed: a connect() went through SYN-SENT); the session as a sequence diagram, the commands down the side and "+
				"the socket events (the packets, when the wire view reports them) as arrows between this shell and the "+
				"peer; and the last command with its Python and its result. Changes are pushed to the browser "+
				"(Server-Sent Events); a browser that reconnects gets the whole state again. ?big in the URL makes the "+
				"type larger. Every asset is in the binary: the page loads nothing from anywhere. No request can run "+
				"a command.", 80) + "\n\n" +
				wrapText("Bound beyond loopback (0.0.0.0:8000) the page is visible to the network: it then requires "+
					"the random token printed with its URL (?token=), and refuses a wrong one (403); --token requires "+
					"one on loopback too (on a machine others log in to). `view` while it runs says where it is; "+
					"`view off` stops it; `view --snapshot FILE.html` writes the page as it is now as one "+
					"self-contained file (never over an existing one without --force).", 80)
		},
		Python:   "http.server.ThreadingHTTPServer((host, port), handler).serve_forever()",
		Examples: []string{"view", "view --open", "view 0.0.0.0:8000", "view --snapshot class.html", "view off"},
		Forms: [][]shell.Arg{
			{shell.Lit("off")},
			{shell.Opt("HOST:PORT", viewAddrArg), shell.OptFlag("open"), shell.OptFlag("token")},
			{shell.FlagHere("snapshot"), shell.OptFlag("force")},
		},
		Flags: []shell.Flag{
			{Name: "open", Help: "open the page in the browser (xdg-open)"},
			{Name: "token", Help: "require the random token on loopback too (beyond loopback it always is)"},
			{Name: "snapshot", Value: true, Meta: "FILE", Kind: shell.FileArg, Help: "write the page as it is now to FILE, one self-contained HTML file"},
			{Name: "force", Help: "with --snapshot: replace FILE if it exists, or a symbolic link there (never followed)"},
		},
		Run: runView,
	}}
}

func runView(c *shell.Call) (any, error) {
	if file, ok := c.Flag("snapshot"); ok {
		if c.NArg() > 0 || c.Has("open") || c.Has("token") {
			return nil, c.UsageError("--snapshot writes a file: give it no address, --open or --token")
		}
		return viewSnapshot(c, file)
	}
	if c.Has("force") {
		return nil, c.UsageError("--force goes with --snapshot FILE")
	}
	run := viewKey.Get(c.Session)
	if c.Form() == 0 { // view off
		if run == nil {
			c.Note("the page is not being served; start it with: view")
			return shell.None, nil
		}
		c.Python("# view off: the shell stops serving its page")
		viewKey.With(c.Session, func(v **viewRun) { *v = nil })
		return shell.None, run.close()
	}
	if run != nil {
		if c.NArg() > 0 {
			return nil, shell.Errorf("UsageError", "the page is served already at %s; `view off` first to serve it elsewhere", run.srv.URL())
		}
		return viewResult(c, run.srv, "already served at"), viewOpen(c, run.srv)
	}
	arg := c.Arg(0)
	if strings.ContainsRune(arg, '/') || strings.HasSuffix(strings.ToLower(arg), ".html") {
		return nil, c.UsageError(fmt.Sprintf("%s looks like a file: `view --snapshot %s` writes the page to a file; `view HOST:PORT` serves it", shell.StrRepr(arg), arg))
	}
	ap, err := listenAddr(c, arg, false)
	if err != nil {
		return nil, err
	}
	if err := allowTarget(c, "serve", ap.Addr().Unmap(), int(ap.Port())); err != nil {
		return nil, err // refused by set allow: nothing bound
	}
	run, err = startView(c.Session, ap, c.Has("token"))
	if err != nil {
		return nil, listenError(ap.String(), err)
	}
	viewKey.With(c.Session, func(v **viewRun) { *v = run })
	c.Python("# view: the shell's own page of this session at %s", strings.SplitN(run.srv.URL(), "?", 2)[0])
	if run.srv.Network() {
		c.Note("the page is visible to the network (%s): anyone who has the URL with its token can read this session", ap.Addr())
	}
	return viewResult(c, run.srv, "served at"), viewOpen(c, run.srv)
}

// viewResult says where the page is.
func viewResult(c *shell.Call, srv *classroom.Server, how string) shell.Repr {
	var addr any = srv.Addr().String()
	if ap, err := netip.ParseAddrPort(srv.Addr().String()); err == nil {
		addr = shell.Tuple{ap.Addr().String(), int(ap.Port())}
	}
	return shell.Repr{Text: "view  the page is " + how + " " + srv.URL(),
		JSON: map[string]any{"url": srv.URL(), "address": addr, "token": srv.Token(), "network": srv.Network()}}
}

// viewOpen opens the page in the browser when --open asks for it.
func viewOpen(c *shell.Call, srv *classroom.Server) error {
	if !c.Has("open") {
		return nil
	}
	if err := viewOpener(srv.URL()); err != nil {
		return shell.Errorf("OSError", "the page is served at %s, but no browser opened: %v", srv.URL(), err)
	}
	return nil
}

// startView listens at ap and serves the page of sess's events from the
// first one the log keeps.
func startView(sess *shell.Session, ap netip.AddrPort, token bool) (*viewRun, error) {
	ln, err := net.Listen(listenNetwork(ap.Addr(), false), ap.String())
	if err != nil {
		return nil, err
	}
	hub := newViewHub(sess, ln.Addr().String(), classroom.Visible(ap.Addr()))
	// Subscribed before reading the log: an event between the two is in
	// both, and the hub takes it once (by its Seq).
	sub := sess.Events().Subscribe(viewSubscription, nil)
	hub.Add(pageEvents(sess.Events().Recent(0))...)
	run := &viewRun{srv: classroom.Serve(ln, hub, token), hub: hub, stop: make(chan struct{}), done: make(chan struct{})}
	go run.follow(sub)
	return run, nil
}

// newViewHub is a page model of sess's registry.
func newViewHub(sess *shell.Session, addr string, network bool) *classroom.Hub {
	return classroom.NewHub(classroom.Options{Poll: func() []classroom.Row { return registryRows(sess) },
		Started: sess.Started(), Address: addr, Network: network, Lookup: kernelState})
}

// follow hands the hub the session's events as they come, a burst at a
// time, and reads the registry between them.
func (r *viewRun) follow(sub *shell.Subscription) {
	defer close(r.done)
	defer sub.Close()
	tick := time.NewTicker(viewPollEvery)
	defer tick.Stop()
	for {
		select {
		case e := <-sub.C():
			evs := append([]shell.Event{e}, sub.Pending()...)
			r.hub.Add(pageEvents(evs)...)
			r.hub.SetMissed(sub.Dropped())
		case <-tick.C:
			r.hub.Refresh()
		case <-r.stop:
			return
		}
	}
}

func (r *viewRun) close() error {
	close(r.stop)
	<-r.done
	return r.srv.Close()
}

// pageEvents are the session's events as the page's: their fields as
// their JSON documents have them.
func pageEvents(evs []shell.Event) []classroom.Event {
	out := make([]classroom.Event, 0, len(evs))
	for _, e := range evs {
		var fields map[string]any
		json.Unmarshal(shell.EventJSON(e), &fields)
		for _, k := range []string{"event", "time", "resource", "message"} {
			delete(fields, k)
		}
		out = append(out, classroom.Event{Seq: e.Seq, Time: e.Time, Kind: string(e.Kind),
			Resource: e.Resource, Label: e.Label, Message: e.Message, Fields: fields})
	}
	return out
}

// registryRows reads every socket and server of the session now: a
// socket's state from the kernel (TCP_INFO), its addresses, counters and
// what waits in its queue.
func registryRows(sess *shell.Session) []classroom.Row {
	var rows []classroom.Row
	for _, r := range sess.Resources() {
		switch x := r.Resource.(type) {
		case *bsd.Socket:
			in := x.Info()
			if in.FD < 0 {
				continue // closed: the hub keeps its last row
			}
			row := classroom.Row{Name: r.Name, Kind: "socket", Family: bsd.FamilyName(in.Family), Type: bsd.TypeName(in.Type),
				State: in.State, Notes: strings.Join(stateNotes(x), "; "), BytesOut: in.Sent, BytesIn: in.Received,
				Waiting: x.Waiting(), TCP: in.Type == unix.SOCK_STREAM && in.Proto == unix.IPPROTO_TCP}
			if in.HasLocal {
				row.Local = addrText(in.Local)
			}
			if in.HasRemote {
				row.Remote = addrText(in.Remote)
			}
			rows = append(rows, row)
		case *server:
			row := classroom.Row{Name: r.Name, Kind: "server", Type: x.kind + " server", State: "serving", Local: x.addr}
			switch ap, err := netip.ParseAddrPort(x.addr); {
			case err == nil && ap.Addr().Is6():
				row.Family = "AF_INET6"
			case err == nil:
				row.Family = "AF_INET"
			case strings.HasPrefix(x.addr, "/") || strings.HasPrefix(x.addr, "@"):
				row.Family = "AF_UNIX" // a path, or an abstract name
			}
			switch {
			case x.conns != nil:
				row.Detail = count(x.conns(), "connection")
			case x.grams != nil:
				row.Detail = count(x.grams(), "datagram")
			}
			rows = append(rows, row)
		default:
			rows = append(rows, classroom.Row{Name: r.Name, Kind: "resource"})
		}
	}
	return rows
}

// viewSnapshot writes the page as it is now to file: the served page's
// model when it runs, else one made from the session's log and registry.
func viewSnapshot(c *shell.Call, file string) (any, error) {
	var st classroom.State
	if run := viewKey.Get(c.Session); run != nil {
		run.hub.Refresh()
		st = run.hub.State()
	} else {
		hub := newViewHub(c.Session, "", false)
		hub.Add(pageEvents(c.Session.Events().Recent(0))...)
		st = hub.State()
	}
	st.Address, st.Network = "", false // a file handed out is nobody's address
	o := fileio.Options{}
	if c.Has("force") {
		o.Policy = fileio.Force
	}
	mode := "mode 'x': never over an existing file"
	if c.Has("force") {
		mode = "mode 'w': over an existing file"
	}
	c.Python("# view --snapshot: the shell writes its own page of this session to %s (%s)", shell.StrRepr(file), mode)
	f, err := fileio.Create(c.Ctx, file, o)
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	page := classroom.Page(st, false)
	if _, err := f.Write(page); err != nil {
		return nil, err
	}
	written, err := f.Commit()
	if err != nil {
		return nil, err
	}
	return shell.Repr{Text: fmt.Sprintf("view  the page as it is now, in %s (%s)", written, count(len(page), "byte")),
		JSON: map[string]any{"file": file, "bytes": len(page)}}, nil
}

// kernelState is the page's question to the kernel's socket table: the
// state of the connection local → remote, asked as the watcher asks it
// (netlink sock_diag, commands/sockdiag), or classroom.ErrNotInTable.
func kernelState(local, remote netip.AddrPort) (string, error) {
	e, err := sockdiag.Lookup(local, remote)
	if errors.Is(err, sockdiag.ErrNotFound) {
		return "", classroom.ErrNotInTable
	}
	if err != nil {
		return "", err
	}
	return bsd.TCPStateName(e.State), nil
}
