package dnsrec

import (
	"fmt"
	"net"

	"github.com/miekg/dns"
)

// ResolvConf is the system's resolver configuration.
const ResolvConf = "/etc/resolv.conf"

// SystemServer is the first nameserver of a resolv.conf file (ResolvConf
// for the system's) as HOST:PORT: the server the C library asks first. A
// file that names none means the local host, as resolv.conf(5) says.
func SystemServer(path string) (string, error) {
	cfg, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if len(cfg.Servers) == 0 {
		return "127.0.0.1:53", nil
	}
	return net.JoinHostPort(cfg.Servers[0], cfg.Port), nil
}
