// This file holds the hints of failed lookups. A hint says what was asked,
// of whom, and what came back, from facts checked at the time: the lines of
// /etc/hosts that name the host, the DNS server named with `set dns` (or the
// system's sources, from /etc/nsswitch.conf and /etc/resolv.conf), and how
// the answer failed (no record, refused, no answer in time).

package netdb

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"
)

// question is what a lookup asked: addresses of a family for a name, or the
// name of an address (a reverse lookup, when addr is set).
type question struct {
	name   string
	family int
	addr   netip.Addr
}

// record names the DNS record type the question needs.
func (q question) record() string {
	switch {
	case q.addr.IsValid():
		return "PTR"
	case q.family == AF_INET:
		return "A"
	case q.family == AF_INET6:
		return "AAAA"
	}
	return "A or AAAA"
}

// what is the question as a phrase: "the A query for 'nosuch.test'".
func (q question) what() string {
	if q.addr.IsValid() {
		return "the PTR query for " + formatAddr(q.addr)
	}
	return "the " + q.record() + " query for " + pyRepr(q.name)
}

// familyWord is "an IPv4 address", "an IPv6 address" or "an address".
func familyWord(af int) string {
	switch af {
	case AF_INET:
		return "an IPv4 address"
	case AF_INET6:
		return "an IPv6 address"
	}
	return "an address"
}

// serverAddr is the DNS server of `set dns` as queries are sent to it.
func (r *Resolver) serverAddr() string {
	if r == nil || r.Server == "" {
		return ""
	}
	if _, _, err := net.SplitHostPort(r.Server); err != nil {
		return net.JoinHostPort(strings.Trim(r.Server, "[]"), "53")
	}
	return r.Server
}

// annotate gives a failed lookup's error the hint that fits what happened.
// A cancelled lookup stays as it is (KeyboardInterrupt); one cut off by the
// command's timeout becomes what Python raises when its resolver gives up
// (gaierror -3, or herror 2 for a reverse lookup), with the context's error
// still reachable.
func (r *Resolver) annotate(ctx context.Context, q question, err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var pe *Error
	if !errors.As(err, &pe) || timedOut(ctx) && (pe.Errno == EAI_AGAIN || pe.Class == ClassH && pe.Errno == tryAgain) {
		// The resolver's own timeout is set from the context's deadline, so
		// a lookup cut off by the command's timeout may come back as either.
		if !errors.Is(err, context.DeadlineExceeded) && !timedOut(ctx) {
			return err
		}
		if q.addr.IsValid() {
			pe = hError(tryAgain, err)
		} else {
			pe = gaiError(EAI_AGAIN, err)
		}
		pe.Hint = "no answer to " + q.what() + " from " + r.whom() +
			" before the command's timeout ran out (`set timeout SECONDS` or --timeout gives it longer)"
		return pe
	}
	e := *pe
	switch {
	case e.Class == ClassGai && e.Errno == EAI_AGAIN, e.Class == ClassH && e.Errno == tryAgain:
		e.Hint = r.noAnswerHint(q, e.Err)
	case e.Class == ClassGai && e.Errno == EAI_NONAME && q.name != "", e.Class == ClassH && e.Errno == hostNotFound:
		if h := r.notFoundHint(q, errors.Is(e.Err, errHostsOnly), false); h != "" {
			e.Hint = h
		}
	case e.Class == ClassGai && e.Errno == EAI_NODATA && q.name != "" && r.serverAddr() != "":
		if h := r.notFoundHint(q, false, true); h != "" {
			e.Hint = h
		}
	case e.Class == ClassGai && e.Errno == EAI_FAIL, e.Class == ClassH && e.Errno == noRecovery:
		if s := r.serverAddr(); s != "" && e.Err != nil {
			e.Hint = "the DNS server " + s + " answered " + q.what() + " with an error code (such as SERVFAIL or REFUSED): it could not or would not resolve it"
		} else {
			return err
		}
	default:
		return err
	}
	return &e
}

