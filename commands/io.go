// Data in and out of sockets: send, sendall, sendto, sendfile, recv, recvfrom.
// Bytes from the network are shown as Python's repr or a hexdump, never raw.
package commands

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
	"golang.org/x/sys/unix"
)

func ioCommands() []*shell.Command {
	fileFlag := shell.Flag{Name: "file", Value: true, Meta: "FILE", Help: "send the bytes of FILE instead of DATA", Kind: shell.FileArg}
	// send and sendall: SOCK DATA, or SOCK --file FILE.
	sendForms := [][]shell.Arg{
		{shell.Req("SOCK", sockArg), shell.Req("DATA", dataArg)},
		{shell.Req("SOCK", sockArg), shell.FlagHere("file")},
	}
	return []*shell.Command{
		{
			Name: "send", Group: groupIO,
			Summary:  "Send bytes with one send(2); prints how many the kernel took.",
			Help:     "DATA is a word or a Python string literal: \"GET / HTTP/1.0\\r\\n\\r\\n\", 'caf\\u00e9', b'\\x00\\xff', r'C:\\dir'. Text (a word, or a literal without b) is a Python str and is sent as its UTF-8 encoding, as s1.send('café'.encode()) sends it, so '\\xff' is two bytes; a b'' literal is bytes, ASCII characters and \\xHH escapes, so b'\\xff' is the one byte 0xff. One send may take fewer bytes than given; sendall sends them all.",
			Python:   "s.send(data)",
			Examples: []string{`send s1 "GET / HTTP/1.0\r\n\r\n"`, "send s1 hello"},
			Forms:    sendForms,
			Flags:    []shell.Flag{fileFlag},
			Run:      func(c *shell.Call) (any, error) { return runSend(c, false) },
		},
		{
			Name: "sendall", Group: groupIO,
			Summary:  "Send every byte, calling send(2) as often as needed; prints the count.",
			Python:   "s.sendall(data)",
			Examples: []string{`sendall s1 "hello\n"`, "sendall s1 --file notes.txt"},
			Forms:    sendForms,
			Flags:    []shell.Flag{fileFlag},
			Run:      func(c *shell.Call) (any, error) { return runSend(c, true) },
		},
		{
			Name: "sendto", Group: groupIO,
			Summary:  "Send a datagram to HOST:PORT (UDP), or to PATH (a Unix datagram socket); prints the bytes sent.",
			Python:   "s.sendto(data, (host, port))",
			Examples: []string{`sendto s1 "hi" 127.0.0.1 9999`, `sendto s2 "hi" /tmp/demo.sock`},
			Forms: [][]shell.Arg{
				{shell.Req("SOCK", sockArg), shell.Req("DATA", dataArg), shell.Req("HOST", hostArg), shell.Req("PORT", portArg)},
				{shell.Req("SOCK", sockArg), shell.FlagHere("file"), shell.Req("HOST", hostArg), shell.Req("PORT", portArg)},
				// A Unix socket's: told apart by the socket's family in runSendTo.
				{shell.Req("SOCK", sockArg), shell.Req("DATA", dataArg), shell.Req("PATH", unixPathArg)},
				{shell.Req("SOCK", sockArg), shell.FlagHere("file"), shell.Req("PATH", unixPathArg)},
			},
			Flags: []shell.Flag{fileFlag},
			Run:   runSendTo,
		},
		{
			Name: "sendfile", Group: groupIO,
			Summary:  "Send a whole file with sendfile(2); prints the bytes sent.",
			Python:   "s.sendfile(open(file, 'rb'))",
			Examples: []string{"sendfile s1 /etc/services"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg), shell.Req("FILE", shell.FileArg)},
			Run: func(c *shell.Call) (any, error) {
				s, name := sockAt(c, 0)
				c.Python("%s.sendfile(open(%s, 'rb'))", name, shell.StrRepr(c.Arg(1)))
				f, err := openInput(c, c.Arg(1), fileio.Streams)
				if err != nil {
					return nil, err
				}
				if t := tlsOf(s); t != nil {
					f.Close()
					return tlsSendFile(c, t, s, name, c.Arg(1), "%s.sendfile(open(%s, 'rb'))")
				}
				defer f.Close()
				defer traceSock(c, s)()
				n, err := sendInput(c, s, f)
				if err != nil {
					noteSent(c, n, f)
					return nil, err
				}
				return n, nil
			},
		},
		{
			Name: "recv", Group: groupIO,
			Summary: "Receive up to BUFSIZE bytes (4096 by default), shown as Python's bytes repr.",
			Help: "On a stream socket b'' means end of file: the peer sent FIN, or this side shut\n" +
				"its reading half (shutdown rd); a note says which. On a datagram socket b'' is an\n" +
				"empty datagram. recv SOCK 0 is always b'', at once. --hex shows a hexdump with offsets.\n" +
				"--out FILE reads until the peer closes, writing everything to FILE in constant\n" +
				"memory, and prints the byte count.\n" + outFileHelp,
			Python:   "s.recv(bufsize)",
			Examples: []string{"recv s1", "recv s1 100 --hex", "recv s1 --out page.html"},
			Forms: [][]shell.Arg{
				{shell.Req("SOCK", sockArg), shell.Opt("BUFSIZE", bufsizeArg("4096", "1024", "65536")), shell.OptFlag("hex")},
				{shell.Req("SOCK", sockArg), shell.FlagHere("out"), shell.OptFlag("max"), shell.OptFlag("force"), shell.OptFlag("keep-partial")},
			},
			Flags: []shell.Flag{
				{Name: "hex", Help: "show a hexdump with offsets (in JSON, a \"hex\" field of hex digits)"},
				{Name: "out", Value: true, Meta: "FILE", Help: "stream everything until the peer closes into FILE", Kind: shell.FileArg},
				{Name: "max", Value: true, Meta: "BYTES", Help: "with --out: stop after BYTES (the rest stays queued for the next recv)"},
				forceFlag, keepPartialFlag,
			},
			Run: runRecv,
		},
		{
			Name: "recvfrom", Group: groupIO,
			Summary:  "Receive a datagram and the address it came from.",
			Python:   "s.recvfrom(bufsize)",
			Examples: []string{"recvfrom s1", "recvfrom s1 1500"},
			Args:     []shell.Arg{shell.Req("SOCK", sockArg), shell.Opt("BUFSIZE", bufsizeArg("4096", "1500", "65536")), shell.OptFlag("hex")},
			Flags:    []shell.Flag{{Name: "hex", Help: "show a hexdump with offsets (in JSON, a \"hex\" field of hex digits)"}},
			Run:      runRecvFrom,
		},
	}
}

