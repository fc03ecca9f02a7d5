// This file holds the services database (its file read and re-read when it
// changes; the parser is services_parse.go) and the lookups behind
// getservbyname and getservbyport.

package netdb

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SystemServicesPath is the services database glibc reads.
const SystemServicesPath = "/etc/services"

// Service is one line of a services database: a name, a port, a protocol and the
// name's aliases.
type Service struct {
	Name    string
	Port    int
	Proto   string
	Aliases []string
}

// ServicesDB is a services database, its entries in file order. It is
// parsed as far as the questions asked so far needed (services_lazy.go):
// a lookup by name or port reads lines until its answer, as glibc's
// getservbyname reads /etc/services, and All the rest.
type ServicesDB struct {
	Source string // the file path, or "embedded" when the built-in table answered
	// Why says, when Source is "embedded", why the file was not used: "/etc/services
	// is missing" or "/etc/services cannot be read: …".
	Why string

	lazyEntries
}

// ServicesEnv names the environment variable that points the services
// database at another file than /etc/services (for tests, and for a system
// whose file lives elsewhere). main reads it and calls SetServicesPath.
const ServicesEnv = "SOCKSHELL_SERVICES"

// servicesPath is the file DefaultServices reads; "" for SystemServicesPath.
var servicesPath atomic.Pointer[string]

// SetServicesPath points DefaultServices at another file than
// /etc/services; "" goes back to /etc/services.
func SetServicesPath(file string) { servicesPath.Store(&file) }

// LoadServices parses a services(5) file. Lines glibc would reject are skipped the
// same way. When the file does not exist, the embedded table of well-known
// services is returned, with Source "embedded".
func LoadServices(file string) (*ServicesDB, error) {
	// One read of the whole file: the entries' strings are slices of it.
	data, err := readFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return embeddedServices(file + " is missing"), nil
	}
	if err != nil {
		return nil, err
	}
	// The entries' strings point into data, which nothing changes after
	// this read: a string of it without a copy.
	db := &ServicesDB{Source: file}
	if err := db.start(unsafe.String(unsafe.SliceData(data), len(data))); err != nil {
		return nil, err
	}
	return db, nil
}

// servicesCache holds the last database DefaultServices loaded, with what the
// file looked like then.
var servicesCache struct {
	sync.Mutex
	path  string
	stamp stamp
	db    *ServicesDB
}

// stamp is what a file looked like: the same stamp, the same contents
// (as far as a stat can tell: a rewrite or a replacement changes it).
type stamp struct {
	missing     bool
	err         string
	dev, ino    uint64
	size        int64
	mtime, ctim unix.Timespec
}

// fileStamp stats file (one system call, nothing formatted: every lookup
// of a service asks whether the file changed).
func fileStamp(file string) stamp {
	var st unix.Stat_t
	err := unix.Stat(file, &st)
	switch {
	case err == unix.ENOENT:
		return stamp{missing: true}
	case err != nil:
		return stamp{err: err.Error()}
	}
	return stamp{dev: st.Dev, ino: st.Ino, size: st.Size, mtime: st.Mtim, ctim: st.Ctim}
}

// DefaultServices returns the services database every command reads:
// /etc/services (or the file SetServicesPath named: main takes it from
// $SOCKSHELL_SERVICES), or the embedded table when that file is missing or
// unreadable. It is read again when the file
// changes, as the C library would see the change.
func DefaultServices() *ServicesDB {
	file := SystemServicesPath
	if p := servicesPath.Load(); p != nil && *p != "" {
		file = *p
	}
	stamp := fileStamp(file)
	c := &servicesCache
	c.Lock()
	defer c.Unlock()
	if c.db != nil && c.path == file && c.stamp == stamp {
		return c.db
	}
	db, err := LoadServices(file)
	if err != nil {
		db = embeddedServices(file + " cannot be read: " + errText(err))
	}
	c.path, c.stamp, c.db = file, stamp, db
	return db
}

// errText is an error's text without the operation and path Go puts first.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func embeddedServices(why string) *ServicesDB {
	db := &ServicesDB{Source: "embedded", Why: why}
	db.start(embeddedServicesText)
	return db
}

