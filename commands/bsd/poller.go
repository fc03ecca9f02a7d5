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
	"syscall"
)

// polled is the runtime poller's hold on a socket's descriptor.
type polled struct {
	file *os.File        // owns fd from then on; closing it closes the socket
	raw  syscall.RawConn // file's poller-aware access to fd
}

// rawControl runs f on the descriptor, which stays open meanwhile: through
// the poller's file once the socket has joined it, or else under pmu
// (Close waits for it). A closed socket gives os.ErrClosed.
func (s *Socket) rawControl(f func(fd uintptr)) error {
	if p := s.polled.Load(); p != nil {
		return p.raw.Control(f)
	}
	s.pmu.RLock()
	if p := s.polled.Load(); p != nil {
		s.pmu.RUnlock()
		return p.raw.Control(f)
	}
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

// closeFD closes the descriptor: through the poller's file, which wakes
// the calls waiting in it, or directly once no call uses it.
func (s *Socket) closeFD() error {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	if p := s.polled.Load(); p != nil {
		return p.file.Close()
	}
	if s.fdGone {
		return nil
	}
	s.fdGone = true
	return syscall.Close(s.fd)
}