// timedOut reports whether ctx's deadline has passed.
func timedOut(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// whom names who was asked: the DNS server of `set dns`, or the system's
// resolver and its sources.
func (r *Resolver) whom() string {
	if s := r.serverAddr(); s != "" {
		return "the DNS server " + s
	}
	return "the system resolver (" + systemSources() + ")"
}

// noAnswerHint explains EAI_AGAIN (herror TRY_AGAIN): who did not answer
// what, and how.
func (r *Resolver) noAnswerHint(q question, cause error) string {
	if s := r.serverAddr(); s != "" {
		if refused(cause) {
			return q.what() + " to " + s + " was refused (ICMP port unreachable): no DNS server listens there"
		}
		return "the DNS server " + s + " did not answer " + q.what() + " (no reply before the resolver gave up)"
	}
	return "no DNS server answered " + q.what() + " for the system resolver (" + systemSources() +
		"); check the network, or ask another server with `set dns HOST:PORT`"
}

// refused reports whether a DNS exchange failed because the server's port
// was closed.
func refused(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de) && strings.Contains(de.Err, "connection refused")
}

// notFoundHint explains EAI_NONAME (herror HOST_NOT_FOUND), or with nodata
// EAI_NODATA, from what /etc/hosts holds and what the DNS server said; ""
// when the hosts file would have answered (the failure was then not about
// the host).
func (r *Resolver) notFoundHint(q question, hostsOnly, nodata bool) string {
	var hosts string
	if q.addr.IsValid() {
		if _, ok := hostsByAddr(q.addr); ok {
			return ""
		}
		hosts = "no line of " + hostsPath + " has " + formatAddr(q.addr)
	} else {
		if _, ok := parseNumericHost(q.name); ok {
			return ""
		}
		if _, _, ok := hostsByName(q.name, q.family); ok {
			return ""
		}
		hosts = pyRepr(q.name) + " is not in " + hostsPath
		if _, addrs, ok := hostsByName(q.name, AF_UNSPEC); ok {
			hosts = pyRepr(q.name) + " is in " + hostsPath + " but only with " + joinAddrs(addrs) +
				", not " + familyWord(q.family)
		}
	}
	if s := r.serverAddr(); s != "" {
		if hostsOnly {
			return hosts + "; Go's resolver (which asks the server of `set dns`) does not ask " + s + " about a name /etc/hosts has"
		}
		if nodata {
			return hosts + ", and the DNS server " + s + " answered " + q.what() +
				" with NODATA: the name exists, but has no " + q.record() + " record"
		}
		return hosts + ", and the DNS server " + s + " answered that it has no " + q.record() + " record for it"
	}
	found := "no " + strings.TrimPrefix(familyWord(q.family), "an ")
	if q.addr.IsValid() {
		found = "no name"
	}
	return hosts + ", and the system resolver's other sources (" + systemSources() + ") found " + found + " for it either"
}

func joinAddrs(addrs []netip.Addr) string {
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = formatAddr(a)
	}
	return strings.Join(parts, ", ")
}

// systemSources says where the system resolver looks: the hosts line of
// /etc/nsswitch.conf and the name servers of /etc/resolv.conf.
func systemSources() string {
	var parts []string
	if line := confLines("/etc/nsswitch.conf", "hosts:"); len(line) > 0 {
		parts = append(parts, "/etc/nsswitch.conf hosts: "+strings.Join(strings.Fields(line[0]), " "))
	}
	if ns := confLines("/etc/resolv.conf", "nameserver"); len(ns) > 0 {
		parts = append(parts, "nameserver "+strings.Join(ns, ", ")+" in /etc/resolv.conf")
	} else {
		parts = append(parts, "no nameserver line in /etc/resolv.conf, so 127.0.0.1")
	}
	return strings.Join(parts, "; ")
}

// confLines returns the rest of each line of file that starts with key.
func confLines(file, key string) []string {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == key {
			out = append(out, strings.Join(fields[1:], " "))
		}
	}
	return out
}
