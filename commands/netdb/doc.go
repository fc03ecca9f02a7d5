// Package netdb is the name-service library behind sockshell's servport, servname,
// services, resolve, addrinfo, fqdn, hostbyaddr and hostname commands. Every lookup
// returns what CPython's socket module returns on the same machine, with errors
// classed as Python classes them (socket.gaierror, socket.herror, OSError, …).
//
// With cgo (the normal build on Linux) the system resolver is glibc itself, called
// the way CPython calls it; without cgo, and whenever a DNS server is named
// explicitly, Go's own resolver stands in and glibc's answers are imitated.
package netdb
