// This file holds the services: what each does with a TCP connection and
// with a UDP datagram.

package demo

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// service is one demo protocol.
type service struct {
	stream   func(c io.ReadWriter) error // serves a TCP connection until it ends
	datagram func(p []byte) []byte       // the reply to a datagram, or nil
}

// Kind is one demo service: a row of the one table that Start, and the
// shell's serve command, its help and its completion, read. Adding a demo
// server is adding a row.
type Kind struct {
	Name string // "echo"
	RFC  int    // the RFC that defines it
	UDP  bool   // it runs over UDP too
	Does string // what it does, in a few words

	service service
}

var kinds = []Kind{
	{Name: "echo", RFC: 862, UDP: true, Does: "sends back what it receives",
		service: service{stream: echoStream, datagram: func(p []byte) []byte { return append([]byte(nil), p...) }}},
	{Name: "discard", RFC: 863, UDP: true, Does: "throws away what it receives",
		service: service{stream: discardStream, datagram: func([]byte) []byte { return nil }}},
	{Name: "daytime", RFC: 867, UDP: true, Does: "sends the date and time as one line",
		service: service{stream: daytimeStream, datagram: func([]byte) []byte { return []byte(daytime(time.Now())) }}},
	{Name: "chargen", RFC: 864, UDP: true, Does: "sends lines of characters until the client closes",
		service: service{stream: chargenStream, datagram: chargenDatagram}},
}

// Kinds lists the demo services, in the order help shows them.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

// LookupKind returns the service of that name.
func LookupKind(name string) (Kind, bool) {
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// A stream service returns io.EOF when the client sent FIN, nil when the
// service itself finished (daytime), or the error that ended it.

// echoStream sends back what it receives until the client's FIN (RFC 862).
func echoStream(c io.ReadWriter) error {
	_, err := io.CopyBuffer(writerOnly{c}, readerOnly{c}, make([]byte, 16<<10))
	return eofIfNil(err)
}

// discardStream throws away what it receives (RFC 863).
func discardStream(c io.ReadWriter) error {
	_, err := io.CopyBuffer(io.Discard, readerOnly{c}, make([]byte, 16<<10))
	return eofIfNil(err)
}

// eofIfNil turns io.Copy's nil (it reached end of file) back into io.EOF.
func eofIfNil(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}

// daytimeStream sends the date and time as one line, then closes (RFC 867).
func daytimeStream(c io.ReadWriter) error {
	_, err := io.WriteString(c, daytime(time.Now()))
	return err
}

// daytime is the time as RFC 867 suggests: "Weekday, Month Day, Year
// HH:MM:SS-Zone", with CRLF.
func daytime(t time.Time) string {
	return t.Format("Monday, January 2, 2006 15:04:05-MST") + "\r\n"
}

// The chargen pattern (RFC 864): lines of 72 characters taken from the 95
// printable ASCII characters, each line starting one character later.
const (
	chargenFirst = ' '
	chargenCount = 95
	chargenWidth = 72
)

// ChargenLine returns line i of the pattern, with its CRLF.
func ChargenLine(i int) []byte {
	line := make([]byte, chargenWidth+2)
	for k := 0; k < chargenWidth; k++ {
		line[k] = byte(chargenFirst + (i+k)%chargenCount)
	}
	line[chargenWidth], line[chargenWidth+1] = '\r', '\n'
	return line
}

// chargenStream sends the pattern until the client closes (RFC 864); what
// the client sends is ignored.
func chargenStream(c io.ReadWriter) error {
	// One full cycle of 95 lines, written again and again.
	var cycle []byte
	for i := 0; i < chargenCount; i++ {
		cycle = append(cycle, ChargenLine(i)...)
	}
	for {
		if _, err := c.Write(cycle); err != nil {
			return err
		}
	}
}

// chargenDatagram answers any datagram, an empty one too, as RFC 864 says
// ("whenever a datagram is received, an answering datagram is sent"), with
// the first six lines of the pattern, 444 characters. RFC 864 asks for a
// random number of characters between 0 and 512; a fixed reply keeps what
// a learner sees predictable. The server's guard (guard.go) keeps such
// replies from looping or flooding.
func chargenDatagram([]byte) []byte {
	var out []byte
	for i := 0; len(out)+chargenWidth+2 <= 512; i++ {
		out = append(out, ChargenLine(i)...)
	}
	return out
}

// endOf says how a connection ended, from what the service returned and
// whether the server was stopping.
func endOf(err error, stopping bool) End {
	switch {
	case errors.Is(err, io.EOF):
		return EndFIN
	case err == nil:
		return EndReplied
	case errors.Is(err, syscall.ECONNRESET):
		return EndReset
	case errors.Is(err, syscall.EPIPE):
		return EndBrokenPipe
	case errors.Is(err, os.ErrDeadlineExceeded):
		return EndIdle
	case stopping || errors.Is(err, net.ErrClosed):
		return EndStopped
	}
	return EndError
}

// readerOnly and writerOnly hide io.ReaderFrom/io.WriterTo, so io.Copy uses
// the connection's counted Read and Write.
type readerOnly struct{ io.Reader }
type writerOnly struct{ io.Writer }
