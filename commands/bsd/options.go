// This file holds the socket option table, as Python spells the options,
// and getsockopt/setsockopt on it.

package bsd

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sockshell/sockshell/shell/pyerr"
	"golang.org/x/sys/unix"
)

// Kind is how an option's value is laid out and shown.
type Kind int

const (
	IntKind     Kind = iota // an int: a size, a count, seconds, …
	BoolKind                // an int used as a flag: 0 or 1
	LingerKind              // struct linger {l_onoff, l_linger}
	TimevalKind             // struct timeval: a duration, 0 meaning none
	TypeKind                // an int naming a socket type (SOCK_STREAM)
	FamilyKind              // an int naming an address family (AF_INET)
	ProtoKind               // an int naming a protocol (IPPROTO_TCP)
	ErrnoKind               // an int holding an errno (SO_ERROR)
	CredKind                // struct ucred {pid, uid, gid} (SO_PEERCRED)
)

// Option is one socket option: its names, where it lives, its value kind,
// which sockets it applies to and what it means.
type Option struct {
	Name     string // as Python spells it: "SO_REUSEADDR"
	Level    int    // unix.SOL_SOCKET, unix.IPPROTO_TCP, unix.IPPROTO_IP, unix.IPPROTO_IPV6
	Number   int    // the option number at that level
	Kind     Kind
	Family   int  // 0, or the only family it applies to (unix.AF_INET, unix.AF_INET6)
	SockType int  // 0, or the only socket type it applies to (unix.SOCK_STREAM, unix.SOCK_DGRAM)
	ReadOnly bool // the kernel refuses setsockopt
	Meaning  string
}

// LevelName returns the option's level as Python spells it: "SOL_SOCKET".
func (o Option) LevelName() string { return LevelName(o.Level) }

// AppliesTo reports whether the option means something on a socket of this
// family and type; the getsockopt table lists only those. (The kernel may
// still answer for others, or refuse with ENOPROTOOPT.)
func (o Option) AppliesTo(family, sotype int) bool {
	if o.Level == unix.IPPROTO_TCP && family != unix.AF_INET && family != unix.AF_INET6 {
		return false // a Unix stream socket is SOCK_STREAM too, and no TCP
	}
	return (o.Family == 0 || o.Family == family) && (o.SockType == 0 || o.SockType == sotype)
}

