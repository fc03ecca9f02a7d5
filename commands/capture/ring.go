// Package capture reads a host's own packets off one network interface
// through Linux's AF_PACKET sockets: a memory-mapped ring the kernel fills
// (TPACKET_V2, one frame a packet), a classic BPF filter in the kernel
// (filter.go) so that only the packets asked for are copied at all, the
// kernel's drop counter, and the parsing of what was taken (packet.go).
//
// It is written on golang.org/x/sys/unix alone: packet.go parses the IP,
// TCP, UDP and ICMP headers itself and pcap.go writes pcap files, so the
// binary carries no packet library (and no package initializer that
// builds its tables at every start).
package capture

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The ring's shape: frames of FrameSize bytes (a frame holds the kernel's
// header, the link-layer address and up to Snaplen bytes of the packet),
// BlockSize bytes a block, Blocks blocks: 8 MiB, 8192 frames.
const (
	FrameSize = 1024
	BlockSize = 1 << 16
	Blocks    = 128

	frameData = 80 // where a frame's packet starts, at most (TPACKET_ALIGN(hdr) + sockaddr_ll, aligned)
	// Snaplen is how much of each packet the kernel copies into the ring
	// (the filter returns it, filter.go): the headers, nested IP headers
	// too, and the payload's start (Packet.Payload's 64 bytes after them).
	// A bulk transfer's 64 KiB segment is copied for its first Snaplen
	// bytes only.
	Snaplen = 384
)

// A frame holds Snaplen bytes after its headers.
var _ [FrameSize - frameData - Snaplen]struct{}

// ErrPermission is what Open returns when the process may not capture:
// AF_PACKET needs root or CAP_NET_RAW.
var ErrPermission = errors.New("capturing packets needs root or the CAP_NET_RAW capability")

// ErrUnsupported is what Open returns on a system without AF_PACKET.
var ErrUnsupported = errors.New("this system has no AF_PACKET sockets (Linux packet capture)")

// Frame is one packet as the ring held it. Data is the network-layer
// packet (from the IP header on), at most Snaplen bytes of it; it is only
// valid during the callback that receives it.
type Frame struct {
	Time     time.Time
	Data     []byte
	Len      int  // the packet's whole length on the wire
	Outgoing bool // the kernel saw the host send it (PACKET_OUTGOING)
	Ifindex  int
}

// Handle is an open capture on one interface.
type Handle struct {
	fd       int
	ifindex  int
	loopback bool
	ring     []byte
	frames   int

	mu     sync.Mutex // guards next and the frames' hand-back
	next   int
	closed atomic.Bool

	drops, seen uint64 // PACKET_STATISTICS, summed (reading it resets it)
	statsMu     sync.Mutex
}

// Open starts a capture on the interface with index ifindex, with a filter
// that takes nothing until SetFilter gives it one.
// On loopback it takes each packet once (Program).
func Open(ifindex int, loopback bool) (*Handle, error) {
	// Protocol 0: no packet arrives before bind, so nothing unfiltered
	// slips into the ring while it is set up.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		switch {
		case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
			return nil, fmt.Errorf("%w (socket(AF_PACKET) = %v)", ErrPermission, err)
		case errors.Is(err, unix.EAFNOSUPPORT), errors.Is(err, unix.EPROTONOSUPPORT):
			return nil, fmt.Errorf("%w (socket(AF_PACKET) = %v)", ErrUnsupported, err)
		}
		return nil, fmt.Errorf("socket(AF_PACKET): %w", err)
	}
	h := &Handle{fd: fd, ifindex: ifindex, loopback: loopback}
	if err := h.setup(); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return h, nil
}

func (h *Handle) setup() error {
	if err := h.SetFilter(nil); err != nil {
		return err
	}
	if err := unix.SetsockoptInt(h.fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V2); err != nil {
		return fmt.Errorf("setsockopt(PACKET_VERSION, TPACKET_V2): %w", err)
	}
	req := unix.TpacketReq{Block_size: BlockSize, Block_nr: Blocks, Frame_size: FrameSize, Frame_nr: Blocks * (BlockSize / FrameSize)}
	if err := unix.SetsockoptTpacketReq(h.fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return fmt.Errorf("setsockopt(PACKET_RX_RING): %w", err)
	}
	ring, err := unix.Mmap(h.fd, 0, BlockSize*Blocks, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("mmap of the capture ring: %w", err)
	}
	h.ring, h.frames = ring, int(req.Frame_nr)
	sll := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: h.ifindex}
	if err := unix.Bind(h.fd, sll); err != nil {
		unix.Munmap(ring)
		return fmt.Errorf("bind(AF_PACKET, ifindex %d): %w", h.ifindex, err)
	}
	return nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Ifindex is the interface the handle captures on.
func (h *Handle) Ifindex() int { return h.ifindex }

