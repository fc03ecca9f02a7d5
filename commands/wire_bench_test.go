package commands

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/capture"
	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
)

// wireBenchBytes is the size of one transfer of BenchmarkWireTransfer: 1
// GiB, or SOCKSHELL_WIRE_BENCH_BYTES.
func wireBenchBytes(b *testing.B) int64 {
	if v := os.Getenv("SOCKSHELL_WIRE_BENCH_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("SOCKSHELL_WIRE_BENCH_BYTES=%q", v)
		}
		return n
	}
	return 1 << 30
}

// wireBenchRounds is how many times BenchmarkWireTransfer runs its off
// and on sub-benchmarks in turn: 1, or SOCKSHELL_WIRE_BENCH_ROUNDS.
func wireBenchRounds(b *testing.B) int {
	if v := os.Getenv("SOCKSHELL_WIRE_BENCH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("SOCKSHELL_WIRE_BENCH_ROUNDS=%q", v)
		}
		return n
	}
	return 1
}

// BenchmarkWireTransfer sends a file (1 GiB) over loopback with sendfile
// to a peer that reads and discards it, with the wire off and on: the
// capture's cost on a bulk transfer, the packets the kernel dropped
// (dropped/op) and the packets it kept (captured/op).
//
// With SOCKSHELL_WIRE_BENCH_ROUNDS=n it runs off, on, off, on, ... n times
// each (off#01, on#01, ... after the first), so that both see the same
// moments of a shared machine's load (-count runs one sub-benchmark's
// counts in a row: all the offs, then all the ons).
//
//	go test ./commands -run '^$' -bench WireTransfer -benchtime 3x
//	SOCKSHELL_WIRE_BENCH_ROUNDS=8 go test ./commands -run '^$' -bench WireTransfer -benchtime 1x
func BenchmarkWireTransfer(b *testing.B) {
	size := wireBenchBytes(b)
	file := filepath.Join(b.TempDir(), "big")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	f.Truncate(size) // sparse: the page cache serves zeros
	// Once read, that is: the first read of a hole allocates and zeroes
	// its pages, which would be the first transfer's (a third of its CPU,
	// under -benchtime 1x a sample of its own).
	if _, err := io.Copy(io.Discard, f); err != nil {
		b.Fatal(err)
	}
	f.Close()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	rounds := wireBenchRounds(b)
	for r := 0; r < rounds; r++ {
		for _, on := range []bool{false, true} {
			wireTransferRun(b, on, port, file, size)
		}
	}
}

// wireTransferRun is one sub-benchmark of BenchmarkWireTransfer: b.N
// transfers of file to the discarding peer at port, in a new session
// with the wire off or on.
func wireTransferRun(b *testing.B, on bool, port int, file string, size int64) {
	name := "off"
	if on {
		name = "on"
	}
	b.Run(name, func(b *testing.B) {
		tm := faketerm.New(b, Table())
		if on {
			if _, errs := tm.Exec("wire on"); errs != "" {
				b.Skip(errs)
			}
			defer wireOf(tm.Session).stopCapture()
		}
		b.SetBytes(size)
		cpu0 := processCPU()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			tm.MustExec("socket tcp")
			tm.MustExec(fmt.Sprintf("connect s%d 127.0.0.1 %d", i+1, port))
			tm.MustExec(fmt.Sprintf("sendfile s%d %s", i+1, file))
			tm.MustExec(fmt.Sprintf("close s%d", i+1))
		}
		b.StopTimer()
		// The process's CPU a transfer (the peer that discards is in
		// it too): on a loaded machine the wall time is mostly waiting.
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		if on {
			_, _, st, _, _, _ := wireOf(tm.Session).status()
			b.ReportMetric(float64(st.Dropped)/float64(b.N), "dropped/op")
			b.ReportMetric(float64(st.Captured)/float64(b.N), "captured/op")
		}
	})
}

// BenchmarkWirePacketToLine is the time from a packet on the wire (the
// kernel's timestamp as the capture took it) to its event reaching a
// subscriber of the session's log, as the terminal's printer is one:
// a small send and its echo, one round a time.
func BenchmarkWirePacketToLine(b *testing.B) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
		}
	}()
	tm := faketerm.New(b, Table())
	if _, errs := tm.Exec("wire on"); errs != "" {
		b.Skip(errs)
	}
	defer wireOf(tm.Session).stopCapture()
	tm.MustExec("socket tcp")
	tm.MustExec(fmt.Sprintf("connect s1 127.0.0.1 %d", l.Addr().(*net.TCPAddr).Port))
	sub := tm.Session.Events().Subscribe(1024, func(e shell.Event) bool { return e.Kind == eventPacket })
	lat := make(chan time.Duration, 1<<16)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case e := <-sub.C():
				lat <- time.Since(e.Time)
			case <-stop:
				return
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tm.MustExec("send s1 x")
		tm.MustExec("recv s1 1")
	}
	b.StopTimer()
	time.Sleep(100 * time.Millisecond)
	close(stop)
	close(lat)
	var total, worst time.Duration
	n := 0
	for d := range lat {
		total += d
		worst = max(worst, d)
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(total.Microseconds())/float64(n), "µs-mean-to-line")
		b.ReportMetric(float64(worst.Microseconds()), "µs-max-to-line")
		b.ReportMetric(float64(n)/float64(b.N), "packets/op")
	}
}

// BenchmarkWireFrame is the capture's work for one packet of a bulk
// transfer once the ring has it (parse, match to its socket, keep, fold):
// its cost a GiB is this times the packets (about 33,000 on loopback, with
// 64 KiB segments and their ACKs).
func BenchmarkWireFrame(b *testing.B) {
	tm := faketerm.New(b, Table())
	w := wireOf(tm.Session)
	local, peer := netip.MustParseAddrPort("127.0.0.1:40000"), netip.MustParseAddrPort("127.0.0.1:7")
	ws := &wireSock{name: "s1", proto: capture.ProtoTCP, local: local, peer: peer, pending: map[netip.AddrPort]bool{}}
	w.socks[nil] = ws
	// A PSH,ACK segment 1000:... of Snaplen bytes in all: an IPv4 header,
	// a TCP header with NOP, NOP, TS and the payload.
	pkt := make([]byte, capture.Snaplen)
	pkt[0], pkt[8], pkt[9] = 0x45, 64, capture.ProtoTCP
	binary.BigEndian.PutUint16(pkt[2:4], uint16(len(pkt)))
	copy(pkt[12:16], local.Addr().AsSlice())
	copy(pkt[16:20], peer.Addr().AsSlice())
	tcp := pkt[20:]
	binary.BigEndian.PutUint16(tcp[0:2], local.Port())
	binary.BigEndian.PutUint16(tcp[2:4], peer.Port())
	binary.BigEndian.PutUint32(tcp[4:8], 1000)
	binary.BigEndian.PutUint32(tcp[8:12], 1)
	tcp[12], tcp[13] = 8<<4, capture.PSH|capture.ACK
	binary.BigEndian.PutUint16(tcp[14:16], 512)
	copy(tcp[20:24], []byte{1, 1, 8, 10})
	frame := capture.Frame{Data: pkt, Len: 65483, Outgoing: true, Time: time.Now()}
	iface := &wireIface{name: "lo", loopback: true, parser: capture.NewParser()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.frame(iface, frame)
	}
}
