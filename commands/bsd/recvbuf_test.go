package bsd

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRecvBuf: RecvBuf fills the caller's buffer, as Python's recv_into
// does, returns 0 at end of file, and every byte is counted once.
func TestRecvBuf(t *testing.T) {
	client, server := pair(t, unix.AF_INET)
	want := bytes.Repeat([]byte("0123456789"), 1000)
	if _, err := server.SendAll(ctxT(t), want); err != nil {
		t.Fatal(err)
	}
	server.Close()
	var got []byte
	buf := make([]byte, 777)
	for {
		n, err := client.RecvBuf(ctxT(t), buf)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want the %d sent", len(got), len(want))
	}
	if recv := client.Received(); recv != int64(len(want)) {
		t.Errorf("counted %d bytes received, want %d", recv, len(want))
	}
	if n, err := client.RecvBuf(ctxT(t), nil); n != 0 || err != nil {
		t.Errorf("an empty buffer: %d, %v", n, err)
	}
}
