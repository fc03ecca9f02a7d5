//go:build cgo && linux

// This file holds the system backend when cgo is available: glibc's own
// getaddrinfo, gethostbyname_r and gethostbyaddr_r, called as CPython calls them,
// so the answers (order, aliases, error codes) are the C library's.

package netdb

/*
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int ss_getaddrinfo(const char *host, const char *port, int family, int socktype,
		int proto, int flags, struct addrinfo **res, int *err) {
	struct addrinfo hints;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_protocol = proto;
	hints.ai_flags = flags;
	errno = 0;
	int rc = getaddrinfo(host, port, &hints, res);
	*err = errno;
	return rc;
}

// ss_numeric formats a sockaddr as CPython's makeipaddr does.
static int ss_numeric(const struct sockaddr *sa, socklen_t len, char *buf, socklen_t buflen) {
	return getnameinfo(sa, len, buf, buflen, NULL, 0, NI_NUMERICHOST);
}

static int ss_port(const struct sockaddr *sa) {
	if (sa->sa_family == AF_INET) return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

static unsigned int ss_flowinfo(const struct sockaddr *sa) {
	if (sa->sa_family == AF_INET6) return ntohl(((const struct sockaddr_in6 *)sa)->sin6_flowinfo);
	return 0;
}

static unsigned int ss_scope(const struct sockaddr *sa) {
	if (sa->sa_family == AF_INET6) return ((const struct sockaddr_in6 *)sa)->sin6_scope_id;
	return 0;
}

// ss_gethostbyname returns 1 with *h filled, or 0 with *herr the h_errno CPython reads.
static int ss_gethostbyname(const char *name, struct hostent *h, char *buf, size_t buflen,
		int *herr, int *rc) {
	struct hostent *res = NULL;
	int e = 0;
	*rc = gethostbyname_r(name, h, buf, buflen, &res, &e);
	*herr = h_errno;
	return res != NULL;
}

static int ss_gethostbyaddr(const void *addr, socklen_t len, int af, struct hostent *h,
		char *buf, size_t buflen, int *herr, int *rc) {
	struct hostent *res = NULL;
	int e = 0;
	*rc = gethostbyaddr_r(addr, len, af, h, buf, buflen, &res, &e);
	*herr = h_errno;
	return res != NULL;
}

static char *ss_alias(struct hostent *h, int i) { return h->h_aliases[i]; }
static char *ss_addr(struct hostent *h, int i) { return h->h_addr_list[i]; }
*/
import "C"

import (
	"context"
	"net/netip"
	"syscall"
	"unsafe"

	"github.com/sockshell/sockshell/shell/pyerr"
)

type cgoBackend struct{}

func systemBackend() backend { return cgoBackend{} }

// cstring is a C copy of s, or NULL for nil.
func cstring(s *string) *C.char {
	if s == nil {
		return nil
	}
	return C.CString(*s)
}