// Describe says where the database came from, for a note: "" for a file,
// or why the embedded table answered.
func (db *ServicesDB) Describe() string {
	if db.Source != "embedded" {
		return ""
	}
	return "from sockshell's embedded table of well-known services: " + db.Why
}

// ByName answers Python's socket.getservbyname(name[, proto]): the first entry
// in file order whose name or alias is name (case-sensitively) and, when a
// proto is given, whose protocol is exactly proto. Given but empty, proto
// matches only lines without a protocol, as in Python (getservbyname('http',
// ”) is an error); left out, it matches any protocol.
func (db *ServicesDB) ByName(name string, proto ...string) (Service, error) {
	p, any := protoArg(proto)
	if strings.IndexByte(name, 0) >= 0 || strings.IndexByte(p, 0) >= 0 {
		return Service{}, plainError(ClassValue, "embedded null character", "")
	}
	if s, ok := db.first(func(s *Service) bool {
		if !any && s.Proto != p {
			return false
		}
		return s.Name == name || slices.Contains(s.Aliases, name)
	}); ok {
		return s, nil
	}
	return Service{}, plainError(ClassOS, "service/proto not found",
		"no line of "+db.describe()+" names the service "+pyRepr(name)+forProto(p, any))
}

// ByPort answers Python's socket.getservbyport(port[, proto]): the first entry
// in file order with that port and, when a proto is given, that protocol
// (an empty one included, as for ByName).
func (db *ServicesDB) ByPort(port int, proto ...string) (Service, error) {
	p, any := protoArg(proto)
	if port < 0 || port > 65535 {
		return Service{}, plainError(ClassOverflow, "getservbyport: port must be 0-65535.", "")
	}
	if strings.IndexByte(p, 0) >= 0 {
		return Service{}, plainError(ClassValue, "embedded null character", "")
	}
	if s, ok := db.first(func(s *Service) bool { return s.Port == port && (any || s.Proto == p) }); ok {
		return s, nil
	}
	return Service{}, plainError(ClassOS, "port/proto not found",
		"no line of "+db.describe()+" lists port "+strconv.Itoa(port)+forProto(p, any))
}

// protoArg reads the optional proto argument: the protocol, and whether it was
// left out (any protocol matches).
func protoArg(proto []string) (p string, any bool) {
	if len(proto) == 0 {
		return "", true
	}
	return proto[0], false
}

func (db *ServicesDB) describe() string {
	if db.Source == "embedded" {
		return "sockshell's embedded table of well-known services"
	}
	return db.Source
}

func forProto(proto string, any bool) string {
	switch {
	case any:
		return ""
	case proto == "":
		return " without a protocol ('' asks for exactly that; leave PROTO out for any protocol)"
	}
	return " for protocol " + proto
}

// Match returns the entries for `services [PATTERN]`, in file order. An empty
// pattern matches all. A pattern with glob characters (* ? [) matches a whole
// name, alias or port number; otherwise it matches a case-insensitive substring
// of a name or alias, or a port number exactly.
func (db *ServicesDB) Match(pattern string) []Service {
	var out []Service
	glob := strings.ContainsAny(pattern, "*?[")
	lower := strings.ToLower(pattern)
	match := func(word string) bool {
		if glob {
			ok, _ := path.Match(pattern, word)
			return ok
		}
		return strings.Contains(strings.ToLower(word), lower)
	}
	for _, s := range db.All() {
		port := strconv.Itoa(s.Port)
		hit := pattern == "" || match(s.Name) || (glob && match(port)) || (!glob && port == pattern)
		for _, a := range s.Aliases {
			hit = hit || match(a)
		}
		if hit {
			out = append(out, s)
		}
	}
	return out
}

// Names returns every service name and alias, sorted and without repeats, for
// Tab completion.
func (db *ServicesDB) Names() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, s := range db.All() {
		add(s.Name)
		for _, a := range s.Aliases {
			add(a)
		}
	}
	sort.Strings(out)
	return out
}
