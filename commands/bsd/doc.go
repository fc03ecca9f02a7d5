// Package bsd is the BSD socket layer behind sockshell's socket commands: real,
// non-blocking OS sockets driven through Go's runtime poller, so that every
// blocking call honours a per-socket timeout and a context cancel, with a trace
// of the system calls made, socket options as Python spells them, errors
// that know their Python exception class, and typed events of what happens
// to each socket for a callback it carries (Config.Report).
package bsd
