// This file asks the DNS server of `set dns` one question itself, to read
// the answer's response code. Go's resolver reports "no such host" both for
// a name that does not exist (NXDOMAIN) and for a name that exists without
// records of the type asked (NOERROR with no answer: "NODATA"); glibc tells
// them apart (EAI_NONAME and EAI_NODATA), and so does Python.

package netdb

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"net"
	"strings"
	"time"
)

// DNS record types of the queries sent here.
const (
	qtypeA    = 1
	qtypeAAAA = 28
)

// nameExists sends one query of type qtype for name to server ("HOST:PORT")
// over UDP and reports what the answer's response code says: exists is true
// for NOERROR, false for NXDOMAIN. ok is false when no such answer came (no
// reply, another code, a name that cannot be sent): the caller then knows
// nothing more than before.
func nameExists(ctx context.Context, server, name string, qtype uint16) (exists, ok bool) {
	msg, id, good := dnsQuestion(name, qtype)
	if !good {
		return false, false
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return false, false
	}
	defer c.Close()
	deadline, has := ctx.Deadline()
	if !has {
		deadline = time.Now().Add(5 * time.Second)
	}
	c.SetDeadline(deadline)
	// A cancel (Ctrl-C) ends the wait at once.
	defer context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })()
	if _, err := c.Write(msg); err != nil {
		return false, false
	}
	buf := make([]byte, 512)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return false, false
		}
		// Skip what is not the answer to this question: another id, or a query.
		if n < 12 || binary.BigEndian.Uint16(buf) != id || buf[2]&0x80 == 0 {
			continue
		}
		switch buf[3] & 0x0f {
		case 0: // NOERROR
			return true, true
		case 3: // NXDOMAIN
			return false, true
		}
		return false, false
	}
}

// dnsQuestion builds a query (RFC 1035 4.1) with recursion desired, as a stub
// resolver sends it; good is false for a name no query can carry.
func dnsQuestion(name string, qtype uint16) (msg []byte, id uint16, good bool) {
	var idb [2]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, 0, false
	}
	msg = []byte{idb[0], idb[1], 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 {
		return nil, 0, false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return nil, 0, false
		}
		msg = append(msg, byte(len(label)))
		msg = append(msg, label...)
	}
	msg = append(msg, 0, byte(qtype>>8), byte(qtype), 0, 1) // class IN
	return msg, binary.BigEndian.Uint16(idb[:]), true
}
