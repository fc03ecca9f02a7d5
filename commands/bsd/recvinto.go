package bsd

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/netip"
)

// recvIntoBuffer is how much RecvInto gathers before it writes to its
// writer: 16 of its 64 KiB recvs.
const recvIntoBuffer = 16 * streamChunk

// RecvInto receives until the peer closes (EOF) and writes everything to w,
// in constant memory (one 1 MiB buffer). It returns the bytes received.
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

// recvIntoMax makes the recvs of 64 KiB the Python line makes, and hands
// what they bring to w in writes of up to 1 MiB, as a buffered file takes
// them (Python's open() is one). One write a recv was a blocking system
// call long enough (a 64 KiB copy into the page cache) that the Go runtime
// handed the thread's P to another thread during most of them: a futex
// wake and a sleep for each 64 KiB. Whenever the socket has nothing queued
// and the next recv would wait, what came is written first, so a slow
// peer's bytes reach w as they arrive. The count returned is what w took.
func (s *Socket) recvIntoMax(ctx context.Context, w io.Writer, max int64) (int64, error) {
	buf := make([]byte, recvIntoBuffer)
	var (
		total       int64 // taken by w
		start, fill int   // buf[start:fill] is received and not yet written
		werr        error
	)
	write := func() {
		if start == fill || werr != nil {
			return
		}
		m, err := w.Write(buf[start:fill])
		total += int64(m)
		start, werr = fill, err
	}
	ws := &waits{keep: true, idle: write} // idle: a recv is about to wait
	defer ws.done()
	for werr == nil && (max < 0 || total+int64(fill-start) < max) {
		if start == fill {
			start, fill = 0, 0 // all written: fill from the start again
		}
		chunk := buf[fill : fill+streamChunk]
		if left := max - total - int64(fill-start); max >= 0 && left < int64(len(chunk)) {
			chunk = chunk[:left]
		}
		n, _, _, err := s.recvOnce(ctx, chunk, ws)
		if err != nil {
			write() // what came before the error is kept
			if werr == nil {
				return total, opError("recv", "", err)
			}
			break
		}
		if n == 0 {
			break
		}
		fill += n
		if len(buf)-fill < streamChunk {
			write()
		}
	}
	write()
	if werr != nil {
		if pe := (*fs.PathError)(nil); errors.As(werr, &pe) {
			return total, werr // a file's write error names its file
		}
		return total, opError("write", "", werr)
	}
	return total, nil
}
