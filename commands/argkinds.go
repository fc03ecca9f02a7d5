// The kinds of argument the commands declare, beyond the shell's own (files,
// directories, numbers, choices): each says how it completes, how to tell it
// (Match) and, where the word alone decides, how it parses, so Run reads a
// value rather than re-checking text.
package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/netdb"
	"github.com/sockshell/sockshell/shell"
	"golang.org/x/sys/unix"
)

// sockRef is a SOCK argument parsed: the socket and the name it was given by.
type sockRef struct {
	name string
	s    *bsd.Socket
}

// sockAt is positional argument i, a SOCK parsed by sockArg.
func sockAt(c *shell.Call, i int) (*bsd.Socket, string) {
	r := c.Value(i).(sockRef)
	return r.s, r.name
}

var (
	// sockArg is a socket of the session (s1), looked up as the command
	// starts: lookupSock's NameError for a name that is none, and a note
	// for a peer that closed since.
	sockArg = &shell.ArgKind{Name: "socket",
		Complete: func(s *shell.Session, _ string) []string { return s.ResourceNames(isSocket) },
		Match:    isSocketName,
		Parse: func(c *shell.Call, _ string, w shell.Word) (any, error) {
			s, name, err := lookupSock(c, w.Text)
			return sockRef{name, s}, err
		}}
	// sockNameArg is a socket's name that need not be open (close s1 twice
	// is no error, as in Python): completed, not looked up.
	sockNameArg = &shell.ArgKind{Name: "socket",
		Complete: sockArg.Complete, Match: isSocketName}
	// hostArg is a host name from the hosts file, or a loopback address.
	// Completion never asks DNS: it must answer at once and offline.
	hostArg = &shell.ArgKind{Name: "host", Complete: func(*shell.Session, string) []string {
		return append(netdb.HostNames(), "127.0.0.1", "::1")
	}}
	// bindHostArg is the host of a local address: the wildcards and loopbacks.
	bindHostArg = &shell.ArgKind{Name: "local host", Complete: func(*shell.Session, string) []string {
		return []string{"127.0.0.1", "0.0.0.0", "::1", "::"}
	}}
	// portArg is a port number or a service name, resolved by the command
	// for the socket's type (resolvePort).
	portArg = &shell.ArgKind{Name: "port"}
	// serviceArg is a service name of the services database.
	serviceArg = &shell.ArgKind{Name: "service", Complete: func(*shell.Session, string) []string {
		return netdb.DefaultServices().Names()
	}}
	// protoArg is a protocol name for the services database (any word:
	// '' matches lines without one).
	protoArg = &shell.ArgKind{Name: "protocol", Complete: func(*shell.Session, string) []string { return protos }}
	// dataArg is DATA: a word or a Python string literal, read by payload.
	dataArg = &shell.ArgKind{Name: "data"}
	// howArg is shutdown's half: rd, wr or rdwr.
	howArg = shell.Choices("how", "rd", "wr", "rdwr")
	// backlogArg is listen's BACKLOG: a C int, as listen(2) takes it.
	backlogArg = &shell.ArgKind{Name: "backlog", Parse: parseBacklog}
	// fdArg is a file descriptor number; it completes the session's sockets' fds.
	fdArg = &shell.ArgKind{Name: "fd", Parse: parseFD,
		Complete: func(s *shell.Session, _ string) []string {
			var fds []string
			for _, r := range s.Resources() {
				if so, ok := r.Resource.(*bsd.Socket); ok {
					fds = append(fds, strconv.Itoa(so.FD()))
				}
			}
			return fds
		}}
	// secondsArg is a socket timeout: seconds, or none.
	secondsArg = &shell.ArgKind{Name: "seconds", Parse: parseSockTimeout,
		Complete: func(*shell.Session, string) []string { return []string{"none", "0", "1", "5"} }}
	// aiPortArg is addrinfo's optional PORT: a number, or a word that is
	// no family or type word (those may stand in its place).
	aiPortArg = &shell.ArgKind{Name: "port", Complete: serviceArg.Complete,
		Match: func(s *shell.Session, w string) bool {
			_, err := strconv.Atoi(w)
			return err == nil || !isSpecWord(s, w)
		}}
	// specArg is a family or type word of socket, fromfd and addrinfo.
	specArg = specKind("")
)

// bufsizeArg is recv's BUFSIZE, completing the examples given; bufSize
// reads it, as its meaning depends on --out.
func bufsizeArg(examples ...string) *shell.ArgKind {
	return &shell.ArgKind{Name: "bufsize", Complete: func(*shell.Session, string) []string { return examples }}
}

// isSocketName reports whether name is a socket of the session.
func isSocketName(s *shell.Session, name string) bool {
	r, ok := s.Resource(name)
	return ok && isSocket(r)
}

// parseBacklog reads listen's BACKLOG: a number that fits a C int, as
// listen(2) takes one (never cut to 32 bits).
func parseBacklog(c *shell.Call, _ string, w shell.Word) (any, error) {
	n, err := strconv.Atoi(w.Text)
	if err != nil {
		return nil, c.UsageError("BACKLOG is a number")
	}
	if n != int(int32(n)) {
		msg := "signed integer is greater than maximum"
		if n < 0 {
			msg = "signed integer is less than minimum"
		}
		return nil, &shell.Error{Class: "OverflowError", Msg: msg, Hint: w.Text + " does not fit in a C int (-2147483648 to 2147483647)"}
	}
	return n, nil
}

