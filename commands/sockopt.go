// Socket options: getsockopt (one option, or a table of the common ones)
// and setsockopt, with options spelled as Python spells them.
package commands

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

var (
	// levelArg is an option level (SOL_SOCKET); it may be left out.
	levelArg = &shell.ArgKind{Name: "level",
		Complete: func(*shell.Session, string) []string {
			return []string{"SOL_SOCKET", "IPPROTO_TCP", "IPPROTO_IP", "IPPROTO_IPV6"}
		},
		Match: func(_ *shell.Session, w string) bool { return bsd.IsLevel(w) }}
	// optionArg is an option's name as Python spells the constant (SO_RCVBUF).
	optionArg = &shell.ArgKind{Name: "option", Complete: func(*shell.Session, string) []string {
		var out []string
		for _, o := range bsd.Options() {
			out = append(out, o.Name)
		}
		return out
	}}
)

func sockoptCommands() []*shell.Command {
	return []*shell.Command{
		{
			Name: "getsockopt", Group: groupSockets,
			Summary: "Read a socket option; with no OPTION, a table of the common options and what they mean.",
			Help: "OPTION is spelled as Python spells the constant (SO_REUSEADDR, SO_RCVBUF, TCP_NODELAY,\n" +
				"IP_TTL, …); level then name (SOL_SOCKET SO_RCVBUF) is accepted too. An option that does\n" +
				"not apply to the socket gives the kernel's error.",
			Python:   "s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)",
			Examples: []string{"getsockopt s1", "getsockopt s1 SO_RCVBUF", "getsockopt s1 SOL_SOCKET SO_TYPE"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg), shell.Opt("LEVEL", levelArg).Nested(shell.InNext), shell.Opt("OPTION", optionArg)},
			Run:      runGetsockopt,
		},
		{
			Name: "setsockopt", Group: groupSockets,
			Summary: "Set a socket option.",
			Help: "VALUE is an integer; on/off for flags; for SO_LINGER off or on,SECS; for\n" +
				"SO_RCVTIMEO/SO_SNDTIMEO seconds.",
			Python:   "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
			Examples: []string{"setsockopt s1 SO_REUSEADDR 1", "setsockopt s1 TCP_NODELAY on", "setsockopt s1 SOL_SOCKET SO_RCVBUF 65536"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg), shell.Opt("LEVEL", levelArg), shell.Req("OPTION", optionArg), shell.Req("VALUE", nil)},
			Run:      runSetsockopt,
		},
	}
}

func lookupOpt(args []string) (bsd.Option, error) {
	if len(args) == 2 {
		return bsd.LookupLevelOption(args[0], args[1])
	}
	return bsd.LookupOption(args[0])
}

// pyOptList is a list of options by level, written as Python source:
// [('SOL_SOCKET', ['SO_REUSEADDR', 'SO_RCVBUF']), ('IPPROTO_TCP', [...])].
type pyOptList struct {
	levels []string
	names  map[string][]string
}

func (l *pyOptList) add(o bsd.Option) {
	if l.names == nil {
		l.names = map[string][]string{}
	}
	lv := o.LevelName()
	if _, ok := l.names[lv]; !ok {
		l.levels = append(l.levels, lv)
	}
	l.names[lv] = append(l.names[lv], shell.StrRepr(o.Name))
}

