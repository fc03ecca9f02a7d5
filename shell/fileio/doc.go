// Package fileio is how sockshell opens files, for every command that reads
// or writes one: a file is opened without blocking and its type checked on
// the opened descriptor (so a FIFO swapped in cannot hang the shell), reads
// and writes of FIFOs end when the command's context does, and a file is
// written under a temporary name in its directory and renamed over its
// target only when the command succeeds (never over an existing file
// unless the caller forces it).
//
// It lives beside the shell, not under commands/, because `source` (in
// package shell) and the script file of cmd/sockshell read files too, and
// the shell imports nothing of commands/.
package fileio