func (cgoBackend) getaddrinfo(ctx context.Context, host, port *string, h addrHints) ([]AddrInfo, error) {
	local := (host == nil || h.flags&AI_NUMERICHOST != 0 || numericHost(*host) || systemHosts.answersLocally(*host, h.family)) &&
		(h.flags&AI_NUMERICSERV != 0 || numericPort(port))
	return awaitUnlessLocal(ctx, local, "getaddrinfo", func() ([]AddrInfo, error) {
		ch, cp := cstring(host), cstring(port)
		defer C.free(unsafe.Pointer(ch))
		defer C.free(unsafe.Pointer(cp))
		var res *C.struct_addrinfo
		var errnum C.int
		rc := C.ss_getaddrinfo(ch, cp, C.int(h.family), C.int(h.socktype), C.int(h.proto), C.int(h.flags), &res, &errnum)
		if rc != 0 {
			if int(rc) == EAI_SYSTEM {
				e := syscall.Errno(errnum)
				err := errnoError(int(e), pyerr.StrError(e), e)
				err.Hint = pyerr.LimitHint(e)
				return nil, err
			}
			return nil, gaiError(int(rc), nil)
		}
		defer C.freeaddrinfo(res)
		out := []AddrInfo{}
		// One buffer for every address, on C's heap: a Go array handed to C
		// would be 1 KiB of garbage a lookup.
		buf := (*[C.NI_MAXHOST]C.char)(C.malloc(C.NI_MAXHOST))
		defer C.free(unsafe.Pointer(buf))
		for ai := res; ai != nil; ai = ai.ai_next {
			row := AddrInfo{Family: int(ai.ai_family), Type: int(ai.ai_socktype), Proto: int(ai.ai_protocol)}
			if ai.ai_canonname != nil {
				row.Canonname = C.GoString(ai.ai_canonname)
			}
			if ai.ai_addr != nil {
				if C.ss_numeric(ai.ai_addr, ai.ai_addrlen, &buf[0], C.socklen_t(len(buf))) == 0 {
					row.Addr = C.GoString(&buf[0])
				}
				row.Port = int(C.ss_port(ai.ai_addr))
				row.FlowInfo = uint32(C.ss_flowinfo(ai.ai_addr))
				row.ScopeID = uint32(C.ss_scope(ai.ai_addr))
			}
			out = append(out, row)
		}
		return out, nil
	})
}

// hostentCall runs a *_r call with a growing buffer and converts its answer.
func hostentCall(call func(h *C.struct_hostent, buf *C.char, n C.size_t, herr, rc *C.int) C.int) (hostent, error) {
	for size := 16384; ; size *= 2 {
		buf := C.malloc(C.size_t(size))
		var h C.struct_hostent
		var herr, rc C.int
		ok := call(&h, (*C.char)(buf), C.size_t(size), &herr, &rc)
		if ok == 0 && rc == C.ERANGE && size < 1<<22 {
			C.free(buf)
			continue
		}
		defer C.free(buf)
		if ok == 0 {
			return hostent{}, hError(int(herr), nil)
		}
		return convertHostent(&h), nil
	}
}

func convertHostent(h *C.struct_hostent) hostent {
	out := hostent{name: C.GoString(h.h_name), family: int(h.h_addrtype)}
	for i := 0; h.h_aliases != nil; i++ {
		a := C.ss_alias(h, C.int(i))
		if a == nil {
			break
		}
		out.aliases = append(out.aliases, C.GoString(a))
	}
	for i := 0; h.h_addr_list != nil; i++ {
		a := C.ss_addr(h, C.int(i))
		if a == nil {
			break
		}
		raw := C.GoBytes(unsafe.Pointer(a), h.h_length)
		var ip netip.Addr
		switch len(raw) {
		case 4:
			ip = netip.AddrFrom4([4]byte(raw))
		case 16:
			ip = netip.AddrFrom16([16]byte(raw))
		default:
			continue
		}
		out.addrs = append(out.addrs, formatAddr(ip))
	}
	return out
}

func (cgoBackend) gethostbyname(ctx context.Context, name string) (hostent, error) {
	return await(ctx, "gethostbyname", func() (hostent, error) {
		cn := C.CString(name)
		defer C.free(unsafe.Pointer(cn))
		return hostentCall(func(h *C.struct_hostent, buf *C.char, n C.size_t, herr, rc *C.int) C.int {
			return C.ss_gethostbyname(cn, h, buf, n, herr, rc)
		})
	})
}

func (cgoBackend) gethostbyaddr(ctx context.Context, addr netip.Addr) (hostent, error) {
	return await(ctx, "gethostbyaddr", func() (hostent, error) {
		var raw []byte
		af := AF_INET6
		if addr.Is4() {
			b := addr.As4()
			raw, af = b[:], AF_INET
		} else {
			b := addr.As16()
			raw = b[:]
		}
		p := C.CBytes(raw)
		defer C.free(p)
		return hostentCall(func(h *C.struct_hostent, buf *C.char, n C.size_t, herr, rc *C.int) C.int {
			return C.ss_gethostbyaddr(p, C.socklen_t(len(raw)), C.int(af), h, buf, n, herr, rc)
		})
	})
}
