// This file spells constants the way the C headers and Python do:
// address families, socket types, protocols, errno names and texts.

package bsd

import (
	"errors"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// FamilyName returns "AF_INET", "AF_INET6", … for an address family.
func FamilyName(family int) string {
	switch family {
	case unix.AF_INET:
		return "AF_INET"
	case unix.AF_INET6:
		return "AF_INET6"
	case unix.AF_UNIX:
		return "AF_UNIX"
	case unix.AF_UNSPEC:
		return "AF_UNSPEC"
	}
	return strconv.Itoa(family)
}

// TypeName returns "SOCK_STREAM", "SOCK_DGRAM", … for a socket type.
func TypeName(sotype int) string {
	switch sotype {
	case unix.SOCK_STREAM:
		return "SOCK_STREAM"
	case unix.SOCK_DGRAM:
		return "SOCK_DGRAM"
	case unix.SOCK_RAW:
		return "SOCK_RAW"
	case unix.SOCK_SEQPACKET:
		return "SOCK_SEQPACKET"
	}
	return strconv.Itoa(sotype)
}

// ProtoName returns "IPPROTO_TCP", "IPPROTO_UDP", … for a protocol number.
func ProtoName(proto int) string {
	switch proto {
	case unix.IPPROTO_TCP:
		return "IPPROTO_TCP"
	case unix.IPPROTO_UDP:
		return "IPPROTO_UDP"
	case unix.IPPROTO_IP:
		return "0"
	case unix.IPPROTO_ICMP:
		return "IPPROTO_ICMP"
	case unix.IPPROTO_IPV6:
		return "IPPROTO_IPV6"
	}
	return strconv.Itoa(proto)
}

// LevelName returns "SOL_SOCKET", "IPPROTO_TCP", … for an option level.
func LevelName(level int) string {
	if level == unix.SOL_SOCKET {
		return "SOL_SOCKET"
	}
	if level == unix.IPPROTO_IP {
		return "IPPROTO_IP"
	}
	return ProtoName(level)
}

// defaultProto is the protocol the kernel picks for proto 0.
func defaultProto(family, sotype int) int {
	if family != unix.AF_INET && family != unix.AF_INET6 {
		return 0
	}
	switch sotype {
	case unix.SOCK_STREAM:
		return unix.IPPROTO_TCP
	case unix.SOCK_DGRAM:
		return unix.IPPROTO_UDP
	}
	return 0
}

// errnoName returns the errno's C name, "ECONNREFUSED".
func errnoName(e syscall.Errno) string {
	if n := unix.ErrnoName(e); n != "" {
		return n
	}
	return "E" + strconv.Itoa(int(e))
}

// errnoOf finds the errno inside err.
func errnoOf(err error) (syscall.Errno, bool) {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e, true
	}
	return 0, false
}

// count spells a count with its unit in the right number: "1 byte",
// "2 bytes". unit is the singular; the plural adds an s.
func count[N int | int64](n N, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(int64(n), 10) + " " + unit + "s" // no fmt: events spell one a call
}
