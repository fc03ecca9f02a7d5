// Command dnsfloor is row 7's exchange floor: the least the round trips
// to dnsmasq can cost, with nothing of sockshell's around them. It sends
// the very bytes the dns command sends (commands/dnsrec's query: the same
// name, flags and EDNS0 option, a new ID each) and reads each reply, and
// does nothing else: no parse beyond the reply's ID, no table, no output.
// Its time is the round trips': dnsmasq's work, the kernel's, the waits.
//
//	dnsfloor [-socket each|one] SERVER:PORT COUNT NAMES
//
// asks COUNT questions of SERVER:PORT, going round the names
// h0.bench.test ... h(NAMES-1).bench.test as row 7's script does. With
// -socket each (the default) every query has a socket of its own, with
// the system calls the dns command makes for one (socket, setsockopt
// SO_RCVTIMEO, connect, send, recv, close; dig -f too makes a socket a
// query); with -socket one, one connected socket carries every query
// (send, recv). A reply is checked for its ID and QR bit only.
// sockbench builds it and times it in row 7's hyperfine run; its figures
// are the floor's, never a target.
package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/miekg/dns"
	"github.com/sockshell/sockshell/commands/dnsrec"
	"golang.org/x/sys/unix"
)

func main() {
	mode := flag.String("socket", "each", "each: a new socket a query; one: one socket for all")
	flag.Parse()
	if flag.NArg() != 3 || (*mode != "each" && *mode != "one") {
		fmt.Fprintln(os.Stderr, "usage: dnsfloor [-socket each|one] SERVER:PORT COUNT NAMES")
		os.Exit(2)
	}
	ap, err := netip.ParseAddrPort(flag.Arg(0))
	count, err2 := strconv.Atoi(flag.Arg(1))
	names, err3 := strconv.Atoi(flag.Arg(2))
	if err != nil || err2 != nil || err3 != nil || !ap.Addr().Is4() || names < 1 {
		fmt.Fprintln(os.Stderr, "dnsfloor: SERVER:PORT is an IPv4 address and port, COUNT and NAMES numbers")
		os.Exit(2)
	}
	if err := run(ap, count, names, *mode == "one"); err != nil {
		fmt.Fprintln(os.Stderr, "dnsfloor:", err)
		os.Exit(1)
	}
}

// run asks the count questions; the queries' bytes are packed before the
// first is sent (a query's ID is its first two bytes, set for each).
func run(ap netip.AddrPort, count, names int, one bool) error {
	wire := make([][]byte, names)
	for i := range wire {
		b, err := dnsrec.NewQuery(fmt.Sprintf("h%d.bench.test", i), dns.TypeA).Pack()
		if err != nil {
			return err
		}
		wire[i] = b
	}
	sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	buf := make([]byte, 65535)
	guard := unix.NsecToTimeval(int64(10 * time.Second)) // no reply: fail, not hang
	fd := -1
	for i := 0; i < count; i++ {
		if fd < 0 {
			var err error
			if fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0); err != nil {
				return err
			}
			// As the dns command's socket: a receive timeout, then connect.
			if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &guard); err != nil {
				return err
			}
			if err := unix.Connect(fd, sa); err != nil {
				return err
			}
		}
		q := wire[i%names]
		id := uint16(dns.Id())
		q[0], q[1] = byte(id>>8), byte(id)
		if _, err := retry(func() (int, error) { return unix.Write(fd, q) }); err != nil {
			return err
		}
		n, err := retry(func() (int, error) { return unix.Read(fd, buf) })
		if err != nil {
			return fmt.Errorf("query %d: no reply: %v", i, err)
		}
		if n < 12 || buf[0] != q[0] || buf[1] != q[1] || buf[2]&0x80 == 0 {
			return fmt.Errorf("query %d: %d bytes came back that are not the reply to it", i, n)
		}
		if !one {
			unix.Close(fd)
			fd = -1
		}
	}
	return nil
}

// retry calls f again while a signal interrupts it (a socket with a
// receive timeout is not restarted after one: the runtime's preemption
// signal ends the recv with EINTR), as the dns command's exchange does.
func retry(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}
