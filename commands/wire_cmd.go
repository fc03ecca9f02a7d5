// The wire command: wire on|off, wire alone (the capture's state and
// counts), wire save FILE.pcap, wire SOCK (the ladder, wire_ladder.go).
package commands

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/sockshell/sockshell/commands/capture"
	"github.com/sockshell/sockshell/shell"
)

// looksLikeSockName is a word that names a socket, open or not: s1, g2.
var looksLikeSockName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]+[0-9]+$`) })

var wireOnOff = shell.Choices("on|off", "on", "off")

var wireSaveFlags = []shell.Flag{
	{Name: "force", Help: "replace FILE if it exists, or a symbolic link there (never followed)"},
	{Name: "abs", Help: "absolute sequence numbers, not relative ones"},
	{Name: "svg", Value: true, Meta: "FILE", Kind: shell.FileArg, Help: "write the ladder as an SVG picture to FILE"},
}

func wireCommands() []*shell.Command {
	return []*shell.Command{{
		Name: "wire", Group: shell.GroupShell,
		Summary: "Capture the session's own packets and show them under the commands that sent them.",
		HelpFunc: func() string {
			return wrapText("wire on starts capturing the packets of the session's own sockets (AF_PACKET on loopback and "+
				"the interfaces the sockets' addresses are on; a kernel filter takes only their addresses and ports, "+
				"and ICMP errors, which sockshell matches to the datagrams they answer: no other traffic of the "+
				"machine is shown). Each packet then prints as a line under the "+
				"command during which it was seen, or as a notice between commands: direction (→ sent, ← received), "+
				"flags, sequence numbers relative to the connection's start (--abs: as on the wire), ack, the window "+
				"and options of a SYN, the payload's length and first bytes. Loopback shows each packet twice, leaving "+
				"and arriving: the kernel filter takes one, as tcpdump shows one. A bulk transfer folds into summary lines. wire off "+
				"stops (what was captured stays); wire alone says whether it is on, where it listens and the counts: "+
				"captured, dropped by the kernel (the ring was full), filtered out (packets the kernel filter let "+
				"through that are no socket's of the session: ICMP errors about others' datagrams, another client of "+
				"a peer the session is connecting to). wire save FILE writes the "+
				"packets as a pcap file that tcpdump -r and Wireshark read (never over an existing file without "+
				"--force). wire SOCK draws that socket's life as a ladder: this side and the peer, one arrow a packet, "+
				"each side's TCP state as the packets change it (RFC 9293), the command in the margin; --svg FILE "+
				"writes it as an SVG picture. Capture needs root or CAP_NET_RAW: sudo setcap cap_net_raw+ep $(which sockshell).", 80)
		},
		Python:   "s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.ntohs(0x0003))  # ETH_P_ALL, needs CAP_NET_RAW",
		Examples: []string{"wire on", "wire", "wire s1", "wire s1 --svg s1.svg", "wire save session.pcap", "wire off"},
		Forms: [][]shell.Arg{
			{shell.Req("SOCK", sockNameArg), shell.OptFlag("svg"), shell.OptFlag("abs"), shell.OptFlag("force")},
			{shell.Req("on|off", wireOnOff), shell.OptFlag("abs")},
			{shell.Lit("save"), shell.Req("FILE", shell.FileArg), shell.OptFlag("force")},
			{},
		},
		Flags: wireSaveFlags,
		Run:   runWire,
	}}
}

func runWire(c *shell.Call) (any, error) {
	w := wireOf(c.Session)
	if c.NArg() == 0 {
		return wireStatus(c, w), nil
	}
	switch c.Arg(0) {
	case "on":
		if c.Has("svg") || c.Has("force") {
			return nil, c.UsageError("wire on takes --abs only")
		}
		c.Python("cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0)  # needs CAP_NET_RAW")
		c.Python("cap.bind(('lo', 0x0003))  # ETH_P_ALL: every protocol, on loopback; cap.recvfrom(65535) reads a packet")
		if err := w.start(c.Has("abs")); err != nil {
			c.Syscalls("socket(AF_PACKET, SOCK_DGRAM, 0) = -1 EPERM (Operation not permitted)")
			return nil, err
		}
		c.Syscalls("socket(AF_PACKET, SOCK_DGRAM|SOCK_CLOEXEC, 0)",
			"setsockopt(SOL_SOCKET, SO_ATTACH_FILTER, {take nothing})",
			"setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V2)",
			fmt.Sprintf("setsockopt(SOL_PACKET, PACKET_RX_RING, {block_size=%d, block_nr=%d, frame_size=%d})", capture.BlockSize, capture.Blocks, capture.FrameSize),
			fmt.Sprintf("mmap(NULL, %d, PROT_READ|PROT_WRITE, MAP_SHARED)", capture.BlockSize*capture.Blocks),
			"bind({AF_PACKET, ETH_P_ALL, lo})",
			"setsockopt(SOL_SOCKET, SO_ATTACH_FILTER, {the session's addresses and ports, loopback's leaving copies})")
		return wireStatus(c, w), nil
	case "off":
		if c.Has("svg") || c.Has("force") || c.Has("abs") {
			return nil, c.UsageError("wire off takes no options")
		}
		w.stopCapture()
		return wireStatus(c, w), nil
	case "save":
		if c.NArg() < 2 {
			return nil, c.UsageError("missing argument: wire save FILE.pcap")
		}
		return wireSave(c, w, c.Arg(1))
	}
	if !looksLikeSockName().MatchString(c.Arg(0)) {
		return nil, c.UsageError(fmt.Sprintf("wire takes on, off, save FILE or a socket's name, not %s", shell.StrRepr(c.Arg(0))))
	}
	if c.Has("force") && !c.Has("svg") {
		return nil, c.UsageError("--force goes with --svg FILE")
	}
	return wireLadder(c, w, c.Arg(0))
}

// wireStatus is what wire alone says: on or off, where, the counts.
func wireStatus(c *shell.Call, w *wire) any {
	on, ifaces, st, kept, forgot, ferr := w.status()
	if ifaces == nil {
		ifaces = []string{}
	}
	if c.Session.Settings.Format == "json" {
		return map[string]any{"on": on, "interfaces": ifaces, "captured": st.Captured,
			"dropped": st.Dropped, "filtered_out": st.Filtered, "kept": kept, "forgotten": forgot}
	}
	var b strings.Builder
	if on {
		fmt.Fprintf(&b, "wire is on, capturing on %s\n", joinNames(ifaces))
	} else {
		b.WriteString("wire is off\n")
	}
	fmt.Fprintf(&b, "captured %d, dropped by the kernel %d, filtered out %d", st.Captured, st.Dropped, st.Filtered)
	if st.Dropped > 0 {
		b.WriteString(" (the kernel's ring was full: those packets are missing from the lines, the ladder and wire save)")
	}
	fmt.Fprintf(&b, "\nkept %s for wire save and wire SOCK", count(kept, "packet"))
	if forgot > 0 {
		fmt.Fprintf(&b, " (%d older ones forgotten)", forgot)
	}
	if ferr != nil {
		fmt.Fprintf(&b, "\nthe kernel refused the last filter (%v): the one before is in place, so a new socket's packets may be missing", ferr)
	}
	return shell.Text(b.String())
}

// wireSave writes the kept packets as a pcap file.
func wireSave(c *shell.Call, w *wire, name string) (any, error) {
	pkts := w.packets()
	raw := make([]*capture.Packet, len(pkts))
	for i, p := range pkts {
		raw[i] = p.Packet
	}
	var buf bytes.Buffer
	if err := capture.WritePcap(&buf, raw); err != nil {
		return nil, err
	}
	if err := writeWholeFile(c, name, buf.Bytes()); err != nil {
		return nil, err
	}
	return shell.Text(fmt.Sprintf("%s written to %s (pcap: tcpdump -r %s)", count(len(pkts), "packet"), name, name)), nil
}

// writeWholeFile writes data to name through fileio: never over an
// existing file without --force, no half file on failure.
func writeWholeFile(c *shell.Call, name string, data []byte) error {
	f, err := createOutput(c, name)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	_, err = f.Commit()
	return err
}
