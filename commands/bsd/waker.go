// This file holds Waker: an edge-triggered epoll set over sockets, so the
// watcher looks at them as soon as the kernel has news, and not only on
// its tick.

package bsd

import (
	"time"

	"golang.org/x/sys/unix"
)

// Waker wakes when one of its sockets has news from the kernel: data or a
// connection arrives (EPOLLIN), the peer's FIN (EPOLLRDHUP), a reset or an
// error (EPOLLERR, EPOLLHUP). It is edge-triggered (EPOLLET): each arrival
// wakes it once, data left waiting does not wake it again. It never reads
// from a socket.
type Waker struct {
	ep   int // the epoll set
	stop int // an eventfd in the set: Stop writes it
	evs  [64]unix.EpollEvent
}

// NewWaker makes an epoll set over the open sockets among socks.
func NewWaker(socks []*Socket) (*Waker, error) {
	w, err := NewEmptyWaker()
	if err != nil {
		return nil, err
	}
	for _, s := range socks {
		w.Add(s)
	}
	return w, nil
}

// NewEmptyWaker makes an epoll set of no socket yet (Add adds them), so a
// caller can add many one at a time and stop between any two.
func NewEmptyWaker() (*Waker, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	stop, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(ep)
		return nil, err
	}
	w := &Waker{ep: ep, stop: stop}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, stop, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(stop)}); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Add puts an open socket in the set (a closed one is left out): its
// arrivals, its peer's end and its errors wake Wait, edge-triggered. It may
// run while another goroutine calls Stop.
func (w *Waker) Add(s *Socket) {
	s.control(func(fd int) error {
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLERR | unix.EPOLLHUP | unix.EPOLLET, Fd: int32(fd)}
		return unix.EpollCtl(w.ep, unix.EPOLL_CTL_ADD, fd, &ev)
	})
}

// Wait blocks until a socket has news, Stop is called, or timeout passes;
// it reports whether Stop was called, and whether a socket had news.
func (w *Waker) Wait(timeout time.Duration) (stopped, news bool) {
	n, err := unix.EpollWait(w.ep, w.evs[:], int(timeout.Milliseconds()))
	if err != nil {
		return false, false // EINTR: the caller looks, and waits again
	}
	for _, e := range w.evs[:n] {
		if int(e.Fd) == w.stop {
			return true, false
		}
	}
	return false, n > 0
}

// Stop makes Wait return at once, now and from then on.
func (w *Waker) Stop() {
	one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
	unix.Write(w.stop, one)
}

// Close releases the set; call it once no Wait runs.
func (w *Waker) Close() {
	unix.Close(w.stop)
	unix.Close(w.ep)
}
