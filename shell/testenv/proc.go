// This file starts peer programs: bounded in time, killed when the test
// ends, and, for a program that must listen on a port it is told, checked
// to hold that port itself.

package testenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PeerBound bounds every peer program and every wait here: a guard against
// a hang, never a timing assertion.
const PeerBound = 2 * time.Minute

// Buffer is a bytes.Buffer safe for a writer and a reader in different
// goroutines.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Take returns what was written and empties the buffer.
func (l *Buffer) Take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// Proc is a peer program a test started.
type Proc struct {
	Cmd            *exec.Cmd
	Stdout, Stderr *Buffer
	done           chan struct{}
	waitErr        error
	cancel         context.CancelFunc
}

// Start starts a program with stdin (nil: none), bounded by PeerBound and
// killed when the test ends.
func Start(t testing.TB, stdin io.Reader, path string, args ...string) *Proc {
	t.Helper()
	p, err := start(stdin, path, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

func start(stdin io.Reader, path string, args ...string) (*Proc, error) {
	ctx, cancel := context.WithTimeout(context.Background(), PeerBound)
	p := &Proc{Stdout: &Buffer{}, Stderr: &Buffer{}, done: make(chan struct{}), cancel: cancel}
	p.Cmd = exec.CommandContext(ctx, path, args...)
	p.Cmd.Stdin = stdin
	p.Cmd.Stdout, p.Cmd.Stderr = p.Stdout, p.Stderr
	p.Cmd.WaitDelay = time.Second
	if err := p.Cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		p.waitErr = p.Cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Stop kills the program (if it still runs) and waits for it.
func (p *Proc) Stop() {
	p.cancel()
	<-p.done
}

// Done is closed once the program has exited; Err is then its exit error.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is the program's exit error, once Done is closed.
func (p *Proc) Err() error { return p.waitErr }

// ListeningPeer starts a program that listens on a loopback port it is
// told on its command line: args makes its arguments for a port. network
// is "tcp", "tcp6" (a listening socket), "udp" (a bound one) or
// "udp+tcp" (both on the one port, as a DNS server has). The port
// is one the kernel just had free; ListeningPeer waits until the program
// itself holds it, alone, as /proc shows (the socket's inode is among the
// program's descriptors and no other socket has that port). When the
// program exits first, or another socket has the port too, another port
// is tried: a port taken in between costs a retry, never a test talking
// to the wrong program.
func ListeningPeer(t testing.TB, network, path string, args func(port int) []string) (*Proc, int) {
	t.Helper()
	for attempt := 1; attempt <= 8; attempt++ {
		port := candidatePort(t, network)
		p, err := start(nil, path, args(port)...)
		if err != nil {
			t.Fatal(err)
		}
		held, why := waitHolds(p, network, port)
		if held {
			t.Cleanup(p.Stop)
			return p, port
		}
		p.Stop()
		t.Logf("%s on port %d (attempt %d): %s; stderr: %s", path, port, attempt, why, p.Stderr.String())
	}
	t.Fatalf("%s never held a port of its own", path)
	return nil, 0
}

// candidatePort returns a port the kernel had free a moment ago. It is
// only a candidate: ListeningPeer checks that its program got it.
func candidatePort(t testing.TB, network string) int {
	t.Helper()
	network, _, _ = strings.Cut(network, "+")
	if strings.HasPrefix(network, "udp") {
		c, err := net.ListenPacket(network, net.JoinHostPort(loopback(network), "0"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return Port(c.LocalAddr())
	}
	l, err := net.Listen(network, net.JoinHostPort(loopback(network), "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return Port(l.Addr())
}

// waitHolds waits until p holds port alone, p exits, or PeerBound passes.
func waitHolds(p *Proc, network string, port int) (bool, string) {
	deadline := time.Now().Add(PeerBound)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return false, fmt.Sprintf("exited (%v)", p.waitErr)
		default:
		}
		held := true
		for _, proto := range strings.Split(network, "+") {
			mine, others := portSockets(p.Cmd.Process.Pid, proto, port)
			if others > 0 {
				return false, "another socket has the port (" + proto + ")"
			}
			held = held && mine > 0
		}
		if held {
			return true, ""
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false, "did not bind in time"
}

// portSockets counts the sockets on a local port in /proc/net/<network>
// (listening ones for TCP) that belong to pid, and the others on that port.
func portSockets(pid int, network string, port int) (mine, others int) {
	tables := []string{"tcp", "tcp6"}
	if strings.HasPrefix(network, "udp") {
		tables = []string{"udp", "udp6"}
	}
	want := fmt.Sprintf(":%04X", port)
	var found []string // the sockets' inodes on the port
	for _, table := range tables {
		data, _ := os.ReadFile("/proc/net/" + table)
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || !strings.HasSuffix(f[1], want) {
				continue
			}
			if table[:3] == "tcp" && f[3] != "0A" { // not LISTEN: a connection
				continue
			}
			found = append(found, f[9])
		}
	}
	// The program's descriptors are read after the tables: a socket it
	// made between the two reads is then among them (read before, it was
	// counted as another's, and the port given up, on a loaded machine).
	inodes := socketInodes(pid)
	for _, ino := range found {
		if inodes[ino] {
			mine++
		} else {
			others++
		}
	}
	return mine, others
}

// socketInodes returns the inodes of pid's sockets ("socket:[123]").
func socketInodes(pid int) map[string]bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, _ := os.ReadDir(dir)
	inodes := map[string]bool{}
	for _, e := range ents {
		link, err := os.Readlink(dir + "/" + e.Name())
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	return inodes
}
