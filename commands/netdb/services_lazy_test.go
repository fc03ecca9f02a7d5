package netdb

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestServicesParsedAsFarAsTheAnswer: a lookup parses the lines up to its
// answer and no further (as glibc's getservbyname reads the file); the
// next goes on from there; a miss, or All, parses the rest.
func TestServicesParsedAsFarAsTheAnswer(t *testing.T) {
	db := writeServices(t, "# head\nalpha 1/tcp a1\n\nbeta 2/udp\ngamma 3/tcp\ndelta 4/tcp\n")
	parsed := func() int { db.mu.Lock(); defer db.mu.Unlock(); return len(db.entries) }
	if n := parsed(); n != 0 {
		t.Fatalf("%d entries parsed at the load, want 0", n)
	}
	if s, err := db.ByName("a1", "tcp"); err != nil || s.Name != "alpha" || parsed() != 1 {
		t.Fatalf("ByName(a1) = %+v, %v with %d parsed, want alpha with 1", s, err, parsed())
	}
	if s, err := db.ByPort(3); err != nil || s.Name != "gamma" || parsed() != 3 {
		t.Fatalf("ByPort(3) = %+v, %v with %d parsed, want gamma with 3", s, err, parsed())
	}
	if s, err := db.ByName("beta"); err != nil || s.Port != 2 || parsed() != 3 {
		t.Fatalf("ByName(beta) = %+v, %v with %d parsed, want port 2 with 3", s, err, parsed())
	}
	if _, err := db.ByName("nosuch"); err == nil || parsed() != 4 {
		t.Fatalf("ByName(nosuch) = %v with %d parsed, want an error with all 4", err, parsed())
	}
	if all := db.All(); len(all) != 4 || all[3].Name != "delta" {
		t.Fatalf("All = %+v", all)
	}
}

// TestServicesLazyAsWholeParse: every lookup a real database can be asked
// (each name, alias and port, with and without its protocol) answers, on
// a database that has parsed nothing yet, what the first match of the
// whole parse is; so does a database asked many questions at once.
func TestServicesLazyAsWholeParse(t *testing.T) {
	texts := map[string]string{"embedded": embeddedServicesText}
	if b, err := os.ReadFile(SystemServicesPath); err == nil {
		texts[SystemServicesPath] = string(b)
	}
	for src, text := range texts {
		whole, err := parseServicesText(text)
		if err != nil {
			t.Fatal(err)
		}
		firstName := func(name, proto string) string {
			for _, s := range whole {
				if (proto == "" || s.Proto == proto) && (s.Name == name || strings.Contains(" "+strings.Join(s.Aliases, " ")+" ", " "+name+" ")) {
					return s.Name + "/" + s.Proto
				}
			}
			return "none"
		}
		fresh := func() *ServicesDB {
			db := &ServicesDB{Source: src}
			if err := db.start(text); err != nil {
				t.Fatal(err)
			}
			return db
		}
		got := func(s Service, err error) string {
			if err != nil {
				return "none"
			}
			return s.Name + "/" + s.Proto
		}
		shared := fresh()
		var wg sync.WaitGroup
		for _, e := range whole {
			for _, n := range append([]string{e.Name, "x" + e.Name}, e.Aliases...) {
				for _, proto := range []string{"", e.Proto, "udp"} {
					want := firstName(n, proto)
					var args []string
					if proto != "" {
						args = []string{proto}
					}
					if g := got(fresh().ByName(n, args...)); g != want {
						t.Errorf("%s: ByName(%q, %q) = %s, want %s", src, n, proto, g, want)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						if g := got(shared.ByName(n, args...)); g != want {
							t.Errorf("%s: shared ByName(%q, %q) = %s, want %s", src, n, proto, g, want)
						}
					}()
				}
			}
			want := "none"
			for _, s := range whole {
				if s.Port == e.Port && s.Proto == e.Proto {
					want = s.Name + "/" + s.Proto
					break
				}
			}
			if g := got(fresh().ByPort(e.Port, e.Proto)); g != want {
				t.Errorf("%s: ByPort(%d, %q) = %s, want %s", src, e.Port, e.Proto, g, want)
			}
		}
		wg.Wait()
		if all := fresh().All(); len(all) != len(whole) {
			t.Errorf("%s: All has %d entries, the whole parse %d", src, len(all), len(whole))
		}
	}
}

// TestServicesTooLongLineAtLoad: a line longer than glibc reads makes the
// file unreadable at its load, wherever the line is (a lookup answered
// before it would otherwise never see it).
func TestServicesTooLongLineAtLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "services")
	text := "http 80/tcp\n" + strings.Repeat("x", maxServicesLine+1) + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadServices(path); !errors.Is(err, bufio.ErrTooLong) {
		t.Fatalf("LoadServices = %v, want %v", err, bufio.ErrTooLong)
	}
}
