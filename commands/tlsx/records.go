// This file holds the record log: the TLS records a handshake exchanged,
// read from the bytes as they crossed the socket, with the handshake
// messages and alerts that were sent in the clear. What was encrypted is
// known only as a record of so many bytes.

package tlsx

import (
	"bytes"
	"fmt"
	"sync"
)

// Record is one TLS record that crossed the socket during the handshake.
type Record struct {
	Out       bool     // sent by this side
	Type      byte     // 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data
	Version   uint16   // the record layer's version field
	Len       int      // the body's length
	Encrypted bool     // the body was encrypted (after a ChangeCipherSpec, or application_data)
	Messages  []string // the handshake messages it carried in the clear ("ClientHello")
	Alert     *Alert   // an alert sent in the clear
}

// Alert is a TLS alert: its level (1 warning, 2 fatal) and description.
type Alert struct{ Level, Desc byte }

// String spells an alert as OpenSSL's reason would: "fatal unexpected_message (10)".
func (a Alert) String() string {
	lvl := "fatal"
	if a.Level == 1 {
		lvl = "warning"
	}
	return fmt.Sprintf("%s %s (%d)", lvl, AlertName(a.Desc), a.Desc)
}

// TypeName is a record type's name in RFC 8446's spelling.
func TypeName(t byte) string {
	switch t {
	case 20:
		return "change_cipher_spec"
	case 21:
		return "alert"
	case 22:
		return "handshake"
	case 23:
		return "application_data"
	}
	return fmt.Sprintf("type %d", t)
}

// handshakeNames are the handshake message types (RFC 8446 4, RFC 5246 7.4).
var handshakeNames = map[byte]string{1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket",
	5: "EndOfEarlyData", 8: "EncryptedExtensions", 11: "Certificate", 12: "ServerKeyExchange",
	13: "CertificateRequest", 14: "ServerHelloDone", 15: "CertificateVerify", 16: "ClientKeyExchange",
	20: "Finished", 22: "CertificateStatus", 24: "KeyUpdate"}

// helloRetryRandom is the random of a ServerHello that is a
// HelloRetryRequest (RFC 8446 4.1.3: SHA-256 of "HelloRetryRequest").
var helloRetryRandom = []byte{0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C}

// recordLog reads the records of both directions while handshaking.
type recordLog struct {
	mu          sync.Mutex
	handshaking bool
	records     []Record
	dir         [2]direction // 0: in, 1: out
}

type direction struct {
	buf       []byte // bytes of a record not yet whole
	hs        []byte // handshake bytes of a message not yet whole
	encrypted bool   // a ChangeCipherSpec went this way: what follows is encrypted
	lost      bool   // the stream did not parse as records: stop reading it
}

const maxRecordLog = 64

func (l *recordLog) add(out bool, p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.handshaking {
		return
	}
	d := &l.dir[0]
	if out {
		d = &l.dir[1]
	}
	if d.lost {
		return
	}
	d.buf = append(d.buf, p...)
	for len(d.buf) >= 5 && len(l.records) < maxRecordLog {
		n := int(d.buf[3])<<8 | int(d.buf[4])
		if d.buf[0] < 20 || d.buf[0] > 24 || d.buf[1] != 3 {
			d.lost = true
			return
		}
		if len(d.buf) < 5+n {
			return
		}
		body := d.buf[5 : 5+n]
		r := Record{Out: out, Type: d.buf[0], Version: uint16(d.buf[1])<<8 | uint16(d.buf[2]), Len: n}
		switch {
		case r.Type == 20:
			d.encrypted = true
		case r.Type == 23 || d.encrypted:
			r.Encrypted = true
		case r.Type == 21 && n == 2:
			r.Alert = &Alert{body[0], body[1]}
		case r.Type == 22:
			d.hs = append(d.hs, body...)
			for len(d.hs) >= 4 {
				mlen := int(d.hs[1])<<16 | int(d.hs[2])<<8 | int(d.hs[3])
				if len(d.hs) < 4+mlen {
					break
				}
				name := handshakeNames[d.hs[0]]
				if name == "" {
					name = fmt.Sprintf("handshake type %d", d.hs[0])
				}
				if d.hs[0] == 2 && mlen >= 34 && bytes.Equal(d.hs[6:38], helloRetryRandom) {
					name = "HelloRetryRequest"
				}
				r.Messages = append(r.Messages, name)
				d.hs = d.hs[4+mlen:]
			}
		}
		l.records = append(l.records, r)
		d.buf = d.buf[5+n:]
	}
}

func (l *recordLog) setHandshaking(on bool) {
	l.mu.Lock()
	l.handshaking = on
	l.mu.Unlock()
}

func (l *recordLog) list() []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Record(nil), l.records...)
}

// LooksLikeTLS says what bytes received on a plain socket are when they
// start as a TLS record does (a handshake or alert record of version 3.x):
// "a TLS handshake record (a ClientHello)", "a TLS alert: fatal
// unexpected_message (10)"; "" when they do not look like TLS.
func LooksLikeTLS(p []byte) string {
	if len(p) < 5 || p[1] != 3 || p[2] > 4 {
		return ""
	}
	n := int(p[3])<<8 | int(p[4])
	switch p[0] {
	case 21:
		if n == 2 && len(p) >= 7 {
			return "a TLS alert record: " + Alert{p[5], p[6]}.String()
		}
		return "a TLS alert record"
	case 22:
		if len(p) > 5 {
			if name, ok := handshakeNames[p[5]]; ok {
				return "a TLS handshake record (a " + name + ")"
			}
		}
		return "a TLS handshake record"
	}
	return ""
}