var options = []Option{
	{"SO_REUSEADDR", unix.SOL_SOCKET, unix.SO_REUSEADDR, BoolKind, 0, 0, false, "bind may reuse an address a closed connection left in TIME_WAIT (on Linux, when that connection's socket had it set too)"},
	{"SO_REUSEPORT", unix.SOL_SOCKET, unix.SO_REUSEPORT, BoolKind, 0, 0, false, "several sockets may bind the same address and port; the kernel spreads the load"},
	{"SO_KEEPALIVE", unix.SOL_SOCKET, unix.SO_KEEPALIVE, BoolKind, 0, unix.SOCK_STREAM, false, "send keepalive probes on an idle connection"},
	{"SO_BROADCAST", unix.SOL_SOCKET, unix.SO_BROADCAST, BoolKind, 0, unix.SOCK_DGRAM, false, "allow sending to a broadcast address"},
	{"SO_RCVBUF", unix.SOL_SOCKET, unix.SO_RCVBUF, IntKind, 0, 0, false, "receive buffer size in bytes (the kernel doubles what you set)"},
	{"SO_SNDBUF", unix.SOL_SOCKET, unix.SO_SNDBUF, IntKind, 0, 0, false, "send buffer size in bytes (the kernel doubles what you set)"},
	{"SO_LINGER", unix.SOL_SOCKET, unix.SO_LINGER, LingerKind, 0, unix.SOCK_STREAM, false, "what close does with unsent data: on,0 resets the connection"},
	{"SO_TYPE", unix.SOL_SOCKET, unix.SO_TYPE, TypeKind, 0, 0, true, "the socket type (read-only)"},
	{"SO_ERROR", unix.SOL_SOCKET, unix.SO_ERROR, ErrnoKind, 0, 0, true, "the pending error, cleared by reading it (read-only)"},
	{"SO_RCVLOWAT", unix.SOL_SOCKET, unix.SO_RCVLOWAT, IntKind, 0, 0, false, "bytes that must be queued before a recv wakes up"},
	{"SO_SNDLOWAT", unix.SOL_SOCKET, unix.SO_SNDLOWAT, IntKind, 0, 0, false, "free send buffer before send wakes up (fixed at 1 on Linux)"},
	{"SO_RCVTIMEO", unix.SOL_SOCKET, unix.SO_RCVTIMEO, TimevalKind, 0, 0, false, "kernel timeout of a blocking receive, seconds (0: none)"},
	{"SO_SNDTIMEO", unix.SOL_SOCKET, unix.SO_SNDTIMEO, TimevalKind, 0, 0, false, "kernel timeout of a blocking send, seconds (0: none)"},
	{"SO_ACCEPTCONN", unix.SOL_SOCKET, unix.SO_ACCEPTCONN, BoolKind, 0, unix.SOCK_STREAM, true, "whether the socket is listening (read-only)"},
	{"SO_DOMAIN", unix.SOL_SOCKET, unix.SO_DOMAIN, FamilyKind, 0, 0, true, "the address family (read-only)"},
	{"SO_PROTOCOL", unix.SOL_SOCKET, unix.SO_PROTOCOL, ProtoKind, 0, 0, true, "the protocol (read-only)"},
	{"SO_OOBINLINE", unix.SOL_SOCKET, unix.SO_OOBINLINE, BoolKind, 0, unix.SOCK_STREAM, false, "urgent (out-of-band) data arrives inline with normal data"},
	{"SO_PRIORITY", unix.SOL_SOCKET, unix.SO_PRIORITY, IntKind, 0, 0, false, "queueing priority of outgoing packets (0-6 without privileges)"},
	{"SO_DONTROUTE", unix.SOL_SOCKET, unix.SO_DONTROUTE, BoolKind, 0, 0, false, "send only to directly connected hosts, bypassing routing"},
	{"SO_PEERCRED", unix.SOL_SOCKET, unix.SO_PEERCRED, CredKind, unix.AF_UNIX, 0, true, "the peer process's pid, uid and gid as they were at connect or socketpair (read-only)"},

	{"TCP_NODELAY", unix.IPPROTO_TCP, unix.TCP_NODELAY, BoolKind, 0, unix.SOCK_STREAM, false, "send small segments at once (turn off Nagle's algorithm)"},
	{"TCP_MAXSEG", unix.IPPROTO_TCP, unix.TCP_MAXSEG, IntKind, 0, unix.SOCK_STREAM, false, "maximum segment size in bytes"},
	{"TCP_KEEPIDLE", unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, IntKind, 0, unix.SOCK_STREAM, false, "idle seconds before the first keepalive probe"},
	{"TCP_KEEPINTVL", unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, IntKind, 0, unix.SOCK_STREAM, false, "seconds between keepalive probes"},
	{"TCP_KEEPCNT", unix.IPPROTO_TCP, unix.TCP_KEEPCNT, IntKind, 0, unix.SOCK_STREAM, false, "unanswered probes before the connection is dropped"},
	{"TCP_CORK", unix.IPPROTO_TCP, unix.TCP_CORK, BoolKind, 0, unix.SOCK_STREAM, false, "hold back partial segments until uncorked (or 200 ms)"},
	{"TCP_QUICKACK", unix.IPPROTO_TCP, unix.TCP_QUICKACK, BoolKind, 0, unix.SOCK_STREAM, false, "acknowledge at once instead of delaying ACKs (not permanent)"},
	{"TCP_USER_TIMEOUT", unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, IntKind, 0, unix.SOCK_STREAM, false, "milliseconds unacknowledged data may wait before the connection is dropped (0: no such limit; the retransmission count decides)"},
	{"TCP_SYNCNT", unix.IPPROTO_TCP, unix.TCP_SYNCNT, IntKind, 0, unix.SOCK_STREAM, false, "SYN retransmits before connect gives up"},
	{"TCP_LINGER2", unix.IPPROTO_TCP, unix.TCP_LINGER2, IntKind, 0, unix.SOCK_STREAM, false, "seconds an orphaned socket stays in FIN_WAIT2"},
	{"TCP_DEFER_ACCEPT", unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, IntKind, 0, unix.SOCK_STREAM, false, "seconds accept waits for data before waking the listener (0: off)"},
	{"TCP_NOTSENT_LOWAT", unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, IntKind, 0, unix.SOCK_STREAM, false, "unsent bytes above which the socket is not writable (0: net.ipv4.tcp_notsent_lowat decides, by default no limit)"},
	{"TCP_FASTOPEN", unix.IPPROTO_TCP, unix.TCP_FASTOPEN, IntKind, 0, unix.SOCK_STREAM, false, "queue length of TCP Fast Open requests on a listener (0: off)"},

	{"IP_TTL", unix.IPPROTO_IP, unix.IP_TTL, IntKind, unix.AF_INET, 0, false, "time to live (hop limit) of outgoing packets"},
	{"IP_TOS", unix.IPPROTO_IP, unix.IP_TOS, IntKind, unix.AF_INET, 0, false, "type of service byte (DSCP and ECN) of outgoing packets"},
	{"IP_MULTICAST_TTL", unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, IntKind, unix.AF_INET, unix.SOCK_DGRAM, false, "time to live of outgoing multicast packets"},
	{"IP_MULTICAST_LOOP", unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, BoolKind, unix.AF_INET, unix.SOCK_DGRAM, false, "deliver own multicast packets back to this host"},
	{"IP_RECVTOS", unix.IPPROTO_IP, unix.IP_RECVTOS, BoolKind, unix.AF_INET, unix.SOCK_DGRAM, false, "pass the TOS byte of received packets as ancillary data"},

	{"IPV6_V6ONLY", unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, BoolKind, unix.AF_INET6, 0, false, "IPv6 only: refuse IPv4-mapped addresses"},
	{"IPV6_UNICAST_HOPS", unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, IntKind, unix.AF_INET6, 0, false, "hop limit of outgoing unicast packets (-1: the route's default)"},
	{"IPV6_MULTICAST_HOPS", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, IntKind, unix.AF_INET6, unix.SOCK_DGRAM, false, "hop limit of outgoing multicast packets"},
	{"IPV6_MULTICAST_LOOP", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP, BoolKind, unix.AF_INET6, unix.SOCK_DGRAM, false, "deliver own multicast packets back to this host"},
	{"IPV6_TCLASS", unix.IPPROTO_IPV6, unix.IPV6_TCLASS, IntKind, unix.AF_INET6, 0, false, "traffic class byte of outgoing packets"},
	{"IPV6_RECVPKTINFO", unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, BoolKind, unix.AF_INET6, unix.SOCK_DGRAM, false, "pass the destination address and interface of received packets"},
}

