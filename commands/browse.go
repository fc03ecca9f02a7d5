// The gopher client commands: gopher, go, back. The connection is a real
// registry socket while the fetch runs, so sockname/peername work on it.
// Beside this file (the table and browsing): fetch.go (one fetch and its
// errors), menu.go (a menu as a table), download.go (saving to a file).
package commands

import (
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/gopher"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// gopherState is the browsing history of a session.
type gopherState struct {
	history []gopher.Target // pages visited, the current one last
	menu    *gopher.Menu    // the last menu shown
}

// browsing is the session's gopherState.
var browsing = shell.NewStateKey("gopher", func() gopherState { return gopherState{} })

func gopherCommands() []*shell.Command {
	flags := []shell.Flag{
		{Name: "raw", Help: "also show the exact bytes sent and received (tabs and CRLF visible)"},
		{Name: "out", Value: true, Meta: "FILE", Help: "save the reply to FILE, streamed in constant memory", Kind: shell.FileArg},
		{Name: "query", Value: true, Meta: "TEXT", Help: "the search string for a type 7 (search) item"},
		forceFlag, keepPartialFlag,
	}
	return []*shell.Command{
		{
			Name: "gopher", Group: groupGopher,
			Summary: "Fetch a gopher selector (RFC 1436): a menu prints as a numbered table, a text as text.",
			Help: "Port 70 by default; HOST:PORT (or [IPV6]:PORT), the form `serve` prints, gives the port\n" +
				"with the host. Without a URL the item type is guessed from the selector (none or\n" +
				"a trailing / is a menu; a file extension tells the rest). Binary items are saved to a\n" +
				"file named after the selector (made safe: no '/', no leading '.' or '-'; NAME.1 and so on\n" +
				"if NAME exists), or to --out FILE. A download goes to a temporary file renamed at the\n" +
				"end: a failed fetch leaves no half file and never touches an existing one (--force\n" +
				"replaces --out FILE on success). `go N` follows item N of the menu (an item whose\n" +
				"port or host field is not one is marked invalid, and refused); `back` returns.\n" +
				"Errors are classified: name resolution, connection refused, timeout, reset, an error\n" +
				"item from the server, a selector that does not exist.",
			Python:   "s = socket.create_connection((host, 70)); s.sendall(selector.encode() + b'\\r\\n'); reply = b''.join(iter(lambda: s.recv(4096), b''))",
			Examples: []string{"gopher localhost / 7070", "gopher 127.0.0.1:7070 /sockets.txt", "gopher gopher://localhost:7070/0/sockets.txt", "gopher localhost sockets.txt 7070 --raw"},
			Forms: [][]shell.Arg{
				{shell.Req("HOST", hostArg), shell.Opt("SELECTOR", nil), shell.Opt("PORT", portArg)},
				{shell.Req("HOST:PORT", nil), shell.Opt("SELECTOR", nil)},
				{shell.Req("gopher://HOST[:PORT]/TYPE/SELECTOR", nil)},
			},
			Flags: flags,
			Run:   runGopher,
		},
		{
			Name: "go", Group: groupGopher,
			Summary:  "Follow item N of the last gopher menu.",
			Examples: []string{"go 2", "go 5 --query socket"},
			Args:     []shell.Arg{shell.Req("N", nil), shell.OptFlag("query")},
			Flags:    flags,
			Run: func(c *shell.Call) (any, error) {
				st := browsing.Get(c.Session)
				if st.menu == nil {
					return nil, shell.Errorf("UsageError", "no gopher menu yet; fetch one with: gopher HOST")
				}
				n, err := strconv.Atoi(c.Arg(0))
				items := selectable(st.menu)
				if len(items) == 0 {
					return nil, shell.Errorf("IndexError", "no item %s: the menu has no items to follow", shell.StrRepr(c.Arg(0)))
				}
				if err != nil || n < 1 || n > len(items) {
					return nil, shell.Errorf("IndexError", "no item %s: the menu has items 1 to %d", shell.StrRepr(c.Arg(0)), len(items))
				}
				if field, value, why := items[n-1].Invalid(); field != "" {
					return nil, shell.Errorf("ValueError", "item %d cannot be followed: %s", n, invalidField(field, value, why))
				}
				return fetchTarget(c, items[n-1].Target(), true)
			},
		},
		{
			Name: "back", Group: groupGopher,
			Summary:  "Go back to the previous gopher page.",
			Examples: []string{"back"},
			Run: func(c *shell.Call) (any, error) {
				st := browsing.Get(c.Session)
				if len(st.history) < 2 {
					return nil, shell.Errorf("UsageError", "no previous gopher page")
				}
				prev := st.history[len(st.history)-2]
				v, err := fetchTarget(c, prev, false)
				if err == nil {
					// Only a page shown leaves the current one behind: a
					// failed `back` keeps the history for another try.
					browsing.With(c.Session, func(st *gopherState) { st.history = st.history[:len(st.history)-1] })
				}
				return v, err
			},
		},
	}
}

// selectable lists the menu items `go N` numbers: every item but info lines.
func selectable(m *gopher.Menu) []gopher.Item {
	var out []gopher.Item
	for _, it := range m.Items {
		if !isInfo(it) {
			out = append(out, it)
		}
	}
	return out
}

func runGopher(c *shell.Call) (any, error) {
	t, err := gopherTarget(c)
	if err != nil {
		return nil, err
	}
	v, err := fetchTarget(c, t, true)
	if err != nil && c.NArg() == 2 && !strings.Contains(c.Arg(0), ":") && looksLikePort(c.Arg(1)) {
		// `gopher HOST 7070`: the port went out as the selector, to port 70.
		e := shell.Classify(err)
		if e.Class != "UsageError" {
			hint := fmt.Sprintf("%s went to port %d as the SELECTOR: a port comes third (gopher %s / %s) or after a colon (gopher %s)",
				shell.StrRepr(c.Arg(1)), t.Port, c.Arg(0), c.Arg(1), net.JoinHostPort(t.Host, c.Arg(1)))
			if e.Hint != "" {
				hint = e.Hint + "; " + hint
			}
			e.Hint = hint
			return nil, e
		}
	}
	return v, err
}

// looksLikePort reports whether s is a port number, 1 to 65535.
func looksLikePort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535 && s[0] != '+' && s[0] != '-'
}

