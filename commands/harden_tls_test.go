package commands

// Issue 14: hostile TLS servers. A Go peer on loopback reads the
// ClientHello and then stalls (before a byte, or in the middle of its
// ServerHello record), or answers with records no TLS server sends. Each
// garbage answer is one error, ssl.SSLError's class and words as python3
// (OpenSSL) raises them against the same peer; a stall ends with the
// timeout or Ctrl-C; the shell goes on.

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// readRecord reads one TLS record (the ClientHello) from c.
func readRecord(c net.Conn) bool {
	var h [5]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		return false
	}
	_, err := io.CopyN(io.Discard, c, int64(h[3])<<8|int64(h[4]))
	return err == nil
}

// hostileTLS is a peer that reads the ClientHello, writes answer, and
// then reads until the client closes.
func hostileTLS(t *testing.T, answer []byte) int {
	return sockGoPeer(t, func(c *net.TCPConn) {
		if !readRecord(c) {
			return
		}
		c.Write(answer)
		io.Copy(io.Discard, c)
	})
}

// pyTLSHostile is what python3's ssl raises on wrap_socket against each
// port (no verification, as --insecure), as "module.Class: message"
// without the C source position: one python3 for all of them.
func pyTLSHostile(t *testing.T, timeout string, ports ...int) []string {
	t.Helper()
	list := make([]string, len(ports))
	for i, p := range ports {
		list[i] = strconv.Itoa(p)
	}
	out := pyRun(t, fmt.Sprintf(`
import socket, ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
for port in [%s]:
    s = socket.create_connection(('127.0.0.1', port))
    s.settimeout(%s)
    try:
        ctx.wrap_socket(s, server_hostname='localhost')
        print('ok')
    except Exception as e:
        c = type(e)
        name = c.__qualname__ if c.__module__ == 'builtins' else c.__module__ + '.' + c.__qualname__
        print(name + ': ' + str(e))
    s.close()
`, strings.Join(list, ", "), timeout))
	out = regexp.MustCompile(` \(_ssl\.c:\d+\)`).ReplaceAllString(strings.TrimSpace(out), "")
	lines := strings.Split(regexp.MustCompile(`_ssl\.c:\d+: `).ReplaceAllString(out, ""), "\n")
	if len(lines) != len(ports) {
		t.Fatalf("python3 printed %d lines for %d servers:\n%s", len(lines), len(ports), out)
	}
	return lines
}

// tlsRecord is one TLS record: its type, version 0x0303, body.
func tlsRecord(typ byte, body []byte) []byte {
	return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
}

// tlsHello is the start of a ServerHello handshake message that says it
// is size bytes long, with body after its header.
func tlsHello(size int, body []byte) []byte {
	return append([]byte{2, byte(size >> 16), byte(size >> 8), byte(size)}, body...)
}

