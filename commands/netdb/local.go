// This file tells which getaddrinfo calls the C library answers without
// a name server. await runs a lookup on a goroutine of its own so that
// Ctrl-C returns while glibc waits for a DNS server; a call that never
// leaves the machine (an address literal, or a name in /etc/hosts when
// /etc/nsswitch.conf asks the files first; and no service name) returns
// in microseconds whatever happens, so it runs on the caller's goroutine,
// without the hand-off and the thread wake-ups of a second one. The two
// files are stat'ed at every such call and read again when either
// changed, so a change is seen at once, as glibc sees it.

package netdb

import (
	"bufio"
	"os"
	"strings"
	"sync"
)

// nsswitchPath is the file that orders glibc's name services.
const nsswitchPath = "/etc/nsswitch.conf"

// localHosts is what the last reading of the two files said.
type localHosts struct {
	mu                   sync.Mutex
	hostsFile, nssFile   string // hostsPath and nsswitchPath; a test sets others
	hostsStamp, nssStamp stamp
	read                 bool
	filesFirst           bool            // hosts: begins with files, and stops at its answer
	families             map[string]byte // a name (lower case) → the families its lines answer
}

// The families bits of localHosts.families.
const (
	hasV4 = 1 << iota // a line answers AF_INET (an IPv4 address, or ::1)
	hasV6             // a line answers AF_INET6
)

var systemHosts = localHosts{hostsFile: hostsPath, nssFile: nsswitchPath}

// answersLocally reports whether glibc answers a lookup of host for
// family (AF_UNSPEC, AF_INET or AF_INET6) from /etc/hosts, without a DNS
// server: host is in the file for that family and the hosts line of
// nsswitch.conf asks the files first and returns their answer. When in
// doubt (a name that is not plain ASCII, one that ends in a dot, another
// family, a file that does not read) it says no: the lookup then runs as
// one that may wait.
func (l *localHosts) answersLocally(host string, family int) bool {
	if host == "" || strings.HasSuffix(host, ".") || !plainASCII(host) {
		return false
	}
	var want byte
	switch family {
	case AF_UNSPEC:
		want = hasV4 | hasV6
	case AF_INET:
		want = hasV4
	case AF_INET6:
		want = hasV6
	default:
		return false
	}
	hs, ns := fileStamp(l.hostsFile), fileStamp(l.nssFile)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.read || hs != l.hostsStamp || ns != l.nssStamp {
		l.hostsStamp, l.nssStamp, l.read = hs, ns, true
		l.filesFirst = nssFilesFirst(l.nssFile)
		l.families = hostFamilies(l.hostsFile)
	}
	return l.filesFirst && l.families[strings.ToLower(host)]&want != 0
}

// plainASCII: letters, digits and the characters of host names only.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c <= ' ' {
			return false
		}
	}
	return true
}

// nssFilesFirst reports whether the hosts line of an nsswitch.conf starts
// with files and does not go on after its success ([SUCCESS=continue]).
// A missing file means glibc's default, "dns [!UNAVAIL=return] files".
func nssFilesFirst(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "hosts:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 || fields[0] != "files" {
			return false
		}
		if len(fields) > 1 && strings.HasPrefix(fields[1], "[") && strings.Contains(strings.ToUpper(rest), "SUCCESS") {
			return false // an action on the files' success: not glibc's default return
		}
		return true
	}
	return false
}

// hostFamilies reads a hosts file as glibc's files backend matches it:
// each name and alias (case does not matter) with the families its lines
// answer (for AF_INET, ::1 reads as 127.0.0.1; see hostsLine.addrFor).
func hostFamilies(file string) map[string]byte {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]byte{}
	for _, l := range parseHosts(f) {
		var fam byte
		if _, ok := l.addrFor(AF_INET); ok {
			fam |= hasV4
		}
		if _, ok := l.addrFor(AF_INET6); ok {
			fam |= hasV6
		}
		for _, n := range append([]string{l.name}, l.aliases...) {
			out[strings.ToLower(n)] |= fam
		}
	}
	return out
}

// numericHost reports whether host is an address literal getaddrinfo
// reads without a lookup (an IPv6 one may carry a %zone).
func numericHost(host string) bool {
	_, ok := parseAddr(host)
	return ok
}

// numericPort: nil, or digits only (a service name is a lookup too).
func numericPort(port *string) bool {
	if port == nil {
		return true
	}
	if *port == "" {
		return false
	}
	for i := 0; i < len(*port); i++ {
		if (*port)[i] < '0' || (*port)[i] > '9' {
			return false
		}
	}
	return true
}