// Options returns the option table, in the order the getsockopt table shows it.
func Options() []Option { return append([]Option(nil), options...) }

// LookupOption finds an option by its Python name, case-insensitively and
// with or without a "socket." prefix: "SO_REUSEADDR", "tcp_nodelay".
func LookupOption(name string) (Option, error) {
	key := strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(name), "socket."))
	for _, o := range options {
		if o.Name == key {
			return o, nil
		}
	}
	return Option{}, &Error{Op: "getsockopt", Class: "ValueError", Msg: fmt.Sprintf("unknown socket option %q", name)}
}

// levels maps level names, Python's and the C library's, to numbers.
var levels = map[string]int{
	"SOL_SOCKET": unix.SOL_SOCKET, "IPPROTO_TCP": unix.IPPROTO_TCP, "SOL_TCP": unix.IPPROTO_TCP,
	"IPPROTO_IP": unix.IPPROTO_IP, "SOL_IP": unix.IPPROTO_IP, "IPPROTO_IPV6": unix.IPPROTO_IPV6,
	"SOL_IPV6": unix.IPPROTO_IPV6, "IPPROTO_UDP": unix.IPPROTO_UDP, "SOL_UDP": unix.IPPROTO_UDP,
}

// IsLevel reports whether name is an option level as Python or the C
// library spells it (SOL_SOCKET, IPPROTO_TCP, socket.SOL_TCP, any case).
func IsLevel(name string) bool {
	_, ok := levels[strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(name), "socket."))]
	return ok
}

