package bsd

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/sockshell/sockshell/shell/testenv"
	"golang.org/x/sys/unix"
)

// TestWaker: the epoll set wakes once per arrival (data, the peer's FIN),
// not again for data left waiting (edge-triggered), returns at once after
// Stop, and reads nothing: recv gets every byte afterwards.
func TestWaker(t *testing.T) {
	ln := testenv.Listen(t, "tcp")
	s, err := New(unix.AF_INET, unix.SOCK_STREAM, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Connect(ctx, ap.Addr(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	w, err := NewWaker([]*Socket{s})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const long = 10 * time.Second // a guard against a hang only
	if _, news := w.Wait(20 * time.Millisecond); news {
		t.Error("news with nothing sent")
	}
	peer.Write([]byte("x"))
	if _, news := w.Wait(long); !news {
		t.Fatal("no news after the peer sent")
	}
	if _, news := w.Wait(20 * time.Millisecond); news {
		t.Error("news again for the same byte waiting (not edge-triggered)")
	}
	peer.Write([]byte("y"))
	if _, news := w.Wait(long); !news {
		t.Fatal("no news after the peer sent more")
	}
	peer.(*net.TCPConn).CloseWrite()
	if _, news := w.Wait(long); !news {
		t.Fatal("no news after the peer's FIN")
	}
	w.Stop()
	if stopped, _ := w.Wait(long); !stopped {
		t.Error("Wait after Stop did not say stopped")
	}
	got, err := s.Recv(ctx, 10)
	for err == nil && len(got) < 2 {
		var more []byte
		more, err = s.Recv(ctx, 10)
		if len(more) == 0 {
			break
		}
		got = append(got, more...)
	}
	if string(got) != "xy" || err != nil {
		t.Errorf("recv after the waker: %q, %v; want \"xy\"", got, err)
	}
}