// SetFilter replaces the kernel's filter: packets that do not match the
// endpoints (filter.go) are never copied to the ring. nil takes none.
func (h *Handle) SetFilter(eps []Endpoint) error {
	prog, err := bpf.Assemble(Program(eps, h.loopback))
	if err != nil {
		return fmt.Errorf("the capture filter: %w", err)
	}
	ins := make([]unix.SockFilter, len(prog))
	for i, r := range prog {
		ins[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	fp := unix.SockFprog{Len: uint16(len(ins)), Filter: &ins[0]}
	if err := unix.SetsockoptSockFprog(h.fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fp); err != nil {
		return fmt.Errorf("setsockopt(SO_ATTACH_FILTER): %w", err)
	}
	return nil
}

// offset is where frame i starts in the ring.
func offset(i int) int {
	perBlock := BlockSize / FrameSize
	return (i/perBlock)*BlockSize + (i%perBlock)*FrameSize
}

// frame returns the header of frame i.
func (h *Handle) frame(i int) *unix.Tpacket2Hdr {
	return (*unix.Tpacket2Hdr)(unsafe.Pointer(&h.ring[offset(i)]))
}

// Drain hands every frame the kernel has filled so far to fn, in the
// order the kernel filled them, and gives the frames back. It returns how
// many it handed. Safe to call from several goroutines: one at a time
// drains.
func (h *Handle) Drain(fn func(Frame)) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed.Load() {
		return 0
	}
	n := 0
	for n < h.frames {
		hdr := h.frame(h.next)
		status := atomic.LoadUint32(&hdr.Status)
		if status&unix.TP_STATUS_USER == 0 {
			break
		}
		off := offset(h.next)
		start := min(int(hdr.Net), FrameSize)
		snap := min(int(hdr.Snaplen), FrameSize-start)
		data := h.ring[off+start : off+start+snap]
		sll := (*unix.RawSockaddrLinklayer)(unsafe.Pointer(&h.ring[off+tpacketAlign(unix.SizeofTpacket2Hdr)]))
		fn(Frame{Time: time.Unix(int64(hdr.Sec), int64(hdr.Nsec)), Data: data, Len: int(hdr.Len),
			Outgoing: sll.Pkttype == unix.PACKET_OUTGOING, Ifindex: int(sll.Ifindex)})
		atomic.StoreUint32(&hdr.Status, unix.TP_STATUS_KERNEL)
		h.next = (h.next + 1) % h.frames
		n++
	}
	return n
}

func tpacketAlign(n int) int { return (n + unix.TPACKET_ALIGNMENT - 1) &^ (unix.TPACKET_ALIGNMENT - 1) }

// Wait waits until the kernel has filled a frame, or timeout passes.
func (h *Handle) Wait(timeout time.Duration) {
	if h.closed.Load() {
		time.Sleep(timeout)
		return
	}
	h.mu.Lock()
	ready := atomic.LoadUint32(&h.frame(h.next).Status)&unix.TP_STATUS_USER != 0
	h.mu.Unlock()
	if ready {
		return
	}
	fds := []unix.PollFd{{Fd: int32(h.fd), Events: unix.POLLIN}}
	unix.Poll(fds, int(timeout/time.Millisecond))
}

// Stats are the kernel's counts for a handle since it was opened.
type Stats struct {
	Packets uint64 // the packets the filter took (tp_packets)
	Dropped uint64 // of those, the ones lost because the ring was full (tp_drops)
}

// Stats reads the kernel's counters (PACKET_STATISTICS).
func (h *Handle) Stats() Stats {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	if !h.closed.Load() {
		if st, err := unix.GetsockoptTpacketStats(h.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS); err == nil {
			// The kernel counts dropped packets in tp_packets too.
			h.seen += uint64(st.Packets)
			h.drops += uint64(st.Drops)
		}
	}
	return Stats{Packets: h.seen, Dropped: h.drops}
}

// Close ends the capture.
func (h *Handle) Close() error {
	h.Stats()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed.Swap(true) {
		return nil
	}
	unix.Munmap(h.ring)
	h.ring = nil
	return unix.Close(h.fd)
}

// LoopbackIndex is the index of the loopback interface.
func LoopbackIndex() (int, string, error) {
	ifs, err := interfaces()
	if err != nil {
		return 0, "", err
	}
	for _, i := range ifs {
		if i.loopback {
			return i.index, i.name, nil
		}
	}
	return 0, "", errors.New("no loopback interface")
}

// InterfaceOf is the interface that holds the address a (lo for
// 127.0.0.0/8 and ::1); ok is false when no interface has it.
func InterfaceOf(a netip.Addr) (index int, name string, ok bool) {
	a = a.Unmap()
	ifs, err := interfaces()
	if err != nil {
		return 0, "", false
	}
	for _, i := range ifs {
		if a.IsLoopback() && i.loopback {
			return i.index, i.name, true
		}
		for _, p := range i.prefixes {
			if p.Addr() == a {
				return i.index, i.name, true
			}
		}
	}
	return 0, "", false
}
