package capture

import (
	"net"
	"net/netip"
)

// iface is what the capture needs of a network interface.
type iface struct {
	index    int
	name     string
	loopback bool
	prefixes []netip.Prefix
}

func interfaces() ([]iface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]iface, 0, len(ifs))
	for _, i := range ifs {
		f := iface{index: i.Index, name: i.Name, loopback: i.Flags&net.FlagLoopback != 0}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				f.prefixes = append(f.prefixes, p)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// InterfaceName is the name of the interface with index i ("lo").
func InterfaceName(i int) string {
	if ifc, err := net.InterfaceByIndex(i); err == nil {
		return ifc.Name
	}
	return "?"
}