// LookupLevelOption finds an option given as Python's level and name
// ("SOL_SOCKET", "SO_RCVBUF"). Either may be a number, as in
// s.getsockopt(1, 8); an option number not in the table is taken as an int.
func LookupLevelOption(level, name string) (Option, error) {
	lv, ok := levels[strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(level), "socket."))]
	if !ok {
		n, err := cInt(level)
		var oe *Error
		if errors.As(err, &oe) {
			return Option{}, err
		}
		if err != nil {
			return Option{}, &Error{Op: "getsockopt", Class: "ValueError", Msg: fmt.Sprintf("unknown option level %q", level)}
		}
		lv = n
	}
	num, err := cInt(name)
	var oe *Error
	if errors.As(err, &oe) {
		return Option{}, err
	}
	if err == nil {
		for _, o := range options {
			if o.Level == lv && o.Number == num {
				return o, nil
			}
		}
		return Option{Name: strconv.Itoa(num), Level: lv, Number: num, Kind: IntKind, Meaning: "an option given by number"}, nil
	}
	o, err := LookupOption(name)
	if err != nil {
		return Option{}, err
	}
	if o.Level != lv {
		return Option{}, &Error{Op: "getsockopt", Class: "ValueError",
			Msg: fmt.Sprintf("%s is at level %s, not %s", o.Name, o.LevelName(), LevelName(lv))}
	}
	return o, nil
}

// Value is an option's value as read by GetSockOpt.
type Value struct {
	Option  Option
	Int     int           // the int; for LingerKind l_onoff
	Linger  int           // LingerKind: l_linger, seconds
	Timeout time.Duration // TimevalKind: the duration (0: none)
	Cred    Cred          // CredKind: the struct, and its bytes
}

// Python returns what Python's s.getsockopt(level, name) returns: an int,
// which for a struct option is its first field.
func (v Value) Python() int {
	if v.Option.Kind == TimevalKind {
		return int(v.Timeout / time.Second)
	}
	if v.Option.Kind == CredKind {
		return int(v.Cred.Pid) // an int buffer holds the struct's first field
	}
	return v.Int
}

// String returns the value in full: "1", "65536", "(1, 5)" for a linger
// (l_onoff, l_linger), "0.5" seconds for a timeval.
func (v Value) String() string {
	switch v.Option.Kind {
	case LingerKind:
		return fmt.Sprintf("(%d, %d)", v.Int, v.Linger)
	case TimevalKind:
		return strconv.FormatFloat(v.Timeout.Seconds(), 'f', -1, 64)
	case CredKind:
		return v.Cred.String()
	}
	return strconv.Itoa(v.Int)
}

// Describe returns the value in words: "on", "off", "SOCK_STREAM",
// "ECONNREFUSED (Connection refused)", "on, 5 s", "none", "131072".
func (v Value) Describe() string {
	switch v.Option.Kind {
	case BoolKind:
		if v.Int != 0 {
			return "on"
		}
		return "off"
	case LingerKind:
		if v.Int == 0 {
			return "off"
		}
		return fmt.Sprintf("on, %d s", v.Linger)
	case TimevalKind:
		if v.Timeout == 0 {
			return "none"
		}
		return v.Timeout.String()
	case TypeKind:
		return TypeName(v.Int)
	case FamilyKind:
		return FamilyName(v.Int)
	case ProtoKind:
		return ProtoName(v.Int)
	case CredKind:
		return v.Cred.String()
	case ErrnoKind:
		if v.Int == 0 {
			return "0 (no error)"
		}
		e := syscall.Errno(v.Int)
		return fmt.Sprintf("%s (%s)", errnoName(e), pyerr.StrError(e))
	}
	return strconv.Itoa(v.Int)
}

