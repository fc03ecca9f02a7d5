package gopher_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/sockshell/sockshell/commands/gopher"
)

// Serve the demo gopherhole on loopback and fetch a text file from it. The
// caller dials; Fetch only talks over the connection.
func Example() {
	srv, err := gopher.NewServer("../../docs/gopherhole", nil)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)

	t, err := gopher.ParseURL("gopher://" + l.Addr().String() + "/0/protocols/tcp.txt")
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	rep, err := gopher.Fetch(ctx, conn, t, os.Stdout, &gopher.FetchOptions{
		Transcript: func(dir string, b []byte) {
			if dir == gopher.Sent {
				fmt.Printf("sent %q\n", b)
			}
		},
	})
	fmt.Println(rep.Bytes, err, gopher.TypeName(t.Type))
	// Output:
	// sent "/protocols/tcp.txt\r\n"
	// TCP gives a reliable, ordered byte stream between two sockets. There
	// are no message boundaries: two send() calls may arrive in one recv(),
	// and one send() may arrive in several. Gopher relies on the end of the
	// stream (the server closing the connection) to mark the end of a reply.
	// 280 <nil> TXT
}
