package commands

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/sockshell/sockshell/shell"
)

// BenchmarkPrintRecv is a real recv printed as the shell prints it: a
// loopback UDP peer sends 60,000 bytes (every byte value in turn, as
// BenchmarkBytesRepr's input) and `recv s1 65536` receives them and prints
// their repr through the python format to the terminal. Its allocations
// are the receive's (the result's 60,000 bytes, its event) and the
// dispatcher's; the repr's 176 KB goes into the session's render buffer.
func BenchmarkPrintRecv(b *testing.B) {
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer peer.Close()
	s := shell.NewSession(Table(), io.Discard, io.Discard)
	ctx := context.Background()
	for _, line := range []string{"socket udp", fmt.Sprintf("connect s1 127.0.0.1 %d", peer.LocalAddr().(*net.UDPAddr).Port), "send s1 hello"} {
		if e := s.Exec(ctx, line, ""); e != nil {
			b.Fatal(line, ": ", e)
		}
	}
	buf := make([]byte, 16)
	_, from, err := peer.ReadFromUDP(buf)
	if err != nil {
		b.Fatal(err)
	}
	p := make([]byte, 60000)
	for i := range p {
		p[i] = byte(i * 7)
	}
	recv := func() {
		if _, err := peer.WriteToUDP(p, from); err != nil {
			b.Fatal(err)
		}
		if e := s.Exec(ctx, "recv s1 65536", ""); e != nil {
			b.Fatal(e)
		}
	}
	for range 64 { // a warm session
		recv()
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		recv()
	}
}