// maxFilePayload bounds a file that send and sendto read into memory;
// sendall --file and sendfile stream any size.
const maxFilePayload = 64 << 20

func runSend(c *shell.Call, all bool) (any, error) {
	s, name := sockAt(c, 0)
	if !c.Has("file") && c.NArg() < 2 {
		return nil, c.UsageError("missing DATA")
	}
	if file, ok := c.Flag("file"); ok && all {
		if t := tlsOf(s); t != nil {
			return tlsSendFile(c, t, s, name, file, "%s.sendall(open(%s, 'rb').read())")
		}
		defer traceSock(c, s)()
		return sendAllFile(c, s, name, file)
	}
	data, py, err := payload(c, 1)
	if err != nil {
		return nil, err
	}
	if t := tlsOf(s); t != nil {
		return tlsSend(c, t, s, name, data, py, all)
	}
	defer traceSock(c, s)()
	if all {
		c.Python("%s.sendall(%s)", name, py)
		c.Python("len(%s)  # sendall returns None; the shell prints the count it sent", py)
		n, err := pairGuard(c, s, func() (int, error) { return s.SendAll(c.Ctx, data) })
		if err != nil {
			if n > 0 {
				c.Note("%d of %s %s sent before the error", n, count(len(data), "byte"), wasWere(int64(n)))
			}
			return nil, err
		}
		markSent(s)
		return n, nil
	}
	c.Python("%s.send(%s)", name, py)
	n, err := pairGuard(c, s, func() (int, error) { return s.Send(c.Ctx, data) })
	if err != nil {
		return nil, err
	}
	markSent(s)
	if n < len(data) {
		c.Note("the kernel took %d of %s; sendall sends the rest", n, count(len(data), "byte"))
	}
	return n, nil
}

