//go:build cgo && linux

// This file holds the system backend when cgo is available: glibc's own
// getaddrinfo, gethostbyname_r and gethostbyaddr_r, called as CPython calls them,
// so the answers (order, aliases, error codes) are the C library's.

package netdb

/*
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
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

// ss_getaddrinfo_rows is getaddrinfo and the reading of its rows in one
// call from Go (each call from Go into C is a switch of stacks and of the
// scheduler's state; reading a row field by field took four). Each row is
// written into out as 8 int32 (family, socktype, protocol, port, flowinfo,
// scope id, the numeric address's length or -1, the canonical name's
// length or -1), then the address's and the name's bytes. It returns
// getaddrinfo's code, and in *nrows the rows written; when they do not fit
// in outlen, it reports none (*nrows 0; the bytes written so far are to
// be ignored) and leaves the list in *rest for the caller to read and
// free.
static int ss_getaddrinfo_rows(const char *host, const char *port, int family, int socktype,
		int proto, int flags, int *err, char *out, size_t outlen, int *nrows, struct addrinfo **rest) {
	struct addrinfo *res = NULL;
	*nrows = 0;
	*rest = NULL;
	int rc = ss_getaddrinfo(host, port, family, socktype, proto, flags, &res, err);
	if (rc != 0) return rc;
	char addr[NI_MAXHOST];
	size_t off = 0;
	int n = 0;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int32_t f[8] = {ai->ai_family, ai->ai_socktype, ai->ai_protocol, 0, 0, 0, -1, -1};
		size_t alen = 0, clen = 0;
		if (ai->ai_addr != NULL) {
			if (ss_numeric(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr) == 0) {
				alen = strlen(addr);
				f[6] = (int32_t)alen;
			}
			f[3] = ss_port(ai->ai_addr);
			f[4] = (int32_t)ss_flowinfo(ai->ai_addr);
			f[5] = (int32_t)ss_scope(ai->ai_addr);
		}
		if (ai->ai_canonname != NULL) {
			clen = strlen(ai->ai_canonname);
			f[7] = (int32_t)clen;
		}
		if (off + sizeof f + alen + clen > outlen) {
			*rest = res;
			return 0;
		}
		memcpy(out + off, f, sizeof f);
		off += sizeof f;
		if (alen) memcpy(out + off, addr, alen);
		off += alen;
		if (clen) memcpy(out + off, ai->ai_canonname, clen);
		off += clen;
		n++;
	}
	freeaddrinfo(res);
	*nrows = n;
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
	"encoding/binary"
	"net/netip"
	"sync"
	"syscall"
	"unsafe"

	"github.com/sockshell/sockshell/shell/pyerr"
)

type cgoBackend struct{}

func systemBackend() backend { return cgoBackend{} }

func (cgoBackend) getaddrinfo(ctx context.Context, host, port *string, h addrHints) ([]AddrInfo, error) {
	local := (host == nil || h.flags&AI_NUMERICHOST != 0 || numericHost(*host) || systemHosts.answersLocally(*host, h.family)) &&
		(h.flags&AI_NUMERICSERV != 0 || numericPort(port))
	return awaitUnlessLocal(ctx, local, "getaddrinfo", func() ([]AddrInfo, error) {
		return cgoGetaddrinfo(host, port, h)
	})
}

// gaiBufSize is the Go buffer a lookup's arguments and rows are written
// into (the rows of an answer from /etc/hosts take about 40 bytes each).
const gaiBufSize = 4096

var gaiBufs = sync.Pool{New: func() any { return new([gaiBufSize]byte) }}

// cgoGetaddrinfo calls getaddrinfo through ss_getaddrinfo_rows: the host
// and the port go to C as NUL-terminated copies in a reused Go buffer, the
// rows come back in the rest of it, in one call.
func cgoGetaddrinfo(host, port *string, h addrHints) ([]AddrInfo, error) {
	pb := gaiBufs.Get().(*[gaiBufSize]byte)
	defer gaiBufs.Put(pb)
	return getaddrinfoInto(host, port, h, pb[:])
}

// getaddrinfoInto is cgoGetaddrinfo with buf as its buffer (a larger one
// is made when the arguments take more than half of it).
func getaddrinfoInto(host, port *string, h addrHints, buf []byte) ([]AddrInfo, error) {
	need := 2
	if host != nil {
		need += len(*host)
	}
	if port != nil {
		need += len(*port)
	}
	if need > len(buf)/2 {
		buf = make([]byte, 2*need+len(buf))
	}
	args := buf[:0]
	var ch, cp *C.char
	if host != nil {
		ch = (*C.char)(unsafe.Pointer(&buf[len(args)]))
		args = append(append(args, *host...), 0)
	}
	if port != nil {
		cp = (*C.char)(unsafe.Pointer(&buf[len(args)]))
		args = append(append(args, *port...), 0)
	}
	rows := buf[len(args):]
	var errnum, nrows C.int
	var rest *C.struct_addrinfo
	rc := C.ss_getaddrinfo_rows(ch, cp, C.int(h.family), C.int(h.socktype), C.int(h.proto), C.int(h.flags), &errnum,
		(*C.char)(unsafe.Pointer(&rows[0])), C.size_t(len(rows)), &nrows, &rest)
	if rc != 0 {
		if int(rc) == EAI_SYSTEM {
			e := syscall.Errno(errnum)
			err := errnoError(int(e), pyerr.StrError(e), e)
			err.Hint = pyerr.LimitHint(e)
			return nil, err
		}
		return nil, gaiError(int(rc), nil)
	}
	if rest != nil {
		defer C.freeaddrinfo(rest)
		return addrinfoRows(rest), nil
	}
	return unpackRows(rows, int(nrows)), nil
}

// unpackRows reads n rows written by ss_getaddrinfo_rows.
func unpackRows(p []byte, n int) []AddrInfo {
	out := make([]AddrInfo, n)
	field := func(i int) int32 { return int32(binary.NativeEndian.Uint32(p[4*i:])) }
	for i := range out {
		row := &out[i]
		row.Family, row.Type, row.Proto, row.Port = int(field(0)), int(field(1)), int(field(2)), int(field(3))
		row.FlowInfo, row.ScopeID = uint32(field(4)), uint32(field(5))
		alen, clen := field(6), field(7)
		p = p[32:]
		if alen >= 0 {
			// The rows of one address (one a socket type) share its string.
			if i > 0 && out[i-1].Addr == string(p[:alen]) {
				row.Addr = out[i-1].Addr
			} else {
				row.Addr = string(p[:alen])
			}
			p = p[alen:]
		}
		if clen >= 0 {
			row.Canonname = string(p[:clen])
			p = p[clen:]
		}
	}
	return out
}

// addrinfoRows reads a getaddrinfo list row by row (an answer too large
// for the buffer).
func addrinfoRows(res *C.struct_addrinfo) []AddrInfo {
	out := []AddrInfo{}
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
	return out
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
