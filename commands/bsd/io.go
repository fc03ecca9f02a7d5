// This file holds the data calls: send, sendall, sendto, sendfile, recv,
// recvfrom and the streaming RecvInto.

package bsd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// streamChunk is the buffer RecvInto and the sendfile fallback use.
const streamChunk = 64 << 10

// MaxRecv bounds the buffer size of one Recv or RecvFrom; use RecvInto for
// more.
const MaxRecv = 64 << 20

// checkBufsize refuses a negative or too large recv buffer size.
func checkBufsize(op string, n int) error {
	switch {
	case n < 0:
		return &Error{Op: op, Class: "ValueError", Msg: "negative buffersize in " + op}
	case n > MaxRecv:
		return &Error{Op: op, Class: "ValueError", Msg: fmt.Sprintf("buffersize %d is too large (at most %d)", n, MaxRecv)}
	}
	return nil
}

// Send sends p with one send call, which may send only part of it (Python's
// s.send). It returns the bytes sent.
func (s *Socket) Send(ctx context.Context, p []byte) (int, error) {
	n, err := s.sendOnce(ctx, p, nil, nil)
	err = opError("send", "", err)
	s.reportCall(EventSent, "send", int64(n), netip.AddrPort{}, err)
	return n, err
}

// SendAll sends all of p, calling send as often as needed (Python's
// s.sendall). As in Python 3.5 and later, the socket's timeout bounds the
// whole call, not each send. It returns the bytes sent, also when it fails
// part way.
func (s *Socket) SendAll(ctx context.Context, p []byte) (int, error) {
	w := &waits{}
	if t, bounded := s.Timeout(); bounded && t > 0 {
		w.deadline = time.Now().Add(t)
	}
	total := 0
	for total < len(p) || len(p) == 0 {
		n, err := s.sendOnce(ctx, p[total:], nil, w)
		total += n
		if err != nil {
			err = opError("sendall", "", err)
			s.reportCall(EventSent, "sendall", int64(total), netip.AddrPort{}, err)
			return total, err
		}
		if len(p) == 0 {
			break
		}
	}
	s.reportCall(EventSent, "sendall", int64(total), netip.AddrPort{}, nil)
	return total, nil
}

// SendTo sends the datagram p to ip:port (Python's s.sendto).
func (s *Socket) SendTo(ctx context.Context, p []byte, ip netip.Addr, port int) (int, error) {
	addr := addrString(ip, port)
	sa, err := toSockaddr(s.family, ip, port)
	if err != nil {
		return 0, opError("sendto", addr, err)
	}
	s.beforeOutbound(ip, port)
	n, err := s.sendOnce(ctx, p, sa, nil)
	err = opError("sendto", addr, err)
	s.reportCall(EventSent, "sendto", int64(n), netip.AddrPortFrom(ip, uint16(port)), err)
	return n, err
}

// sendOnce makes one successful sendto, waiting while it would block.
func (s *Socket) sendOnce(ctx context.Context, p []byte, to unix.Sockaddr, w *waits) (int, error) {
	if w == nil {
		w = s.takeWaits(writable)
		defer s.putWaits(writable, w)
	}
	// The call's state lives in w (a loop's calls reuse it): no
	// allocation a call.
	if w.send == nil {
		w.send = &sendCall{}
		w.send.fn = w.send.attempt
	}
	sc := w.send
	sc.tr, sc.p, sc.to = s.tr(), p, to
	err := s.await(ctx, writable, w, sc.fn)
	n, callErr := sc.n, sc.err
	sc.p, sc.to = nil, nil
	if err == nil {
		err = callErr
	}
	if err != nil {
		s.notePeer(err)
		return 0, s.withWhy(err)
	}
	s.sent.Add(int64(n))
	return n, nil
}

