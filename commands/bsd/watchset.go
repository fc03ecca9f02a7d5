// This file holds WatchSet: the watcher's epoll sets over the session's
// sockets, kept from one prompt to the next (a socket is added once in
// its life, not once a prompt), and the Glance a pass takes from them.

package bsd

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// WatchSet is two epoll sets over the same sockets, each socket known by
// a token its caller chooses:
//
//   - an edge-triggered set that wakes the watcher (Wait) when a socket has
//     news: an arrival wakes it once, data left waiting does
//     not wake it again;
//   - a level-triggered set that a pass asks, in one epoll_wait that never
//     waits (Ready), which sockets poll would call readable, hung up or in
//     error right now: the same answer as one poll a socket (epoll asks each
//     socket's poll method), in one system call for all of them.
//
// A socket leaves both sets by itself when it is closed (the kernel drops
// a closed file from every epoll set); Remove takes out one still open.
// It never reads from a socket.
type WatchSet struct {
	et, lt int // the two epoll sets
	stop   int // an eventfd in the edge-triggered set: Stop writes it
	wake   [64]unix.EpollEvent
	ready  []unix.EpollEvent
	gl     glancer
}

// watchEvents are the events both sets ask for: what poll's POLLIN,
// POLLRDHUP, POLLERR and POLLHUP say (epoll's bits have poll's values).
const watchEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLERR | unix.EPOLLHUP

// NewWatchSet makes the two sets, empty.
func NewWatchSet() (*WatchSet, error) {
	w := &WatchSet{et: -1, lt: -1, stop: -1}
	var err error
	if w.et, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, err
	}
	if w.lt, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		w.Close()
		return nil, err
	}
	if w.stop, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		w.Close()
		return nil, err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: -1}
	if err := unix.EpollCtl(w.et, unix.EPOLL_CTL_ADD, w.stop, &ev); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Add puts an open socket in both sets under token (which must not be -1);
// false if it is closed, or the kernel refused.
func (w *WatchSet) Add(s *Socket, token int32) bool {
	err := s.control(func(fd int) error {
		ev := unix.EpollEvent{Events: watchEvents | unix.EPOLLET, Fd: token}
		if err := unix.EpollCtl(w.et, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return err
		}
		ev.Events = watchEvents
		if err := unix.EpollCtl(w.lt, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
			unix.EpollCtl(w.et, unix.EPOLL_CTL_DEL, fd, nil)
			return err
		}
		return nil
	})
	return err == nil
}

// Remove takes a socket still open out of both sets (a closed one left
// them when it closed).
func (w *WatchSet) Remove(s *Socket) {
	s.control(func(fd int) error {
		unix.EpollCtl(w.et, unix.EPOLL_CTL_DEL, fd, nil)
		unix.EpollCtl(w.lt, unix.EPOLL_CTL_DEL, fd, nil)
		return nil
	})
}

// Ready calls f with the token and poll's events of each socket in the
// set that is readable, hung up or in error now; the others have none.
// capacity is at least the number of sockets in the set. complete is false
// when the answer may be partial (more sockets ready than the buffer held,
// or the call failed): the caller then polls each socket itself.
func (w *WatchSet) Ready(capacity int, f func(token int32, events uint32)) (complete bool) {
	if n := capacity + 16; cap(w.ready) < n {
		w.ready = make([]unix.EpollEvent, n)
	}
	buf := w.ready[:cap(w.ready)]
	n, err := unix.EpollWait(w.lt, buf, 0)
	if err != nil || n == len(buf) {
		return false
	}
	for _, e := range buf[:n] {
		f(e.Fd, e.Events)
	}
	return true
}

// Wait blocks until a socket has news, Stop is called, or timeout passes;
// it reports whether Stop was called, and whether a socket had news.
func (w *WatchSet) Wait(timeout time.Duration) (stopped, news bool) {
	n, err := unix.EpollWait(w.et, w.wake[:], int(timeout.Milliseconds()))
	if err != nil {
		return false, false // EINTR: the caller looks, and waits again
	}
	for _, e := range w.wake[:n] {
		if e.Fd == -1 {
			return true, false
		}
	}
	return false, n > 0
}

// Stop makes Wait return at once, until Rearm.
func (w *WatchSet) Stop() {
	one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
	unix.Write(w.stop, one)
}

// Rearm undoes Stop, for the next wait at the prompt.
func (w *WatchSet) Rearm() {
	var b [8]byte
	unix.Read(w.stop, b[:])
}

// Close releases the sets; call it once no Wait, Ready, Add or Remove runs.
func (w *WatchSet) Close() {
	for _, fd := range []int{w.stop, w.lt, w.et} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	w.et, w.lt, w.stop = -1, -1, -1
}

// Glance is s's Glance with poll's answer given (events, from Ready):
// the same Glance, one system call fewer (none for a datagram socket with
// nothing waiting), and no allocation: the function the descriptor is
// lent to is made once per set (a pass is one goroutine's).
func (w *WatchSet) Glance(s *Socket, events uint32) (g Glance, ok bool) {
	if s.closed.Load() {
		return Glance{}, false
	}
	gl := &w.gl
	if gl.run == nil {
		gl.run = gl.look
	}
	gl.s, gl.events, gl.g = s, int16(events&0xffff), Glance{}
	err := s.rawControl(gl.run)
	g, gl.s = gl.g, nil
	return g, err == nil
}

// glancer lends a descriptor to glanceFrom without a closure a call.
type glancer struct {
	run    func(fd uintptr) // look, bound once
	s      *Socket
	events int16
	g      Glance
}

func (gl *glancer) look(fd uintptr) {
	s := gl.s
	gl.g = glanceFrom(int(fd), s.sotype == unix.SOCK_STREAM && s.proto == unix.IPPROTO_TCP, s.sotype == unix.SOCK_STREAM, s.shutRd.Load(), gl.events)
}

// tcpInfo reads TCP_INFO into a struct on the stack (unix.GetsockoptTCPInfo
// allocates one a call, and a pass makes one a TCP socket).
func tcpInfo(fd int, info *unix.TCPInfo) error {
	l := uint32(unsafe.Sizeof(*info))
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.IPPROTO_TCP, unix.TCP_INFO,
		uintptr(unsafe.Pointer(info)), uintptr(unsafe.Pointer(&l)), 0)
	if e != 0 {
		return e
	}
	return nil
}
