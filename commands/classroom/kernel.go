// The kernel's TCP table (/proc/net/tcp and tcp6), looked up by a
// connection's two ends: where a connection is after its socket's
// TCP_INFO stops telling (the descriptor closed, or TCP_INFO reading CLOSE
// while the kernel holds the connection in TIME_WAIT apart from it).
package classroom

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// ErrNotInTable: the kernel's table holds no connection with those ends.
var ErrNotInTable = errors.New("not in the kernel's TCP table")

// kernelStates are the kernel's TCP state numbers (include/net/tcp_states.h).
var kernelStates = [...]string{1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
	5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK",
	10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV"}

// ProcTable is the kernel's TCP table under a proc file system mounted at
// root ("/proc").
type ProcTable string

// Lookup returns the kernel's state of the connection from local to
// remote, as the kernel spells it ("TIME_WAIT"), or ErrNotInTable.
func (p ProcTable) Lookup(local, remote netip.AddrPort) (string, error) {
	file := "/net/tcp"
	if local.Addr().Is6() && !local.Addr().Is4In6() {
		file = "/net/tcp6"
	}
	f, err := os.Open(string(p) + file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 4 {
			continue
		}
		l, lok := procAddr(fs[1])
		r, rok := procAddr(fs[2])
		if !lok || !rok || !sameEnd(l, local) || !sameEnd(r, remote) {
			continue
		}
		n, err := strconv.ParseUint(fs[3], 16, 8)
		if err != nil || int(n) >= len(kernelStates) || kernelStates[n] == "" {
			return "state " + fs[3], nil
		}
		return kernelStates[n], nil
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", ErrNotInTable
}

func sameEnd(a, b netip.AddrPort) bool {
	return a.Port() == b.Port() && a.Addr().Unmap() == b.Addr().Unmap()
}

// procAddr reads "0100007F:1F90": the address as the kernel prints it,
// each 32-bit word of it in hex as the machine holds it (so 127.0.0.1
// reads 0100007F on a little-endian machine), then the port in hex.
func procAddr(s string) (netip.AddrPort, bool) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	if len(h) != 8 && len(h) != 32 {
		return netip.AddrPort{}, false
	}
	raw := make([]byte, len(h)/2)
	for i := 0; i < len(h); i += 8 { // one word of the address, as the kernel printed it
		w, err := strconv.ParseUint(h[i:i+8], 16, 32)
		if err != nil {
			return netip.AddrPort{}, false
		}
		binary.NativeEndian.PutUint32(raw[i/2:], uint32(w))
	}
	a, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(a, uint16(port)), true
}