// gopherTarget reads what `gopher` is asked to fetch: a gopher:// URL, or
// HOST [SELECTOR] [PORT] where HOST may carry the port itself, as
// HOST:PORT or [IPV6]:PORT (the form `serve` prints).
func gopherTarget(c *shell.Call) (gopher.Target, error) {
	arg := c.Arg(0)
	if scheme, rest, ok := strings.Cut(arg, "://"); ok {
		if !strings.EqualFold(scheme, "gopher") {
			authority, _, _ := strings.Cut(rest, "/")
			e := shell.Errorf("ValueError", "%s is not a gopher:// URL: its scheme is %s", shell.StrRepr(arg), shell.StrRepr(scheme))
			e.Hint = "this command speaks only gopher; for a gopher server at that address: gopher gopher://" + authority + "/"
			return gopher.Target{}, e
		}
		if c.NArg() > 1 {
			return gopher.Target{}, c.UsageError("a URL says everything; no SELECTOR or PORT after it")
		}
		t, err := gopher.ParseURL(arg)
		if err != nil {
			return gopher.Target{}, shell.Errorf("ValueError", "%v", err)
		}
		return t, nil
	}
	if authority, sel, ok := strings.Cut(arg, "/"); ok {
		e := c.UsageError(fmt.Sprintf("HOST %s has a '/', which no host name has", shell.StrRepr(arg)))
		// What follows the '/' may be meant as a URL's path, whose first
		// character is the item type (RFC 4266), not part of the selector.
		e.Hint = "the selector is a word of its own, after the host: gopher " + authority + " /" + sel +
			"; or write the URL gopher://" + arg + ", where the first character after the '/' is the item type, not part of the selector"
		return gopher.Target{}, e
	}
	host, portText, hasPort, err := splitGopherHost(arg)
	if err != nil {
		return gopher.Target{}, c.UsageError(err.Error())
	}
	t := gopher.Target{Host: host, Port: gopher.DefaultPort, Selector: c.Arg(1)}
	if c.NArg() == 3 {
		if hasPort {
			return gopher.Target{}, c.UsageError(fmt.Sprintf("the port is given twice, in %s and as %s", shell.StrRepr(arg), shell.StrRepr(c.Arg(2))))
		}
		portText, hasPort = c.Arg(2), true
	}
	if hasPort {
		p, err := resolvePort(c, portText, unix.SOCK_STREAM)
		if err != nil {
			if c.NArg() == 3 && looksLikePort(c.Arg(1)) && !looksLikePort(c.Arg(2)) {
				// `gopher HOST 7070 /`: the two swapped.
				e := shell.Classify(err)
				e.Hint = fmt.Sprintf("the SELECTOR comes second and the PORT third: gopher %s %s %s", arg, c.Arg(2), c.Arg(1))
				return gopher.Target{}, e
			}
			return gopher.Target{}, err
		}
		if p == 0 {
			return gopher.Target{}, c.UsageError("PORT 0 is no server's port")
		}
		t.Port = p
	}
	t.Type = guessType(t.Selector)
	return t, nil
}

// splitGopherHost splits HOST, HOST:PORT, [IPV6] or [IPV6]:PORT; a bare
// IPv6 address (two colons or more) is a host without a port.
func splitGopherHost(arg string) (host, port string, hasPort bool, err error) {
	switch {
	case strings.HasPrefix(arg, "["):
		end := strings.IndexByte(arg, ']')
		if end < 0 {
			return "", "", false, fmt.Errorf("HOST %s lacks the ']' that closes an IPv6 address", shell.StrRepr(arg))
		}
		host, rest := arg[1:end], arg[end+1:]
		if rest == "" {
			return host, "", false, nil
		}
		if rest[0] != ':' {
			return "", "", false, fmt.Errorf("HOST %s has %s after the IPv6 address, where only :PORT may be", shell.StrRepr(arg), shell.StrRepr(rest))
		}
		port, hasPort = rest[1:], true
		if host == "" {
			return "", "", false, fmt.Errorf("HOST %s has no address between the brackets", shell.StrRepr(arg))
		}
		if port == "" {
			return "", "", false, fmt.Errorf("HOST %s has no port after its ':'", shell.StrRepr(arg))
		}
		return host, port, true, nil
	case strings.Count(arg, ":") == 1:
		host, port, _ = strings.Cut(arg, ":")
		if host == "" {
			return "", "", false, fmt.Errorf("HOST %s has no host before its ':'", shell.StrRepr(arg))
		}
		if port == "" {
			return "", "", false, fmt.Errorf("HOST %s has no port after its ':'", shell.StrRepr(arg))
		}
		return host, port, true, nil
	}
	if arg == "" {
		return "", "", false, errors.New("HOST is empty")
	}
	return arg, "", false, nil
}

// guessType picks an item type for a bare selector.
func guessType(sel string) byte {
	if sel == "" || strings.HasSuffix(sel, "/") {
		return '1'
	}
	if t, ok := gopher.TypeForName(sel); ok {
		return t
	}
	if path.Ext(sel) == "" {
		return '1'
	}
	return '0'
}