// GetSockOpt reads an option with getsockopt(2). An option that does not
// apply to the socket fails with the kernel's errno (ENOPROTOOPT, …).
func (s *Socket) GetSockOpt(opt Option) (Value, error) {
	tr := s.tr()
	v := Value{Option: opt}
	err := s.control(func(fd int) error {
		switch opt.Kind {
		case LingerKind:
			l, err := sysGetsockoptLinger(tr, fd, opt.Level, opt.Number, opt.Name)
			if err == nil {
				v.Int, v.Linger = int(l.Onoff), int(l.Linger)
			}
			return err
		case CredKind:
			raw, err := sysGetsockoptBytes(tr, fd, opt.Level, opt.Number, opt.Name, unix.SizeofUcred)
			if err == nil && len(raw) == unix.SizeofUcred {
				v.Cred = decodeCred(raw)
				v.Int = int(v.Cred.Pid)
			}
			return err
		case TimevalKind:
			tv, err := sysGetsockoptTimeval(tr, fd, opt.Level, opt.Number, opt.Name)
			if err == nil {
				v.Timeout = time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond
			}
			return err
		}
		n, err := sysGetsockoptInt(tr, fd, opt.Level, opt.Number, opt.Name)
		v.Int = n
		return err
	})
	if err != nil {
		return Value{}, opError("getsockopt", opt.Name, err)
	}
	return v, nil
}

// SetSockOpt sets an option with setsockopt(2) from its text form:
//   - int kinds: an integer ("65536", "0x10");
//   - bool kinds: 0/1, on/off, true/false, yes/no (any integer is passed on);
//   - SO_LINGER: "off", "on,SECS", or two integers "1,5" / "1 5" / "(1, 5)";
//   - SO_RCVTIMEO/SO_SNDTIMEO: seconds, "0.5"; 0 or "none" for no timeout.
//
// Read-only options are passed to the kernel, which refuses them.
func (s *Socket) SetSockOpt(opt Option, value string) error {
	tr := s.tr()
	bad := func(err error) error {
		var ce *classedError
		if errors.As(err, &ce) {
			return &Error{Op: "setsockopt", Addr: opt.Name, Class: ce.class, Msg: ce.msg, Why: ce.why}
		}
		return &Error{Op: "setsockopt", Addr: opt.Name, Class: "ValueError", Msg: err.Error()}
	}
	var call func(fd int) error
	switch opt.Kind {
	case CredKind:
		// Linux's setsockopt has no SO_PEERCRED: whatever the value, it
		// answers ENOPROTOOPT, so no value is parsed or passed.
		return &Error{Op: "setsockopt", Addr: opt.Name, Err: unix.ENOPROTOOPT,
			Why: "SO_PEERCRED can only be read: the kernel records the peer's pid, uid and gid at connect (or socketpair)"}
	case LingerKind:
		on, secs, err := parseLinger(value)
		if err != nil {
			return bad(err)
		}
		l := &unix.Linger{Onoff: int32(on), Linger: int32(secs)}
		call = func(fd int) error { return sysSetsockoptLinger(tr, fd, opt.Level, opt.Number, opt.Name, l) }
	case TimevalKind:
		d, err := parseSeconds(value)
		if err != nil {
			return bad(err)
		}
		tv := unix.NsecToTimeval(d.Nanoseconds())
		call = func(fd int) error { return sysSetsockoptTimeval(tr, fd, opt.Level, opt.Number, opt.Name, &tv) }
	default:
		n, err := parseInt(value, opt.Kind == BoolKind)
		if err != nil {
			return bad(err)
		}
		call = func(fd int) error { return sysSetsockoptInt(tr, fd, opt.Level, opt.Number, opt.Name, n) }
	}
	return opError("setsockopt", opt.Name, s.control(call))
}