func (l *pyOptList) source() string {
	parts := make([]string, len(l.levels))
	for i, lv := range l.levels {
		parts[i] = fmt.Sprintf("(%s, [%s])", shell.StrRepr(lv), strings.Join(l.names[lv], ", "))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func pyOpt(o bsd.Option) string {
	if o.Name != "" && o.Name[0] >= 'A' && o.Name[0] <= 'Z' {
		return "socket." + o.LevelName() + ", socket." + o.Name
	}
	return "socket." + o.LevelName() + ", " + o.Name
}

func runGetsockopt(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	defer traceSock(c, s)()
	if c.NArg() == 1 {
		rows := &shell.Rows{Header: []string{"option", "level", "value", "meaning"}}
		var read pyOptList // the options read without error, for the Python line
		for _, o := range bsd.Options() {
			if !o.AppliesTo(s.Family(), s.Type()) {
				continue
			}
			v, err := s.GetSockOpt(o)
			val := ""
			var typed any // what Python's getsockopt returns; None when it failed
			if err != nil {
				val = shell.Classify(err).Error()
				if i := strings.Index(val, "] "); i >= 0 {
					val = "error: " + val[i+2:]
				}
			} else {
				read.add(o)
				typed = v.Python()
				val = v.Describe()
				if d := v.String(); d != val && o.Kind != bsd.TimevalKind && !strings.HasPrefix(val, d) {
					val = d + " (" + val + ")"
				}
			}
			rows.Append(o.Name, o.LevelName(), shell.Shown{Text: val, Value: typed}, o.Meaning)
		}
		c.Python("{opt: %s.getsockopt(getattr(socket, level), getattr(socket, opt)) for level, opts in %s for opt in opts}", name, read.source())
		return rows, nil
	}
	opt, err := lookupOpt(c.Texts(1))
	if err != nil {
		return nil, err
	}
	if opt.Kind == bsd.CredKind {
		return getPeerCred(c, s, name, opt)
	}
	c.Python("%s.getsockopt(%s)", name, pyOpt(opt))
	v, err := s.GetSockOpt(opt)
	if err != nil {
		return nil, err
	}
	if d := v.Describe(); d != v.String() {
		c.Note("%s: %s", opt.Name, d)
	}
	return v.Python(), nil
}

func runSetsockopt(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	args := c.Texts(1)
	value := args[len(args)-1]
	opt, err := lookupOpt(args[:len(args)-1])
	if err != nil {
		return nil, err
	}
	defer traceSock(c, s)()
	if err := s.SetSockOpt(opt, value); err != nil {
		var be *bsd.Error
		if errors.As(err, &be) && be.Class == "ValueError" {
			return nil, err // refused before any call: no Python line to show
		}
		pySetsockopt(c, name, opt, value)
		return nil, err
	}
	pySetsockopt(c, name, opt, value)
	return shell.None, nil
}

// pySetsockopt records the setsockopt line, after `import struct` when the
// value is a packed struct (struct linger, struct timeval).
func pySetsockopt(c *shell.Call, name string, opt bsd.Option, value string) {
	v := pyOptValue(opt, value)
	if strings.HasPrefix(v, "struct.") {
		c.Python("import struct")
	}
	c.Python("%s.setsockopt(%s, %s)", name, pyOpt(opt), v)
}

func pyOptValue(o bsd.Option, v string) string {
	switch strings.ToLower(v) {
	case "on", "true", "yes":
		return "1"
	case "off", "false", "no":
		if o.Kind == bsd.LingerKind {
			return "struct.pack('ii', 0, 0)"
		}
		return "0"
	}
	switch o.Kind {
	case bsd.LingerKind:
		l := strings.NewReplacer("on", "1", "off", "0").Replace(strings.ToLower(v))
		parts := strings.FieldsFunc(l, func(r rune) bool {
			return r == ',' || r == ' ' || r == '(' || r == ')'
		})
		if len(parts) == 1 {
			parts = append(parts, "0")
		}
		return "struct.pack('ii', " + strings.Join(parts, ", ") + ")"
	case bsd.TimevalKind:
		d, none, err := shell.ParseSeconds(v)
		if err != nil || none {
			return "struct.pack('ll', 0, 0)"
		}
		return fmt.Sprintf("struct.pack('ll', %d, %d)", d/time.Second, (d%time.Second)/time.Microsecond)
	}
	return v
}

// getPeerCred is getsockopt SOCK SO_PEERCRED: the struct's bytes, as
// Python returns them when asked for its size, and beside them the
// struct decoded.
func getPeerCred(c *shell.Call, s *bsd.Socket, name string, opt bsd.Option) (any, error) {
	c.Python("%s.getsockopt(%s, 12)", name, pyOpt(opt))
	v, err := s.GetSockOpt(opt)
	if err != nil {
		return nil, err
	}
	cr := v.Cred
	what := "the peer"
	if cr.Pid == int64(os.Getpid()) {
		what = "the peer (this very process: sockshell)"
	}
	if cr.Pid == 0 {
		what = "no peer (the socket is not connected): the kernel fills in pid 0 and (uid_t)-1"
	}
	c.Note("struct ucred: pid %d, uid %d, gid %d: %s (struct.unpack('iII', …) reads them)", cr.Pid, cr.Uid, cr.Gid, what)
	return shell.Shown{Text: shell.BytesRepr(cr.Raw), Value: map[string]any{"bytes": cr.Raw, "pid": cr.Pid, "uid": cr.Uid, "gid": cr.Gid}}, nil
}
