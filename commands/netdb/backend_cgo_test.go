//go:build cgo && linux

package netdb

import (
	"reflect"
	"testing"
)

// TestGetaddrinfoRowsInOneCall checks the rows ss_getaddrinfo_rows packs
// into the Go buffer against the same lookups read row by row from glibc's
// list (the path an answer too large for the buffer takes): a buffer twice
// as long as the arguments leaves less room than one row's 32 bytes, so
// every lookup goes that way. Only local names and numeric addresses:
// nothing reaches a DNS server.
func TestGetaddrinfoRowsInOneCall(t *testing.T) {
	str := func(s string) *string { return &s }
	cases := []struct {
		host, port *string
		h          addrHints
	}{
		{str("localhost"), str("80"), addrHints{}},
		{str("localhost"), nil, addrHints{family: AF_INET}},
		{str("localhost"), str("http"), addrHints{flags: AI_CANONNAME}},
		{str("127.0.0.1"), str("7"), addrHints{socktype: SOCK_STREAM, flags: AI_CANONNAME}},
		{str("::1"), str("443"), addrHints{family: AF_INET6}},
		{str("fe80::1%lo"), str("22"), addrHints{family: AF_INET6, socktype: SOCK_DGRAM}},
		{nil, str("0"), addrHints{socktype: SOCK_DGRAM, flags: AI_PASSIVE}},
	}
	for _, c := range cases {
		got, err := cgoGetaddrinfo(c.host, c.port, c.h)
		if err != nil {
			t.Fatalf("%v %v %+v: %v", c.host, c.port, c.h, err)
		}
		args := 2
		for _, s := range []*string{c.host, c.port} {
			if s != nil {
				args += len(*s)
			}
		}
		if args >= 32 {
			t.Fatalf("%d bytes of arguments leave room for a row", args)
		}
		small, err := getaddrinfoInto(c.host, c.port, c.h, make([]byte, 2*args))
		if err != nil {
			t.Fatalf("%v %v %+v (small buffer): %v", c.host, c.port, c.h, err)
		}
		if !reflect.DeepEqual(got, small) || len(got) == 0 {
			t.Errorf("%v %v %+v:\n packed     %+v\n row by row %+v", c.host, c.port, c.h, got, small)
		}
	}
	// An error comes back as before.
	if _, err := cgoGetaddrinfo(str("localhost"), str("no-such-service-x"), addrHints{}); err == nil {
		t.Error("an unknown service: no error")
	}
}
