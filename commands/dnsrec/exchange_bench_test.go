package dnsrec_test

import (
	"syscall"
	"testing"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/commands/dnsrec"
	"github.com/sockshell/sockshell/shell/testenv"
)

// BenchmarkExchange: one A question asked of a local dnsmasq and its
// reply parsed (dnsrec.Exchange alone: the query packed, a socket, the
// round trip, the reply unpacked), without the shell around it.
func BenchmarkExchange(b *testing.B) {
	addr := testenv.Dnsmasq(b, "192.0.2.7 seven.bench.test\n", "--local=/test/")
	q := dnsrec.Question{Name: "seven.bench.test", Type: dns.TypeA, Server: addr}
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		r, err := dnsrec.Exchange(b.Context(), q)
		if err != nil || len(r.Msg.Answer) != 1 {
			b.Fatal(r, err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU is the process's CPU time so far (user and system), in
// nanoseconds: beside ns/op, what a query costs the machine on a noisy
// one (the collector's workers included; dnsmasq's own time is not).
func processCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