// parseFD reads a descriptor number: a C int, as dup(2) takes one.
func parseFD(c *shell.Call, _ string, w shell.Word) (any, error) {
	fd, err := strconv.Atoi(w.Text)
	if err != nil || fd < 0 {
		return nil, c.UsageError("FD is a file descriptor number")
	}
	if fd != int(int32(fd)) {
		// dup(2) would take the low 32 bits and name another descriptor
		// (Python 3.11's socket.fromfd does so); no descriptor is this large.
		return nil, shell.ErrnoError(unix.EBADF, w.Text+" is no descriptor: a descriptor is a C int, at most 2147483647")
	}
	return fd, nil
}

// sockTimeout is a socket timeout parsed: none, or a duration.
type sockTimeout struct {
	d    time.Duration
	none bool
}

// parseSockTimeout reads settimeout's SECONDS|none for the socket before it;
// a value Python refuses gets the settimeout line that raises the same.
func parseSockTimeout(c *shell.Call, _ string, w shell.Word) (any, error) {
	d, none, err := shell.ParseSeconds(w.Text)
	if err != nil {
		if e, ok := err.(*shell.Error); ok && e.Class != "UsageError" {
			_, name := sockAt(c, 0)
			f, _ := strconv.ParseFloat(w.Text, 64)
			c.Python("%s.settimeout(%s)", name, shell.PyFloat(f)) // raises the same error
		}
		return nil, err
	}
	return sockTimeout{d, none}, nil
}

// The family and type words: one grammar for socket, fromfd and addrinfo.
var (
	typeWords = map[string]int{"tcp": unix.SOCK_STREAM, "stream": unix.SOCK_STREAM, "udp": unix.SOCK_DGRAM, "dgram": unix.SOCK_DGRAM,
		"seqpacket": unix.SOCK_SEQPACKET}
	familyWords = map[string]int{"inet": unix.AF_INET, "ipv4": unix.AF_INET, "4": unix.AF_INET, "inet6": unix.AF_INET6, "ipv6": unix.AF_INET6, "6": unix.AF_INET6,
		"unix": unix.AF_UNIX}
	// ipWords are the type words that name an Internet protocol: not for
	// a Unix socket, whose types are stream, dgram and seqpacket.
	ipWords = map[string]bool{"tcp": true, "udp": true}
)

// specWord is one family or type word parsed: a family or a type, and
// the word as given.
type specWord struct {
	family, sotype int
	word           string
}

func isSpecWord(_ *shell.Session, w string) bool {
	l := strings.ToLower(w)
	return typeWords[l] != 0 || familyWords[l] != 0
}

// specKind is the kind of a family or type word; more is added to the
// message for a word that is neither.
func specKind(more string) *shell.ArgKind {
	return &shell.ArgKind{Name: "family or type", Match: isSpecWord,
		Complete: func(*shell.Session, string) []string {
			return []string{"tcp", "udp", "inet", "inet6", "unix", "stream", "dgram", "seqpacket"}
		},
		Parse: func(c *shell.Call, _ string, w shell.Word) (any, error) {
			l := strings.ToLower(w.Text)
			if t := typeWords[l]; t != 0 {
				return specWord{sotype: t, word: l}, nil
			}
			if f := familyWords[l]; f != 0 {
				return specWord{family: f, word: l}, nil
			}
			return nil, c.UsageError(fmt.Sprintf("%q is no family (inet, inet6, unix) or type (tcp, udp, stream, dgram, seqpacket)%s", w.Text, more))
		}}
}

// specArgs are the two optional family and type words, in any order.
func specArgs(k *shell.ArgKind) []shell.Arg {
	return []shell.Arg{shell.Opt("tcp|udp", k), shell.Opt("inet|inet6", k)}
}

// socketSpecArgs are socket's and fromfd's family and type words, the
// Unix ones among them.
func socketSpecArgs(k *shell.ArgKind) []shell.Arg {
	return []shell.Arg{shell.Opt("tcp|udp|stream|dgram|seqpacket", k), shell.Opt("inet|inet6|unix", k)}
}

// sockSpec combines the family and type words parsed from argument from
// on: 0 for what is not given; one of each at most.
func sockSpec(c *shell.Call, from int) (family, sotype int, err error) {
	ipWord := ""
	for i := from; i < c.NArg(); i++ {
		w, ok := c.Value(i).(specWord)
		if !ok {
			continue
		}
		if w.sotype != 0 {
			if sotype != 0 {
				return 0, 0, c.UsageError("give one type: tcp or udp (stream, dgram, seqpacket)")
			}
			sotype = w.sotype
			if ipWords[w.word] {
				ipWord = w.word
			}
		}
		if w.family != 0 {
			if family != 0 {
				return 0, 0, c.UsageError("give one family: inet, inet6 or unix")
			}
			family = w.family
		}
	}
	if family == unix.AF_UNIX && ipWord != "" {
		return 0, 0, c.UsageError(fmt.Sprintf("%s is an Internet protocol; a Unix socket's type is stream, dgram or seqpacket: socket unix %s", ipWord,
			map[string]string{"tcp": "stream", "udp": "dgram"}[ipWord]))
	}
	return family, sotype, nil
}
