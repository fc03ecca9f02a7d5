// This file holds PortPolicy: whether binding a port needs a privilege on
// this machine, and whether this process has it, read from the kernel.

package bsd

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// capNetBindService is CAP_NET_BIND_SERVICE's bit in the capability sets
// (include/uapi/linux/capability.h).
const capNetBindService = 10

// PortPrivilege says what the kernel asks of a process binding a port:
// Linux lets any process bind a port from net.ipv4.ip_unprivileged_port_start
// up (IPv4 and IPv6 alike); below it, only one with CAP_NET_BIND_SERVICE.
type PortPrivilege struct {
	Port       int
	Start      int  // net.ipv4.ip_unprivileged_port_start in this network namespace
	Privileged bool // 0 < Port < Start
	HasCap     bool // CAP_NET_BIND_SERVICE is in this process's effective set
	UID        int  // the effective user id
}

// PortPolicy reads the policy for port from /proc: the sysctl of this
// process's network namespace and its effective capabilities. When the
// sysctl cannot be read it is taken as 1024, the kernel's default.
func PortPolicy(port int) PortPrivilege {
	p := PortPrivilege{Port: port, Start: 1024, UID: os.Geteuid()}
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			p.Start = n
		}
	}
	p.Privileged = port > 0 && port < p.Start
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
				if bits, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64); err == nil {
					p.HasCap = bits&(1<<capNetBindService) != 0
				}
			}
		}
	}
	return p
}

func (p PortPrivilege) who() string {
	if p.UID == 0 {
		return "it runs as root, uid 0"
	}
	return fmt.Sprintf("it runs as uid %d", p.UID)
}

// Allowed says why a bind of the port worked, when the port needed saying:
// a privileged port, or one below 1024 that this machine leaves open.
// It is "" for an ordinary port.
func (p PortPrivilege) Allowed() string {
	switch {
	case p.Privileged && p.HasCap:
		return fmt.Sprintf("port %d is privileged on this machine (below net.ipv4.ip_unprivileged_port_start = %d); "+
			"the bind worked because this process has CAP_NET_BIND_SERVICE (%s)", p.Port, p.Start, p.who())
	case p.Privileged:
		return fmt.Sprintf("port %d is privileged on this machine (below net.ipv4.ip_unprivileged_port_start = %d), "+
			"yet the bind worked without CAP_NET_BIND_SERVICE (%s): a security policy allows it", p.Port, p.Start, p.who())
	case p.Port > 0 && p.Port < 1024:
		return fmt.Sprintf("port %d is below 1024, traditionally privileged, but this machine's net.ipv4.ip_unprivileged_port_start is %d, "+
			"so any process may bind it", p.Port, p.Start)
	}
	return ""
}

// Refused explains an EACCES from bind of the port.
func (p PortPrivilege) Refused() string {
	switch {
	case p.Privileged && !p.HasCap:
		return fmt.Sprintf("port %d is privileged on this machine (below net.ipv4.ip_unprivileged_port_start = %d) and this process "+
			"lacks CAP_NET_BIND_SERVICE (%s): pick a port from %d up, or 0 for any free one", p.Port, p.Start, p.who(), p.Start)
	case p.Privileged:
		return fmt.Sprintf("port %d is privileged here, and this process has CAP_NET_BIND_SERVICE, yet the kernel refused: "+
			"a security policy (SELinux, AppArmor, a cgroup BPF program) forbids it", p.Port)
	}
	return fmt.Sprintf("port %d needs no privilege here (net.ipv4.ip_unprivileged_port_start = %d): a security policy refused the bind", p.Port, p.Start)
}
