//go:build !(cgo && linux)

// This file holds the system backend when cgo is not available: Go's resolver
// with the servers of /etc/resolv.conf, imitating glibc.

package netdb

func systemBackend() backend { return cancellable{newGoBackend("")} }
