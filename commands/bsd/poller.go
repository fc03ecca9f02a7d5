// This file holds a socket's place in Go's runtime poller, which it joins
// only when a call first has to wait. A call the kernel answers at once
// (a loopback connect, a recv with data waiting, every getsockopt) needs no
// poller: joining it costs three system calls a socket (fcntl F_GETFL and
// epoll_ctl ADD when the os.File is made, epoll_ctl DEL when it closes) and
// an os.File, which a socket that never waits (connect, close) never uses.

package bsd

import (
	"os"
	"strconv"
	"sync"
	"syscall"
)

// firstSocket makes the process's first socket join the poller at once,
// so that the runtime's own poller (its epoll and eventfd descriptors,
// made when the first os.File joins it) exists from the start: made later,
// with every descriptor the process may have in use (ulimit -n), it could
// not be made, and the runtime would stop the program (fatal error:
// netpollinit failed) instead of a call failing with EMFILE.
var firstSocket sync.Once

// polled is the runtime poller's hold on a socket's descriptor.
type polled struct {
	file *os.File        // owns fd from then on; closing it closes the socket
	raw  syscall.RawConn // file's poller-aware access to fd
}

// rawControl runs f on the descriptor, which stays open meanwhile: Close
// waits for it (pmu), whether or not the socket has joined the poller,
// and f is called directly (no closure for the poller's Control to keep,
// so neither f nor what it captures has to live on the heap). A closed
// socket gives os.ErrClosed. f must not call Close.
func (s *Socket) rawControl(f func(fd uintptr)) error {
	s.pmu.RLock()
	if s.fdGone {
		s.pmu.RUnlock()
		return os.ErrClosed
	}
	f(uintptr(s.fd))
	s.pmu.RUnlock()
	return nil
}

// poller is the socket's hold in the runtime poller, made on first use.
func (s *Socket) poller() (*polled, error) {
	if p := s.polled.Load(); p != nil {
		return p, nil
	}
	s.pmu.Lock()
	defer s.pmu.Unlock()
	if p := s.polled.Load(); p != nil {
		return p, nil
	}
	if s.fdGone {
		return nil, os.ErrClosed
	}
	f := os.NewFile(uintptr(s.fd), "socket:"+strconv.Itoa(s.fd))
	raw, err := f.SyscallConn()
	if err != nil {
		// Not reached for a file os.NewFile made; the file would own fd.
		s.fdGone = true
		f.Close()
		return nil, err
	}
	p := &polled{file: f, raw: raw}
	s.polled.Store(p)
	return p, nil
}

// closeFD closes the descriptor once no rawControl uses it: directly, or
// through the poller's file, which also wakes the calls waiting in it
// (and waits for them to let go; they may call rawControl meanwhile,
// which then finds the socket closed).
func (s *Socket) closeFD() error {
	s.pmu.Lock()
	if s.fdGone {
		s.pmu.Unlock()
		return nil
	}
	s.fdGone = true
	p := s.polled.Load()
	if p == nil {
		err := syscall.Close(s.fd)
		s.pmu.Unlock()
		return err
	}
	s.pmu.Unlock()
	return p.file.Close()
}
