// This file holds the check of the server's first flight: the records a
// server sends before its ServerHello is whole, read as OpenSSL 3.0's
// client reads them (ssl3_get_record, then the handshake state machine),
// so that a server sending garbage is refused at the same byte and with
// the same reason Python's ssl module gives. Go's crypto/tls refuses such
// bytes too, but later or with other words (a record whose version is
// 0x0505 it keeps reading; an oversized record it calls a wrong version).
// Once the ServerHello is whole, crypto/tls alone reads what follows.

package tlsx

import (
	"fmt"
)

// OpenSSL 3.0's limits on a server's records before the handshake is done,
// as python3 (OpenSSL 3.0) shows them against a peer sending each size:
// a record whose header says 16,708 bytes or more is refused at its
// header (PACKET_LENGTH_TOO_LONG: more than its read buffer holds); one of
// 16,705 to 16,707 once whole, as longer than an encrypted record can be
// (16,384 + 320); one of 16,385 to 16,704 as longer than a plaintext
// record (16,384); a ServerHello of 65,608 bytes or more at its header.
const (
	opensslMaxPacket      = 16707
	opensslMaxEncrypted   = 16384 + 320
	opensslMaxPlain       = 16384
	opensslMaxServerHello = 65607
	opensslMaxWarnAlerts  = 5 // the fifth warning alert before the handshake ends it
)

// firstFlight reads the server's bytes until its ServerHello is whole.
type firstFlight struct {
	buf   []byte // bytes of a record not yet whole
	hs    []byte // the first handshake message's bytes so far
	warns int    // warning alerts received
	done  bool
}

// feed takes the server's next bytes and returns the error OpenSSL would
// raise at them, or nil.
func (f *firstFlight) feed(p []byte) error {
	if f.done {
		return nil
	}
	f.buf = append(f.buf, p...)
	for !f.done {
		b := f.buf
		if len(b) >= 2 && b[1] != 3 {
			return recordError("WRONG_VERSION_NUMBER", "wrong version number",
				fmt.Sprintf("the server's first bytes, %s, are not a TLS record (a TLS record starts with its type, then the version 0x03 0x0N; a server answers a ClientHello with 0x16 0x03 …): it speaks something else on this port, plain text most likely; talk to it without tls", bytesRepr(clipBytes(b, 5))))
		}
		if len(b) < 5 {
			return nil
		}
		typ, n := b[0], int(b[3])<<8|int(b[4])
		if n > opensslMaxPacket {
			return recordError("PACKET_LENGTH_TOO_LONG", "packet length too long",
				fmt.Sprintf("the server's record header %s announces %d bytes; a TLS record holds at most 16,384 bytes of data (plus what encryption adds): this is no TLS server, or a broken one", bytesRepr(b[:5]), n))
		}
		if len(b) < 5+n {
			return nil
		}
		body := b[5 : 5+n]
		f.buf = b[5+n:]
		if err := f.record(typ, body); err != nil {
			return err
		}
	}
	f.buf = nil
	return nil
}

// record checks one whole record of the first flight.
func (f *firstFlight) record(typ byte, body []byte) error {
	n := len(body)
	switch {
	case n > opensslMaxEncrypted:
		return recordError("ENCRYPTED_LENGTH_TOO_LONG", "encrypted length too long",
			fmt.Sprintf("the server sent a %s record of %d bytes, longer than an encrypted record may be (16,384 + 320)", TypeName(typ), n))
	case n > opensslMaxPlain:
		return recordError("DATA_LENGTH_TOO_LONG", "data length too long",
			fmt.Sprintf("the server sent a %s record of %d bytes, in the clear; a record holds at most 16,384 bytes of data", TypeName(typ), n))
	}
	switch typ {
	case 22: // handshake
		f.hs = append(f.hs, body...)
		if len(f.hs) < 4 {
			return nil
		}
		if f.hs[0] != 2 {
			return recordError("UNEXPECTED_MESSAGE", "unexpected message",
				fmt.Sprintf("the server's first handshake message is %s; after a ClientHello it must be a ServerHello (type 2)", messageName(f.hs[0])))
		}
		if size := int(f.hs[1])<<16 | int(f.hs[2])<<8 | int(f.hs[3]); size > opensslMaxServerHello {
			return recordError("EXCESSIVE_MESSAGE_SIZE", "excessive message size",
				fmt.Sprintf("the server's ServerHello says it is %d bytes long; a ServerHello is some tens of bytes, and OpenSSL refuses one over %d without reading it", size, opensslMaxServerHello))
		} else if len(f.hs) >= 4+size {
			f.done = true // the ServerHello is whole: crypto/tls reads on
		}
		return nil
	case 21: // alert
		if n != 2 {
			return recordError("INVALID_ALERT", "invalid alert",
				fmt.Sprintf("the server sent an alert record of %d bytes; an alert is 2 bytes, its level and its description", n))
		}
		switch level, desc := body[0], body[1]; {
		case level != 1 && level != 2:
			return recordError("UNKNOWN_ALERT_TYPE", "unknown alert type",
				fmt.Sprintf("the server sent an alert of level %d; an alert's level is 1 (warning) or 2 (fatal)", level))
		case level == 1 && desc == 0:
			return &Error{Class: "ssl.SSLZeroReturnError", Msg: "TLS/SSL connection has been closed (EOF)",
				Hint: "the server sent close_notify before its ServerHello: it ended the TLS connection before any handshake"}
		case level == 1:
			if f.warns++; f.warns >= opensslMaxWarnAlerts {
				return recordError("TOO_MANY_WARN_ALERTS", "too many warn alerts",
					fmt.Sprintf("the server sent %d warning alerts before its ServerHello (the last %s); OpenSSL ends the handshake at the %dth", f.warns, AlertName(desc), opensslMaxWarnAlerts))
			}
		}
		return nil // a fatal alert: crypto/tls reports it, as OpenSSL's reason for it
	case 20: // change_cipher_spec
		if n != 1 || body[0] != 1 {
			return recordError("BAD_CHANGE_CIPHER_SPEC", "bad change cipher spec",
				fmt.Sprintf("the server sent a change_cipher_spec record of %s; that record is the one byte 0x01", bytesRepr(clipBytes(body, 8))))
		}
		return recordError("UNEXPECTED_MESSAGE", "unexpected message",
			"the server sent change_cipher_spec before its ServerHello: nothing was agreed yet to change to")
	}
	return recordError("UNEXPECTED_MESSAGE", "unexpected message",
		fmt.Sprintf("the server sent a %s record before its ServerHello; the first records of a server are handshake (22) or alert (21)", TypeName(typ)))
}

// recordError is OpenSSL's reason for a bad record, as Python raises it.
func recordError(code, text, hint string) *Error {
	return &Error{Class: "ssl.SSLError", Msg: fmt.Sprintf("[SSL: %s] %s", code, text), Hint: hint}
}

// messageName is a handshake message type's name, with its number.
func messageName(t byte) string {
	if n, ok := handshakeNames[t]; ok {
		return fmt.Sprintf("%s (type %d)", n, t)
	}
	if t == 0 {
		return "HelloRequest (type 0)"
	}
	return fmt.Sprintf("of type %d", t)
}

func clipBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
