// Package gopher is sockshell's gopher protocol library (RFC 1436, with URLs
// as RFC 4266 defines them): a URL parser, a menu parser, a client that talks
// over a connection the caller has already opened, and a small server that
// publishes a directory.
//
// The package never prints and never escapes: menu display strings and text
// replies are kept exactly as the server sent them, control characters and
// terminal escape sequences included. Whoever shows them to a person (the
// shell's renderer) must escape them.
//
// The package imports nothing from sockshell.
package gopher
