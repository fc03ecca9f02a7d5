package bsd

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestOptionsRoundTrip(t *testing.T) {
	kinds := []struct{ family, sotype int }{
		{unix.AF_INET, unix.SOCK_STREAM}, {unix.AF_INET6, unix.SOCK_STREAM},
		{unix.AF_INET, unix.SOCK_DGRAM}, {unix.AF_INET6, unix.SOCK_DGRAM},
	}
	for _, k := range kinds {
		t.Run(FamilyName(k.family)+"/"+TypeName(k.sotype), func(t *testing.T) {
			s := open(t, k.family, k.sotype)
			for _, o := range Options() {
				v, err := s.GetSockOpt(o)
				if err != nil {
					mustErrno(t, "get "+o.Name, err)
					continue
				}
				_ = v.Describe()
				err = s.SetSockOpt(o, v.String())
				if err != nil {
					mustErrno(t, "set "+o.Name+" "+v.String(), err)
					continue
				}
				if o.Kind == BoolKind && o.Name != "TCP_QUICKACK" {
					if w, err := s.GetSockOpt(o); err != nil || w.Int != v.Int {
						t.Errorf("%s: set %v, read back %v (%v)", o.Name, v, w, err)
					}
				}
			}
		})
	}
}

func mustErrno(t *testing.T, what string, err error) {
	t.Helper()
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		t.Errorf("%s: %v is not an errno", what, err)
	}
}

func TestOptionValues(t *testing.T) {
	s := open(t, unix.AF_INET, unix.SOCK_STREAM)
	set := func(name, value string) {
		t.Helper()
		o, err := LookupOption(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSockOpt(o, value); err != nil {
			t.Fatalf("set %s %s: %v", name, value, err)
		}
	}
	get := func(name string) Value {
		t.Helper()
		o, _ := LookupOption(name)
		v, err := s.GetSockOpt(o)
		if err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		return v
	}
	set("so_reuseaddr", "on")
	set("TCP_NODELAY", "1")
	set("IP_TTL", "42")
	set("SO_LINGER", "1, 5")
	set("SO_RCVTIMEO", "0.5")
	set("SO_KEEPALIVE", "true")
	for name, want := range map[string]string{"SO_REUSEADDR": "1", "TCP_NODELAY": "1", "IP_TTL": "42",
		"SO_LINGER": "(1, 5)", "SO_RCVTIMEO": "0.5", "SO_KEEPALIVE": "1"} {
		if got := get(name).String(); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	if d := get("SO_RCVTIMEO"); d.Timeout != 500*time.Millisecond || d.Describe() != "500ms" {
		t.Errorf("SO_RCVTIMEO %v %q", d.Timeout, d.Describe())
	}
	if v := get("SO_TYPE"); v.Describe() != "SOCK_STREAM" {
		t.Errorf("SO_TYPE %s", v.Describe())
	}
	if v := get("SO_DOMAIN"); v.Describe() != "AF_INET" {
		t.Errorf("SO_DOMAIN %s", v.Describe())
	}
	if v := get("SO_PROTOCOL"); v.Describe() != "IPPROTO_TCP" {
		t.Errorf("SO_PROTOCOL %s", v.Describe())
	}
	if v := get("SO_LINGER"); v.Describe() != "on, 5 s" || v.Python() != 1 {
		t.Errorf("SO_LINGER %q %d", v.Describe(), v.Python())
	}
	// IPv6 options on an AF_INET socket: the kernel's errno.
	o, _ := LookupOption("IPV6_V6ONLY")
	if _, err := s.GetSockOpt(o); !errors.Is(err, unix.ENOPROTOOPT) && !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("IPV6_V6ONLY on inet: %v", err)
	}
	// Read-only options are refused by the kernel.
	o, _ = LookupOption("SO_TYPE")
	if err := s.SetSockOpt(o, "2"); !errors.Is(err, unix.ENOPROTOOPT) {
		t.Errorf("set SO_TYPE: %v", err)
	}
	// Bad values are refused before any call.
	for name, bad := range map[string]string{"IP_TTL": "lots", "SO_LINGER": "on", "SO_RCVTIMEO": "-1"} {
		o, _ := LookupOption(name)
		if err := s.SetSockOpt(o, bad); err == nil {
			t.Errorf("set %s %q succeeded", name, bad)
		} else if class, _, _, _ := pythonClass(err); class != "ValueError" {
			t.Errorf("set %s %q: class %s", name, bad, class)
		}
	}
}

func TestLookup(t *testing.T) {
	if o, err := LookupLevelOption("SOL_SOCKET", "SO_RCVBUF"); err != nil || o.Number != unix.SO_RCVBUF {
		t.Errorf("SOL_SOCKET SO_RCVBUF: %v %v", o, err)
	}
	if o, err := LookupLevelOption("6", "1"); err != nil || o.Name != "TCP_NODELAY" {
		t.Errorf("6 1: %v %v", o, err)
	}
	if o, err := LookupLevelOption("SOL_SOCKET", "99"); err != nil || o.Kind != IntKind {
		t.Errorf("SOL_SOCKET 99: %v %v", o, err)
	}
	if _, err := LookupLevelOption("SOL_SOCKET", "TCP_NODELAY"); err == nil {
		t.Error("TCP_NODELAY at SOL_SOCKET accepted")
	}
	if _, err := LookupOption("SO_NOPE"); err == nil {
		t.Error("SO_NOPE found")
	}
	o, _ := LookupOption("TCP_NODELAY")
	if o.AppliesTo(unix.AF_INET, unix.SOCK_DGRAM) || !o.AppliesTo(unix.AF_INET6, unix.SOCK_STREAM) {
		t.Error("TCP_NODELAY applies wrongly")
	}
	o, _ = LookupOption("IPV6_V6ONLY")
	if o.AppliesTo(unix.AF_INET, unix.SOCK_STREAM) {
		t.Error("IPV6_V6ONLY applies to inet")
	}
}