// SendFile sends the rest of f from its current offset with sendfile(2),
// and leaves f's offset after the last byte sent, as Python's s.sendfile
// does. A file that sendfile cannot read (a pipe, say) is copied with
// read and send instead. It returns the bytes sent.
func (s *Socket) SendFile(ctx context.Context, f *os.File) (int64, error) {
	start, err := f.Seek(0, io.SeekCurrent)
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		} else {
			err = unix.ESPIPE
		}
	}
	if err != nil {
		return s.copyFrom(ctx, f)
	}
	fconn, err := f.SyscallConn()
	if err != nil {
		return s.copyFrom(ctx, f)
	}
	tr := s.tr()
	w := &waits{}
	off := start
	var sendErr error
	for off < size && sendErr == nil {
		count := int(min(size-off, 1<<30))
		var n int
		var callErr error
		sendErr = s.await(ctx, writable, w, func(outfd int) bool {
			ctlErr := fconn.Control(func(infd uintptr) {
				n, callErr = sysSendfile(tr, outfd, int(infd), &off, count)
			})
			if ctlErr != nil {
				callErr = ctlErr
			}
			return callErr != unix.EAGAIN && callErr != unix.EINTR
		})
		if n > 0 {
			s.sent.Add(int64(n))
		}
		if sendErr == nil {
			sendErr = callErr
		}
		if sendErr == nil && n == 0 {
			break // the file shrank
		}
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil && sendErr == nil {
		sendErr = err
	}
	s.notePeer(sendErr)
	sendErr = opError("sendfile", "", s.withWhy(sendErr))
	s.reportCall(EventSent, "sendfile", off-start, netip.AddrPort{}, sendErr)
	return off - start, sendErr
}

// SendFrom sends r until EOF with read and send, as SendFile does for a
// file sendfile(2) cannot read; a reader that ends on ctx makes it
// cancellable while r waits too. It returns the bytes sent.
func (s *Socket) SendFrom(ctx context.Context, r io.Reader) (int64, error) {
	return s.copyFrom(ctx, r)
}

// copyFrom sends r until EOF with read and send, for SendFile's fallback,
// and reports it as one call.
func (s *Socket) copyFrom(ctx context.Context, r io.Reader) (int64, error) {
	n, err := s.copyFromQuiet(ctx, r)
	s.reportCall(EventSent, "sendfile", n, netip.AddrPort{}, err)
	return n, err
}