// TestTLSGarbageRecordsAsPython: each answer no TLS server sends, after
// the ClientHello, is one error, as python3 raises it against the same
// peer; the socket is closed, the shell goes on.
func TestTLSGarbageRecordsAsPython(t *testing.T) {
	warn := tlsRecord(21, []byte{1, 40})
	cases := []struct {
		name   string
		answer []byte
		hint   string
	}{
		{"not TLS", []byte("\x00\x01\x02\x03\x04\x05garbage"), "not a TLS record"},
		{"SSLv2 header", []byte("\x80\x2e\x02\x00\x02\x00\x01"), "not a TLS record"},
		{"record version 5.5", []byte("\x16\x05\x05\x00\x01x"), "not a TLS record"},
		{"record of 65535 bytes", []byte("\x16\x03\x03\xff\xff"), "announces 65535 bytes"},
		{"record of 16705 bytes", tlsRecord(22, tlsHello(100, make([]byte, 16705-4))), "longer than an encrypted record"},
		{"record of 16385 bytes", tlsRecord(22, tlsHello(100, make([]byte, 16385-4))), "at most 16,384 bytes of data"},
		{"handshake of type 255", tlsRecord(22, bytes.Repeat([]byte{0xff}, 16)), "of type 255"},
		{"Certificate first", tlsRecord(22, []byte{11, 0, 0, 4, 0, 0, 0, 0}), "is Certificate (type 11)"},
		{"ServerHello of 16 MiB", tlsRecord(22, tlsHello(0xffffff, make([]byte, 8))), "says it is 16777215 bytes long"},
		{"ServerHello too short", tlsRecord(22, tlsHello(2, []byte{3, 3})), "do not fit its length"},
		{"ServerHello split, too short", append(tlsRecord(22, []byte{2, 0}), tlsRecord(22, []byte{0, 2, 3, 3})...), "do not fit its length"},
		{"ServerHello of version 0x0909", tlsRecord(22, tlsHello(38, append([]byte{9, 9}, make([]byte, 36)...))), "chose the version 0x909"},
		{"application data first", tlsRecord(23, []byte("hello")), "application_data record before its ServerHello"},
		{"record of type 99", tlsRecord(99, []byte("x")), "type 99 record"},
		{"change_cipher_spec of 2 bytes", tlsRecord(20, []byte{1, 1}), "the one byte 0x01"},
		{"change_cipher_spec first", tlsRecord(20, []byte{1}), "nothing was agreed"},
		{"alert of 1 byte", tlsRecord(21, []byte{2}), "an alert is 2 bytes"},
		{"alert of level 3", tlsRecord(21, []byte{3, 40}), "level 3"},
		{"fatal alert 255", tlsRecord(21, []byte{2, 255}), "description 255"},
		{"warning close_notify", tlsRecord(21, []byte{1, 0}), "close_notify before its ServerHello"},
		{"five warning alerts", bytes.Repeat(warn, 5), "5 warning alerts"},
		{"a warning, then handshake_failure", append(tlsRecord(21, []byte{1, 255}), tlsRecord(21, []byte{2, 40})...), "refused the handshake"},
	}
	ports := make([]int, len(cases))
	for i, tc := range cases {
		ports[i] = hostileTLS(t, tc.answer)
	}
	wants := pyTLSHostile(t, "5", ports...)
	ss := newSockSession(t)
	ss.MustExec("set timeout 5")
	for i, tc := range cases {
		port, want := ports[i], wants[i]
		_, errs := ss.Exec(fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port))
		if got := errorLine(errs); got != want {
			t.Errorf("%s:\n sockshell: %s\n python3:   %s", tc.name, got, want)
		}
		if !strings.Contains(errs, tc.hint) {
			t.Errorf("%s: the hint lacks %q:\n%s", tc.name, tc.hint, errs)
		}
		if n := strings.Count(strings.TrimSpace(errs), "\n"); n != 1 {
			t.Errorf("%s: want one error line and its hint:\n%s", tc.name, errs)
		}
		if r, bad := terminalUnsafe(errs); bad {
			t.Errorf("%s: wrote %U: %q", tc.name, r, errs)
		}
		if names := openSockets(ss.Session); len(names) != 0 {
			t.Errorf("%s: a failed handshake left %v open", tc.name, names)
		}
	}
}

// TestTLSStallsMidHandshake: a server that reads the ClientHello and
// sends nothing, or half a ServerHello record, is ended by the timeout
// (the error python3 raises) and by Ctrl-C; the shell goes on.
func TestTLSStallsMidHandshake(t *testing.T) {
	stalls := []struct {
		name   string
		answer []byte
	}{
		{"nothing after the ClientHello", nil},
		{"half a ServerHello record", tlsRecord(22, tlsHello(70, make([]byte, 70)))[:30]},
		{"a ServerHello, then nothing", tlsRecord(22, tlsHello(70, make([]byte, 10)))},
	}
	ports := make([]int, len(stalls))
	for i, st := range stalls {
		ports[i] = hostileTLS(t, st.answer)
	}
	wants := pyTLSHostile(t, "0.5", ports...)
	ss := newSockSession(t)
	for i, st := range stalls {
		port, want := ports[i], wants[i]
		ss.MustExec("set timeout 0.5")
		_, errs := ss.Exec(fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port))
		if got := errorLine(errs); got != want || want != "TimeoutError: The handshake operation timed out" {
			t.Errorf("%s:\n sockshell: %s\n python3:   %s", st.name, got, want)
		}
		// Ctrl-C, with no timeout: the prompt comes back.
		ss.MustExec("set timeout none")
		read := make(chan struct{}, 1)
		port = sockGoPeer(t, func(c *net.TCPConn) {
			if readRecord(c) {
				c.Write(st.answer)
				read <- struct{}{}
			}
			io.Copy(io.Discard, c)
		})
		run := ss.Start(fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port))
		sockWait(t, read, "the ClientHello")
		for !ss.Session.Interrupt() {
			time.Sleep(time.Millisecond) // the line has not started its wait yet
		}
		if errs := sockWait(t, run.Done(), "Ctrl-C to end the handshake"); !strings.HasPrefix(errs, "KeyboardInterrupt") {
			t.Errorf("%s: Ctrl-C: %q", st.name, errs)
		}
		if names := openSockets(ss.Session); len(names) != 0 {
			t.Errorf("%s: an interrupted handshake left %v open", st.name, names)
		}
	}
	ss.AssertExec("set timeout", "timeout = none\n")
}

// openSockets are the names of the session's sockets.
func openSockets(s *shell.Session) []string {
	var names []string
	for _, r := range s.Resources() {
		if _, ok := r.Resource.(*bsd.Socket); ok {
			names = append(names, r.Name)
		}
	}
	return names
}
