package capture

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// linkTypeRaw is the pcap link type of packets that begin with their IP
// header (LINKTYPE_RAW), as the ring captures them.
const linkTypeRaw = 101

// WritePcap writes the packets as a classic libpcap file (link type raw
// IP, as the ring captures them: from the IP header on) that tcpdump and
// Wireshark read: a 24-byte file header (magic 0xa1b2c3d4, version 2.4,
// time zone 0, sigfigs 0, snaplen, link type), then each packet as a
// 16-byte record header (seconds, microseconds, captured length, length
// on the wire) and its bytes. Numbers are little-endian; the magic number
// tells a reader which order was used.
func WritePcap(w io.Writer, pkts []*Packet) error {
	var hdr [24]byte
	le := binary.LittleEndian
	le.PutUint32(hdr[0:4], 0xa1b2c3d4)
	le.PutUint16(hdr[4:6], 2)
	le.PutUint16(hdr[6:8], 4)
	le.PutUint32(hdr[16:20], Snaplen)
	le.PutUint32(hdr[20:24], linkTypeRaw)
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	var rec [16]byte
	for _, p := range pkts {
		if len(p.Data) > p.Len {
			return fmt.Errorf("packet of %d bytes has %d captured: more than its length", p.Len, len(p.Data))
		}
		t := p.Time
		if t.IsZero() {
			t = time.Now()
		}
		le.PutUint32(rec[0:4], uint32(t.Unix()))
		le.PutUint32(rec[4:8], uint32(t.Nanosecond()/1000))
		le.PutUint32(rec[8:12], uint32(len(p.Data)))
		le.PutUint32(rec[12:16], uint32(p.Len))
		if _, err := w.Write(rec[:]); err != nil {
			return err
		}
		if _, err := w.Write(p.Data); err != nil {
			return err
		}
	}
	return nil
}
