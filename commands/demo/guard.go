// This file holds the UDP servers' guard against loops and floods: a UDP
// echo, daytime or chargen server answers the datagram's source address,
// which anyone can forge. A datagram "from" the server itself makes it
// answer itself forever; one "from" another small service (the classic
// echo-chargen pair) starts a ping-pong between the two; a flood of small
// forged datagrams turns the server into an amplifier. So the server drops
// datagrams from its own address, from the other demo servers of this
// process and from the well-known small-service ports, and answers each
// peer at most at a bounded rate.

package demo

import (
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Reply limits per peer address (IP, whatever its port): a burst of
// DefaultReplyBurst replies, then DefaultReplyRate a second.
const (
	DefaultReplyRate  = 50
	DefaultReplyBurst = 50
)

// smallServicePorts are the well-known ports of services that answer any
// datagram (RFC 862 echo, 863 discard, 866 systat, 867 daytime, 865 qotd,
// 864 chargen, 868 time) and port 0, which no real sender uses: a reply to
// one could start a loop between two servers.
var smallServicePorts = map[uint16]string{0: "port 0", 7: "echo", 9: "discard", 11: "systat", 13: "daytime", 17: "qotd", 19: "chargen", 37: "time"}

// udpServers are the addresses of this process's running UDP demo servers.
var udpServers sync.Map // netip.AddrPort → struct{}

// guard decides which datagrams a UDP server answers.
type guard struct {
	local      netip.AddrPort
	rate       float64 // replies a second per peer
	burst      float64
	mu         sync.Mutex
	peers      map[netip.Addr]*bucket
	lastLogged map[string]time.Time // by peer address and reason
}

// bucket is a token bucket: tokens refill at the guard's rate up to burst.
type bucket struct {
	tokens float64
	at     time.Time
}

func newGuard(local netip.AddrPort, rate, burst int) *guard {
	return &guard{local: local, rate: float64(rate), burst: float64(burst),
		peers: map[netip.Addr]*bucket{}, lastLogged: map[string]time.Time{}}
}

// refuse returns why a datagram from src gets no answer, or "".
func (g *guard) refuse(src netip.AddrPort, now time.Time) string {
	src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
	if src.Port() == g.local.Port() && g.isLocal(src.Addr()) {
		return "it comes from the server's own address (answering would loop forever)"
	}
	if name, ok := smallServicePorts[src.Port()]; ok {
		return "it comes from " + name + "'s well-known port (answering could start a loop between two servers)"
	}
	if _, ok := udpServers.Load(src); ok {
		return "it comes from another of this shell's UDP servers (answering could start a loop)"
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	b, ok := g.peers[src.Addr()]
	if !ok {
		if len(g.peers) >= 4096 { // bound the memory a flood of sources can take
			g.peers = map[netip.Addr]*bucket{}
		}
		b = &bucket{tokens: g.burst, at: now}
		g.peers[src.Addr()] = b
	}
	b.tokens = min(g.burst, b.tokens+now.Sub(b.at).Seconds()*g.rate)
	b.at = now
	if b.tokens < 1 {
		return "the peer is over the reply limit (" + strconv.Itoa(int(g.rate)) + " a second after a burst of " + strconv.Itoa(int(g.burst)) + ")"
	}
	b.tokens--
	return ""
}

// shouldLog reports whether a drop from this peer for this reason is to
// be logged: at most one line a second for each, so a flood does not
// flood the log.
func (g *guard) shouldLog(src netip.Addr, why string, now time.Time) bool {
	key := src.String() + " " + why
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.lastLogged[key]) < time.Second {
		return false
	}
	if len(g.lastLogged) >= 4096 {
		g.lastLogged = map[string]time.Time{}
	}
	g.lastLogged[key] = now
	return true
}

// isLocal reports whether ip is the server's own: its address, or when it
// listens on every address, one of this host's.
func (g *guard) isLocal(ip netip.Addr) bool {
	l := g.local.Addr().Unmap()
	if !l.IsUnspecified() {
		return ip == l
	}
	if ip.IsLoopback() || ip.IsUnspecified() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Unmap() == ip {
			return true
		}
	}
	return false
}