func runSendTo(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	if tlsOf(s) != nil {
		return nil, tlsRefused(c, name, "sendto")
	}
	if isUnix(s) {
		return runSendToUnix(c, s, name)
	}
	if path := c.Arg(c.NArg() - 1); c.NArg() == 3 && !c.Has("file") && looksLikePath(path) {
		c.Python("%s.sendto(%s, %s)", name, shell.DataExpr(c.Args[1]), shell.StrRepr(kernelPath(path))) // raises the same
		return nil, familyMismatch(c, "sendto", name, s)
	}
	// sendto SOCK DATA HOST PORT, or sendto SOCK --file F HOST PORT.
	hostIdx, dataIdx := 2, 1
	if c.Has("file") {
		hostIdx, dataIdx = 1, 3 // no DATA: nothing may stand after PORT
	}
	if c.NArg() < hostIdx+2 {
		if c.Has("file") {
			return nil, c.UsageError("missing argument")
		}
		return nil, c.UsageError("expected SOCK DATA HOST PORT")
	}
	data, py, err := payload(c, dataIdx)
	if err != nil {
		return nil, err
	}
	host := c.Arg(hostIdx)
	port, err := resolvePort(c, c.Arg(hostIdx+1), s.Type())
	if err != nil {
		return nil, portRangeError(c, "sendto", fmt.Sprintf("%s.sendto(%s, (%s, %%d))", name, py, shell.StrRepr(host)), c.Arg(hostIdx+1), err)
	}
	ip, err := resolveFor(c, name, s, host)
	if err == nil {
		if err := allowTarget(c, "sendto", ip, port); err != nil {
			return nil, err // refused by set allow: no call, no Python line
		}
	}
	portExpr := strconv.Itoa(port)
	if err == nil {
		portExpr = pyPort(c, ip, port)
	}
	c.Python("%s.sendto(%s, (%s, %s))", name, py, shell.StrRepr(host), portExpr)
	if err != nil {
		return nil, err
	}
	defer traceSock(c, s)()
	n, err := s.SendTo(c.Ctx, data, ip, port)
	if err == nil {
		markSent(s) // the next recvfrom records the time to the first byte
	}
	return n, err
}

// bufSize reads BUFSIZE for method (recv, recvfrom); a negative one gives
// Python's ValueError, with the call that raises it.
func bufSize(c *shell.Call, name, method string) (int, error) {
	if c.NArg() < 2 {
		return 4096, nil
	}
	n, err := strconv.Atoi(c.Arg(1))
	if err != nil {
		return 0, c.UsageError("BUFSIZE is a number of bytes")
	}
	if n < 0 {
		c.Python("%s.%s(%d)", name, method, n)
		return 0, shell.Errorf("ValueError", "negative buffersize in %s", method)
	}
	if n > bsd.MaxRecv {
		return 0, shell.Errorf("ValueError", "buffersize %d is over sockshell's limit of %d bytes; use --out FILE for large transfers", n, bsd.MaxRecv)
	}
	return n, nil
}

// shown renders received bytes: repr, or a hexdump with --hex (in JSON,
// the bytes' usual fields and "hex", their hex digits).
func shown(c *shell.Call, p []byte) any {
	if !c.Has("hex") {
		return p
	}
	if c.Session.Settings.Format == "json" {
		return shell.Repr{Text: hex.Dump(p), JSON: map[string]any{
			"len": len(p), "repr": shell.BytesRepr(p), "base64": base64.StdEncoding.EncodeToString(p), "hex": hex.EncodeToString(p),
		}}
	}
	if len(p) == 0 {
		return shell.Text("(no bytes)")
	}
	return shell.Text(hex.Dump(p))
}

