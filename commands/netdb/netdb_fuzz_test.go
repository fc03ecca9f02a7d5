package netdb

// Fuzz targets (issue 14) for the files the name service reads: services(5)
// and hosts(5). Seeds are in testdata/fuzz.

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzServicesFile(f *testing.F) {
	for _, s := range []string{"http 80/tcp www # web\n", "x 0x50/tcp\ny 0120//udp a b\n", "z 4294967296/tcp\n", "w 65536/tcp\n\x00 1/\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		svcs, err := parseServices(bytes.NewReader(data))
		if err != nil {
			return // a line over 1 MiB
		}
		for _, s := range svcs {
			if s.Port < 0 || s.Port > 65535 {
				t.Errorf("port %d from %q", s.Port, data)
			}
			if s.Name == "" || strings.ContainsAny(s.Name, " \t\n#") || strings.ContainsAny(s.Proto, " \t\n#") { // a / may stay in it, as in glibc
				t.Errorf("service %+v from %q", s, data)
			}
		}
	})
}

func FuzzHostsFile(f *testing.F) {
	for _, s := range []string{"127.0.0.1 localhost lh # me\n", "::1 ip6-localhost\nfe80::1%eth0 scoped\n", "1.2.3.4\n#\n\t10.0.0.1\tx\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, l := range parseHosts(bytes.NewReader(data)) {
			if !l.addr.IsValid() || l.addr.Zone() != "" || l.name == "" || strings.ContainsAny(l.name, " \t#") {
				t.Errorf("line %+v from %q", l, data)
			}
			for _, a := range l.aliases {
				if a == "" || strings.ContainsAny(a, " \t#") {
					t.Errorf("alias %q from %q", a, data)
				}
			}
		}
	})
}