func (s *Socket) copyFromQuiet(ctx context.Context, r io.Reader) (int64, error) {
	buf := make([]byte, streamChunk)
	w := &waits{keep: true}
	defer w.done()
	var total int64
	for {
		n, rerr := r.Read(buf)
		for k := 0; k < n; {
			m, err := s.sendOnce(ctx, buf[k:n], nil, w)
			k += m
			total += int64(m)
			if err != nil {
				return total, opError("sendfile", "", err)
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		var pe *fs.PathError
		if errors.As(rerr, &pe) {
			return total, rerr // a read error names its file
		}
		if rerr != nil {
			return total, opError("sendfile", "", rerr)
		}
	}
}

// Recv receives up to n bytes with one recv call (Python's s.recv(n)). An
// empty result on a stream socket means the peer closed its side (EOF).
func (s *Socket) Recv(ctx context.Context, n int) ([]byte, error) {
	if err := checkBufsize("recv", n); err != nil {
		return nil, err
	}
	if n == 0 {
		// CPython's recv(0) returns b'' at once without a system call (3.11,
		// strace shows none), whatever the socket's state; recvfrom(0) does
		// call the kernel.
		return []byte{}, nil
	}
	buf := make([]byte, n)
	got, _, _, err := s.recvOnce(ctx, buf, nil)
	err = opError("recv", "", err)
	s.reportCall(EventReceived, "recv", int64(got), netip.AddrPort{}, err)
	if err != nil {
		return nil, err
	}
	return buf[:got], nil
}

// RecvWaiting is Recv waiting as long as ctx lasts, whatever the socket's
// timeout (settimeout applies to one call; a pass-through such as attach
// waits for the peer as long as the user does). Its calls are counted and
// reported as Recv's are.
func (s *Socket) RecvWaiting(ctx context.Context, n int) ([]byte, error) {
	if err := checkBufsize("recv", n); err != nil || n == 0 {
		return []byte{}, err
	}
	buf := make([]byte, n)
	got, _, _, err := s.recvOnce(ctx, buf, &waits{untimed: true})
	err = opError("recv", "", err)
	s.reportCall(EventReceived, "recv", int64(got), netip.AddrPort{}, err)
	if err != nil {
		return nil, err
	}
	return buf[:got], nil
}

// RecvFrom receives up to n bytes and the sender's address (Python's
// s.recvfrom(n)). On a connected stream socket the address is the zero
// AddrPort (Python shows None). RecvFromAddr gives any family's address.
func (s *Socket) RecvFrom(ctx context.Context, n int) ([]byte, netip.AddrPort, error) {
	p, from, _, err := s.RecvFromAddr(ctx, n)
	return p, from.AddrPort, err
}

// RecvFromAddr is RecvFrom with the sender's address in full, an AF_UNIX
// one too; ok is false when the kernel gave none (Python's None: a
// connected stream, or a datagram from an unbound Unix socket).
func (s *Socket) RecvFromAddr(ctx context.Context, n int) (p []byte, from SockAddr, ok bool, err error) {
	if err := checkBufsize("recvfrom", n); err != nil {
		return nil, SockAddr{}, false, err
	}
	buf := make([]byte, n)
	got, from, ok, err := s.recvOnce(ctx, buf, nil)
	err = opError("recvfrom", "", err)
	s.reportCallTo(EventReceived, "recvfrom", int64(got), from, err)
	if err != nil {
		return nil, SockAddr{}, false, err
	}
	return buf[:got], from, ok, nil
}

// RecvInto receives until the peer closes (EOF) and writes everything to w,
// in constant memory (one 64 KiB buffer). It returns the bytes received.
func (s *Socket) RecvInto(ctx context.Context, w io.Writer) (int64, error) {
	return s.RecvIntoMax(ctx, w, -1)
}

// RecvIntoMax is RecvInto that stops after max bytes (max < 0: no limit),
// never reading a byte more from the socket: what follows stays queued for
// the next recv.
func (s *Socket) RecvIntoMax(ctx context.Context, w io.Writer, max int64) (int64, error) {
	if max == 0 {
		return 0, nil // asks for nothing: no system call, nothing to report
	}
	n, err := s.recvIntoMax(ctx, w, max)
	s.reportCall(EventReceived, "recv", n, netip.AddrPort{}, err)
	return n, err
}

func (s *Socket) recvIntoMax(ctx context.Context, w io.Writer, max int64) (int64, error) {
	buf := make([]byte, streamChunk)
	ws := &waits{keep: true}
	defer ws.done()
	var total int64
	for max < 0 || total < max {
		chunk := buf
		if max >= 0 && max-total < int64(len(chunk)) {
			chunk = buf[:max-total]
		}
		n, _, _, err := s.recvOnce(ctx, chunk, ws)
		if err != nil {
			return total, opError("recv", "", err)
		}
		if n == 0 {
			return total, nil
		}
		m, werr := w.Write(chunk[:n])
		total += int64(m)
		if werr != nil {
			if pe := (*fs.PathError)(nil); errors.As(werr, &pe) {
				return total, werr // a file's write error names its file
			}
			return total, opError("write", "", werr)
		}
	}
	return total, nil
}

// sendCall is one sendto's arguments and results, as a loop's calls share
// it (fn is its attempt, bound once).
type sendCall struct {
	tr  *Trace
	p   []byte
	to  unix.Sockaddr
	n   int
	err error
	fn  func(fd int) bool
}

func (c *sendCall) attempt(fd int) bool {
	c.n, c.err = sysSendto(c.tr, fd, c.p, c.to)
	return c.err != unix.EAGAIN && c.err != unix.EINTR
}

// recvCall is one recvfrom's arguments and results, as a loop's calls
// share it (fn is its attempt, bound once).
type recvCall struct {
	tr   *Trace
	buf  []byte
	n    int
	from SockAddr
	ok   bool
	err  error
	fn   func(fd int) bool
}

func (c *recvCall) attempt(fd int) bool {
	c.n, c.from, c.ok, c.err = sysRecvfrom(c.tr, fd, c.buf)
	return c.err != unix.EAGAIN && c.err != unix.EINTR
}

// recvOnce makes one successful recvfrom into buf, waiting while it would
// block, and keeps the counters and the peer status.
func (s *Socket) recvOnce(ctx context.Context, buf []byte, w *waits) (int, SockAddr, bool, error) {
	if w == nil {
		w = s.takeWaits(readable)
		defer s.putWaits(readable, w)
	}
	// The call's state lives in w (a loop's calls reuse it): no
	// allocation a call.
	if w.recv == nil {
		w.recv = &recvCall{}
		w.recv.fn = w.recv.attempt
	}
	rc := w.recv
	rc.tr, rc.buf = s.tr(), buf
	err := s.await(ctx, readable, w, rc.fn)
	n, from, ok, callErr := rc.n, rc.from, rc.ok, rc.err
	rc.buf = nil
	if err == nil {
		err = callErr
	}
	if err != nil {
		s.notePeer(err)
		return 0, SockAddr{}, false, err
	}
	s.recvd.Add(int64(n))
	if n == 0 && len(buf) > 0 && s.sotype == unix.SOCK_STREAM {
		s.control(func(fd int) error { s.noteEOF(fd); return nil })
	}
	return n, from, ok, nil
}
