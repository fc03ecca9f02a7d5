package bsd

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRecvBufAsRecv: RecvBuf puts what one recv call takes into the
// caller's buffer, counts it as Recv does, and returns 0 at the peer's
// end; an empty buffer reads nothing.
func TestRecvBufAsRecv(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sent := []byte("hello over a buffer of the caller's")
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		conn.Write(sent)
		conn.Close()
	}()
	s := open(t, unix.AF_INET, unix.SOCK_STREAM)
	ap := netip.MustParseAddrPort(l.Addr().String())
	if err := s.Connect(ctxT(t), ap.Addr(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	var got []byte
	p := make([]byte, 7)
	for {
		n, err := s.RecvBuf(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if n > len(p) {
			t.Fatalf("RecvBuf returned %d for a buffer of %d", n, len(p))
		}
		got = append(got, p[:n]...)
	}
	if !bytes.Equal(got, sent) {
		t.Fatalf("RecvBuf read %q, want %q", got, sent)
	}
	if s.Received() != int64(len(sent)) {
		t.Errorf("Received() = %d after RecvBuf, want %d", s.Received(), len(sent))
	}
	if n, err := s.RecvBuf(context.Background(), nil); n != 0 || err != nil {
		t.Errorf("RecvBuf of no buffer = %d, %v; want 0, nil", n, err)
	}
}
