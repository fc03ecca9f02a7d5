package tlsx

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"golang.org/x/sys/unix"
)

// tlsEchoServer is a Go TLS echo server on loopback, with the session's
// kind of certificate.
func tlsEchoServer(b *testing.B) net.Listener {
	b.Helper()
	pair, err := SessionCertificate(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	l, err := tls.Listen("tcp4", "127.0.0.1:0", ServerConfig(pair))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return l
}

// BenchmarkEcho64K is a 64 KiB round trip through TLS: over a session
// socket (bsd.Socket, this package's Conn), and over Go's own net.Conn
// (the same crypto/tls, for comparison).
func BenchmarkEcho64K(b *testing.B) {
	l := tlsEchoServer(b)
	ap := l.Addr().(*net.TCPAddr).AddrPort()
	msg := make([]byte, 64<<10)
	b.Run("bsd.Socket", func(b *testing.B) {
		s, err := bsd.New(unix.AF_INET, unix.SOCK_STREAM, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		if err := s.Connect(ctx, netip.MustParseAddr("127.0.0.1"), int(ap.Port())); err != nil {
			b.Fatal(err)
		}
		c := Client(s, &net.TCPAddr{}, &net.TCPAddr{}, ClientConfig{Insecure: true})
		if err := c.Handshake(ctx); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			if _, err := c.Write(ctx, msg); err != nil {
				b.Fatal(err)
			}
			for got := 0; got < len(msg); {
				p, err := c.Read(ctx, len(msg)-got)
				if err != nil || len(p) == 0 {
					b.Fatal(err)
				}
				got += len(p)
			}
		}
	})
	b.Run("net.Conn", func(b *testing.B) {
		c, err := tls.Dial("tcp4", ap.String(), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		buf := make([]byte, len(msg))
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			if _, err := c.Write(msg); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(c, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