func runRecv(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	if out, ok := c.Flag("out"); ok {
		if c.NArg() > 1 {
			return nil, c.UsageError("--out reads until the peer closes; it takes no BUFSIZE")
		}
		if c.Has("hex") {
			return nil, c.UsageError("--out saves the bytes as they came; --hex is for showing them (hexdump the file instead)")
		}
		limit := int64(-1)
		if m, ok := c.Flag("max"); ok {
			v, err := strconv.ParseInt(m, 10, 64)
			if err != nil || v < 0 {
				return nil, c.UsageError("--max is a count of bytes")
			}
			limit = v
		}
		f, err := createOutput(c, out)
		// n counts what was written (f.tell() fails on a FIFO), and is
		// the count the shell prints.
		c.Python("n = 0")
		if limit >= 0 {
			c.Python("with open(%s, %s) as f:\n    while (left := %d - n) > 0 and (chunk := %s.recv(min(65536, left))):\n        n += f.write(chunk)", shell.StrRepr(out), pyWriteMode(c, f), limit, name)
		} else {
			c.Python("with open(%s, %s) as f:\n    while chunk := %s.recv(65536):\n        n += f.write(chunk)", shell.StrRepr(out), pyWriteMode(c, f), name)
		}
		c.Python("n")
		if err != nil {
			return nil, err
		}
		defer f.Abort()
		recvInto := func() (int64, error) {
			defer traceSock(c, s)()
			return s.RecvIntoMax(c.Ctx, f, limit)
		}
		if t := tlsOf(s); t != nil {
			recvInto = func() (int64, error) { return tlsRecvOut(c, t, s, name, f, limit) }
		}
		n, err := recvInto()
		if err != nil {
			noteAbort(c, f)
			return nil, err
		}
		saved, err := f.Commit()
		if err != nil {
			return nil, err
		}
		if limit >= 0 && n == limit {
			c.Note("%s written to %s: the --max limit", count(n, "byte"), saved)
		} else {
			c.Note("%s written to %s; %s", count(n, "byte"), saved, eofWhy(name, s))
		}
		return n, nil
	}
	for _, flag := range []string{"max", "force", "keep-partial"} {
		if c.Has(flag) {
			return nil, c.UsageError("--" + flag + " goes with --out")
		}
	}
	n, err := bufSize(c, name, "recv")
	if err != nil {
		return nil, err
	}
	if t := tlsOf(s); t != nil {
		return tlsRecv(c, t, s, name, n)
	}
	c.Python("%s.recv(%d)", name, n)
	if n == 0 {
		c.Note("recv(0) asks for no bytes: Python returns b'' at once, without a system call, and it tells nothing about the connection or the peer")
	}
	done, answered := traceSock(c, s), firstByte(c, s)
	p, err := s.Recv(c.Ctx, n)
	done()
	answered(err == nil && len(p) > 0)
	if err != nil {
		peerNews(c, name, s) // the error says it; the next command need not
		return nil, err
	}
	if len(p) == 0 && n > 0 && s.Type() == unix.SOCK_STREAM {
		noteEOF(c, name, s)
	}
	noteTLSBytes(c, name, s, p)
	return shown(c, p), nil
}

func runRecvFrom(c *shell.Call) (any, error) {
	s, name := sockAt(c, 0)
	if tlsOf(s) != nil {
		return nil, tlsRefused(c, name, "recvfrom")
	}
	n, err := bufSize(c, name, "recvfrom")
	if err != nil {
		return nil, err
	}
	c.Python("%s.recvfrom(%d)", name, n)
	done, answered := traceSock(c, s), firstByte(c, s)
	p, from, got, err := s.RecvFromAddr(c.Ctx, n)
	done()
	// A datagram is an answer even when empty; a stream's b'' is not.
	answered(err == nil && (len(p) > 0 || s.Type() != unix.SOCK_STREAM))
	if err != nil {
		return nil, err
	}
	var addr any = shell.None // a connected stream has no sender address, as in Python
	if isUnix(s) {
		addr = recvfromUnixValue(from, got)
	} else if got && from.IsValid() {
		addr = addrValue(bsd.SockAddr{AddrPort: from.AddrPort, IPv6: s.Family() == unix.AF_INET6})
	}
	if c.Has("hex") && c.Session.Settings.Format != "json" {
		return shell.Text(fmt.Sprintf("from %s\n%s", shell.PyRepr(addr), hex.Dump(p))), nil
	}
	return shell.Tuple{shown(c, p), addr}, nil
}
