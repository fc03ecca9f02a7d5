// The data path on a TLS socket: send, sendall, recv (and --out, --file)
// through the TLS connection, with Python's SSLSocket errors; sendto and
// recvfrom refused as Python refuses them; shutdown dropping the layer as
// Python's SSLSocket.shutdown does. io.go calls in here where a socket has
// a TLS layer; and a plain recv whose bytes look like TLS gets a hint.
package commands

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/commands/tlsx"
	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
)

// tlsSend is send or sendall of data on a TLS socket: both write it all,
// as SSL_write does.
func tlsSend(c *shell.Call, t *tlsx.Conn, s *bsd.Socket, name string, data []byte, py string, all bool) (any, error) {
	method := "send"
	if all {
		method = "sendall"
	}
	c.Python("%s.%s(%s)", name, method, py)
	defer traceSock(c, s)()
	before := s.Sent()
	n, err := t.Write(c.Ctx, data)
	if err != nil {
		return nil, tlsx.PythonError(err, tlsx.OpWrite, name)
	}
	noteRecords(c, "sent", s.Sent()-before, int64(n))
	return n, nil
}

// tlsSendFile sends a file's bytes through TLS in chunks: sendfile(2)
// would bypass the encryption, so Python's SSLSocket.sendfile falls back
// to send as this does.
func tlsSendFile(c *shell.Call, t *tlsx.Conn, s *bsd.Socket, name, file, py string) (any, error) {
	c.Python(py, name, shell.StrRepr(file))
	f, err := openInput(c, file, fileio.Streams)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	defer traceSock(c, s)()
	var total int64
	buf := make([]byte, 16<<10) // one TLS record's worth of data
	for {
		k, rerr := f.Read(buf)
		if k > 0 {
			n, err := t.Write(c.Ctx, buf[:k])
			total += int64(n)
			if err != nil {
				noteSent(c, total, f)
				return nil, tlsx.PythonError(err, tlsx.OpWrite, name)
			}
		}
		if rerr == io.EOF {
			if strings.Contains(py, ".sendfile(") {
				c.Note("over TLS the file is read and sent in records (sendfile(2) would bypass the encryption, so Python's SSLSocket.sendfile falls back to send too)")
			}
			return total, nil
		}
		if rerr != nil {
			noteSent(c, total, f)
			return nil, rerr
		}
	}
}

// tlsRecv is recv on a TLS socket: the data of at most one record.
func tlsRecv(c *shell.Call, t *tlsx.Conn, s *bsd.Socket, name string, n int) (any, error) {
	c.Python("%s.recv(%d)", name, n)
	done, answered := traceSock(c, s), firstByte(c, s)
	before := s.Received()
	p, err := t.Read(c.Ctx, n)
	done()
	answered(err == nil && len(p) > 0)
	if err != nil {
		peerNews(c, name, s)
		return nil, tlsx.PythonError(err, tlsx.OpRead, name)
	}
	if len(p) == 0 && n > 0 {
		c.Note("%s: the TLS stream ended (the peer's close_notify, or its FIN at a record boundary, which Python's suppress_ragged_eofs takes as the end)", name)
	}
	noteRecords(c, "received", s.Received()-before, int64(len(p)))
	return shown(c, p), nil
}

// tlsRecvOut is recv --out on a TLS socket: every record's data until the
// stream ends, into the file.
func tlsRecvOut(c *shell.Call, t *tlsx.Conn, s *bsd.Socket, name string, f *fileio.Output, limit int64) (int64, error) {
	defer traceSock(c, s)()
	var total int64
	buf := make([]byte, 65536) // one buffer for every record
	for limit < 0 || total < limit {
		want := int64(len(buf))
		if limit >= 0 {
			want = min(want, limit-total)
		}
		k, err := t.ReadInto(c.Ctx, buf[:want])
		if err != nil {
			return total, tlsx.PythonError(err, tlsx.OpRead, name)
		}
		if k == 0 {
			break
		}
		p := buf[:k]
		if _, err := f.Write(p); err != nil {
			return total, err
		}
		total += int64(len(p))
	}
	return total, nil
}

// noteRecords says, with explain on, how many bytes crossed the socket
// for the data: TLS adds a header and a tag to each record.
func noteRecords(c *shell.Call, verb string, wire, data int64) {
	if c.Explaining() && wire > 0 && wire != data {
		c.Note("%s of data %s as %s on the socket (TLS records: headers, encryption tags, or records of the protocol itself)", count(data, "byte"), verb, count(wire, "byte"))
	}
}

// tlsRefused is Python's error for a datagram call on an SSLSocket.
func tlsRefused(c *shell.Call, name, method string) error {
	return &shell.Error{Class: "ValueError", Msg: fmt.Sprintf("%s not allowed on instances of <class 'ssl.SSLSocket'>", method),
		Hint: name + " is a TLS stream: use send and recv"}
}

// tlsShutdown is shutdown on a TLS socket: as Python's SSLSocket.shutdown,
// the TLS layer is dropped (no close_notify is sent) and the socket's
// halves are shut as on any socket.
func tlsShutdown(c *shell.Call, s *bsd.Socket, name string) {
	if tlsOf(s) == nil {
		return
	}
	s.SetLayer(nil)
	c.Note("%s: as Python's SSLSocket.shutdown does, the TLS layer is dropped without a close_notify; %s is a plain socket from now on (Python's s.unwrap() ends TLS with a close_notify)", name, name)
}

// noteTLSBytes hints that bytes received on a plain socket look like
// TLS: a client's ClientHello (the peer expects a TLS server), or a
// server's alert or hello (the peer is a TLS server).
func noteTLSBytes(c *shell.Call, name string, s *bsd.Socket, p []byte) {
	what := tlsx.LooksLikeTLS(p)
	if what == "" || tlsOf(s) != nil {
		return
	}
	if strings.HasSuffix(what, "(a ClientHello)") {
		c.Note("%s: these bytes are %s: the peer is a TLS client starting a handshake and expects a TLS server here (serve echo --tls is one); a plain answer ends its handshake", name, what)
		return
	}
	c.Note("%s: these bytes are %s: the peer speaks TLS and this socket spoke plain bytes to it; make a new connection with connect --tls HOST PORT (this one's TLS stream cannot start over)", name, what)
}

// sockStream is a stream socket's data path: through its TLS layer when
// it has one. A command that moves data on a socket without going
// through send and recv (a pass-through) takes it from streamOf, so that
// a TLS socket's bytes are never sent or read raw.
type sockStream interface {
	Recv(ctx context.Context, n int) ([]byte, error)
	SendAll(ctx context.Context, p []byte) (int, error)
}

// streamOf is the socket's data path.
func streamOf(s *bsd.Socket) sockStream {
	if t := tlsOf(s); t != nil {
		return tlsStream{t}
	}
	return s
}

// tlsStream is a TLS connection as a sockStream, its errors Python's.
type tlsStream struct{ t *tlsx.Conn }

func (ts tlsStream) Recv(ctx context.Context, n int) ([]byte, error) {
	p, err := ts.t.Read(ctx, n)
	return p, tlsx.PythonError(err, tlsx.OpRead, "")
}

func (ts tlsStream) SendAll(ctx context.Context, p []byte) (int, error) {
	n, err := ts.t.Write(ctx, p)
	return n, tlsx.PythonError(err, tlsx.OpWrite, "")
}
